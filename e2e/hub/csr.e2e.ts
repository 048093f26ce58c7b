/**
 * Renewal CSR approval on the real hub, with real identities: an accepted cluster's agent
 * (certificate signed by kube-controller-manager) files a renewal that the hub approves; a
 * first-join CSR from a bootstrap ServiceAccount and a CSR for another cluster stay pending.
 */
import type { KubeClient } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { agentSubject, makeKeyAndCsr } from './csr-kit.js';
import { CSRS, type CertificateSigningRequest } from '../../src/kube/certificates.js';
import { Cleanup, agentClient, clientAs, fileCsr, serviceAccountToken } from './identities.js';
import {
  NAMESPACES,
  RBAC_REFS,
  applyHubCrds,
  clusterRef,
  conditionOf,
  createCluster,
  forceDelete,
  hubEnv,
  setAccepted,
  startHubProcess,
  unique,
  until,
  type HubProcess,
} from './support.js';

let admin: KubeClient;
let ctl: HubProcess;
const cleanup = new Cleanup();

beforeAll(async () => {
  const env = await hubEnv();
  admin = env.client;
  await applyHubCrds(admin);
  const ns = unique('hubctl');
  await admin.create(resourcePath(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  ctl = await startHubProcess({ kubeconfigFile: env.kubeconfigFile, namespace: ns, id: `${ns}-a` });
});

afterAll(async () => {
  await ctl?.stop();
  await cleanup.run();
  await admin?.close();
});

/** A bootstrap-like identity: a ServiceAccount that may only file and read CSRs. */
async function bootstrapClient(): Promise<KubeClient> {
  const ns = unique('boot');
  await admin.create(resourcePath(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  cleanup.add(() => admin.delete(resourcePath({ ...NAMESPACES, name: ns })));
  await admin.create(`/api/v1/namespaces/${ns}/serviceaccounts`, { metadata: { name: 'agent-registration-bootstrap' } });
  const role = unique('e2e-bootstrap');
  await admin.create(resourcePath(RBAC_REFS.clusterRoles), {
    metadata: { name: role },
    rules: [{ apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['create', 'get', 'list', 'watch'] }],
  });
  cleanup.add(() => admin.delete(resourcePath({ ...RBAC_REFS.clusterRoles, name: role })));
  await admin.create(resourcePath(RBAC_REFS.clusterRoleBindings), {
    metadata: { name: role },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [{ kind: 'ServiceAccount', name: 'agent-registration-bootstrap', namespace: ns }],
  });
  cleanup.add(() => admin.delete(resourcePath({ ...RBAC_REFS.clusterRoleBindings, name: role })));
  return clientAs({ token: await serviceAccountToken(admin, ns, 'agent-registration-bootstrap') }, cleanup);
}

test('an accepted agent renewal is auto-approved; first-join and cross-cluster CSRs are not', async () => {
  const c = unique('csr');
  const other = unique('csr-other');
  for (const name of [c, other]) {
    await createCluster(admin, name);
    cleanup.add(() => forceDelete(admin, clusterRef(name)));
    await setAccepted(admin, name, true);
    await until(admin, clusterRef(name), (o) => conditionOf(o, 'HubAcceptedManagedCluster')?.status === 'True', `${name} accepted`);
  }
  await until(admin, { ...RBAC_REFS.clusterRoleBindings, name: `open-cluster-management:managedcluster:${c}` }, (o) => !!o, 'agent binding');

  // The agent's certificate identity, as the first join leaves it, and a bootstrap identity.
  const agent = await agentClient(admin, c, 'agent1', cleanup);
  const bootstrap = await bootstrapClient();

  const s = agentSubject(c, 'agent2');
  const firstJoin = await fileCsr(admin, bootstrap, c, (await makeKeyAndCsr(s.cn, s.orgs)).csrPem, cleanup);
  const o = agentSubject(other, 'agent1');
  const crossCluster = await fileCsr(admin, agent, other, (await makeKeyAndCsr(o.cn, o.orgs)).csrPem, cleanup);
  // Filed last: by the time it is approved the two above have been judged.
  const me = agentSubject(c, 'agent1');
  const renewal = await fileCsr(admin, agent, c, (await makeKeyAndCsr(me.cn, me.orgs)).csrPem, cleanup);

  const approved = await until<CertificateSigningRequest>(admin, { ...CSRS, name: renewal }, (x) => !!x?.status?.certificate, 'renewal approved and signed');
  expect(approved!.status!.conditions).toEqual([expect.objectContaining({ type: 'Approved', status: 'True', reason: 'AutoApprovedByHubCSRApprovingController' })]);
  expect(approved!.spec.username).toBe(me.cn);

  for (const name of [firstJoin, crossCluster]) {
    const pending = await admin.get<CertificateSigningRequest>(resourcePath({ ...CSRS, name }));
    expect([name, pending.status?.conditions ?? []]).toEqual([name, []]);
  }
  expect(ctl.logs.filter((l) => l.msg === 'approved renewal CSR').map((l) => l.csr)).toEqual([renewal]);
});
