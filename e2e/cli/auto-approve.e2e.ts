/**
 * `ocmadm init --auto-approve USERS` (OCM's ManagedClusterAutoApproval) on a hub made by `init`
 * with a real spoke joined by `join`: a cluster whose join CSR comes from a listed identity is
 * approved and accepted without `accept` (and becomes Joined and Available); one from an
 * identity not listed stays pending until the list names it.
 */
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { MANAGED_CLUSTERS, TYPE } from '../../src/api/index.js';
import { until, userClient } from '../support/clusters.js';
import { startFleet, type Fleet } from '../support/fleet.js';
import { agentSubject, makeKeyAndCsr } from '../hub/csr-kit.js';
import { CSRS, type CertificateSigningRequest } from '../../src/kube/certificates.js';
import { csrBody } from '../hub/identities.js';

const SA_USER = 'system:serviceaccount:open-cluster-management:agent-registration-bootstrap';
const TOKEN_USER = 'system:bootstrap:ocmhub';

let fleet: Fleet;
let hub: KubeClient;
const closers: KubeClient[] = [];

type Mc = KubeObject & { spec?: { hubAcceptsClient?: boolean }; status?: { conditions?: { type: string; status: string }[] } };
const mcRef = (name: string) => ({ ...MANAGED_CLUSTERS, name });
const MS = 90_000;
const csrsOf = async (cluster: string) =>
  (await hub.list<CertificateSigningRequest>(resourcePath(CSRS), { labelSelector: `open-cluster-management.io/cluster-name=${cluster}` })).items;
const cond = (o: Mc | undefined, type: string) => o?.status?.conditions?.find((c) => c.type === type)?.status;

beforeAll(async () => {
  fleet = await startFleet('autoapprove', ['hub', 'spoke']);
  hub = await fleet.client('hub');
});
afterAll(async () => {
  await Promise.all(closers.map((c) => c.close()));
  await fleet?.stop();
});

test('listed identities are accepted without accept; others wait until listed', async () => {
  // On: only the bootstrap-token identity is listed; the spoke joins with the ServiceAccount token.
  const init = await fleet.cli('hub', ['init', '--runtime', 'local', '--wait', '--auto-approve', TOKEN_USER, '-o', 'json']);
  expect({ code: init.code, stderr: init.code ? init.stderr : '' }).toEqual({ code: 0, stderr: '' });
  expect(init.stderr).toContain(`auto-approval on: clusters joining as ${TOKEN_USER}`);
  const { 'hub-token': saToken, 'hub-apiserver': server } = JSON.parse(init.stdout);
  const join = await fleet.cli('spoke', ['join', '--hub-token', saToken, '--hub-apiserver', server, '--cluster-name', 'spoke', '--runtime', 'local', '--wait']);
  expect({ code: join.code, stderr: join.code ? join.stderr : '' }).toEqual({ code: 0, stderr: '' });

  // A canary filed by the listed identity after the spoke's CSR: once it is accepted, the
  // controller has judged the spoke's CSR too (one queue, keys in order).
  const tok = await fleet.cli('hub', ['get', 'token', '--use-bootstrap-token', '-o', 'json']);
  expect(tok.code).toBe(0);
  const booted = await userClient(fleet.info('hub'), { token: JSON.parse(tok.stdout)['hub-token'] });
  closers.push(booted);
  await booted.create(resourcePath(MANAGED_CLUSTERS), { ...TYPE.managedCluster, metadata: { name: 'canary' }, spec: { hubAcceptsClient: false } });
  const s = agentSubject('canary', 'agent1');
  const canaryCsr = await booted.create<CertificateSigningRequest>(resourcePath(CSRS), csrBody('canary', (await makeKeyAndCsr(s.cn, s.orgs)).csrPem));
  expect(canaryCsr.spec.username).toBe(TOKEN_USER);

  const canary = await until<Mc>(hub, mcRef('canary'), (o) => o?.spec?.hubAcceptsClient === true, 'canary auto-accepted', MS);
  expect(canary!.metadata!.annotations?.['open-cluster-management.io/automatically-accepted-on']).toMatch(/Z$/);
  const approved = await until<CertificateSigningRequest>(hub, { ...CSRS, name: canaryCsr.metadata!.name! }, (o) => !!o?.status?.certificate, 'canary CSR approved and signed', MS);
  expect(approved!.status!.conditions).toEqual([expect.objectContaining({ type: 'Approved', reason: 'AutoApprovedByHubCSRApprovingController' })]);

  // The spoke's identity is not listed: its CSR is pending and the cluster not accepted.
  const pending = await csrsOf('spoke');
  expect(pending.map((c) => [c.spec.username, c.status?.conditions ?? []])).toEqual([[SA_USER, []]]);
  expect((await hub.get<Mc>(resourcePath(mcRef('spoke')))).spec?.hubAcceptsClient ?? false).toBe(false);

  // Listing it: the pending CSR is approved and the cluster joins without `accept`.
  const again = await fleet.cli('hub', ['init', '--runtime', 'local', '--wait', '--auto-approve', `${TOKEN_USER},${SA_USER}`]);
  expect({ code: again.code, stderr: again.code ? again.stderr : '' }).toEqual({ code: 0, stderr: '' });
  const spoke = await until<Mc>(
    hub,
    mcRef('spoke'),
    (o) => o?.spec?.hubAcceptsClient === true && cond(o, 'ManagedClusterJoined') === 'True' && cond(o, 'ManagedClusterConditionAvailable') === 'True',
    'spoke auto-accepted, Joined and Available',
    MS,
  );
  expect(spoke!.metadata!.annotations?.['open-cluster-management.io/automatically-accepted-on']).toMatch(/Z$/);
  const spokeCsrs = await csrsOf('spoke');
  expect(spokeCsrs.map((c) => c.status?.conditions?.map((x) => x.reason))).toEqual([['AutoApprovedByHubCSRApprovingController']]);
});
