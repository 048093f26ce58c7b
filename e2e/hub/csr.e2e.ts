/**
 * Renewal CSR approval on the real hub, with real identities: an accepted cluster's agent
 * (certificate signed by kube-controller-manager) files a renewal that the hub approves; a
 * first-join CSR from a bootstrap ServiceAccount and a CSR for another cluster stay pending.
 */
import crypto from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient, type KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { agentSubject, makeKeyAndCsr } from './csr-kit.js';
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

const CSRS = { group: 'certificates.k8s.io', version: 'v1', resource: 'certificatesigningrequests' };
type Csr = KubeObject & { spec: Record<string, unknown>; status?: { conditions?: { type: string; reason?: string }[]; certificate?: string } };

let admin: KubeClient;
let adminKc: KubeConfig;
let ctl: HubProcess;
const cleanup: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  const env = await hubEnv();
  admin = env.client;
  adminKc = admin.kc;
  await applyHubCrds(admin);
  const ns = unique('hubctl');
  await admin.create(resourcePath(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  ctl = await startHubProcess({ kubeconfigFile: env.kubeconfigFile, namespace: ns, id: `${ns}-a` });
});

afterAll(async () => {
  await ctl?.stop();
  for (const f of cleanup.reverse()) await f().catch(() => undefined);
  await admin?.close();
});

/** A client for the hub authenticating with `user` (certificate or token). */
async function clientAs(user: { certData?: string; keyData?: string; token?: string }): Promise<KubeClient> {
  const cluster = adminKc.getCurrentCluster()!;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ ...cluster, name: 'hub' }],
    users: [{ name: 'u', ...user }],
    contexts: [{ name: 'c', cluster: 'hub', user: 'u' }],
    currentContext: 'c',
  });
  const client = await KubeClient.create(kc, 'ocmadm-e2e');
  cleanup.push(() => client.close());
  return client;
}

function csrBody(c: string, csrPem: string): Record<string, unknown> {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { generateName: `${c}-`, labels: { 'open-cluster-management.io/cluster-name': c } },
    spec: {
      request: Buffer.from(csrPem).toString('base64'),
      signerName: 'kubernetes.io/kube-apiserver-client',
      usages: ['digital signature', 'key encipherment', 'client auth'],
      expirationSeconds: 3600,
    },
  };
}

async function fileCsr(as: KubeClient, c: string, csrPem: string): Promise<string> {
  const created = await as.create<Csr>(resourcePath(CSRS), csrBody(c, csrPem));
  const name = created.metadata!.name!;
  cleanup.push(() => admin.delete(resourcePath({ ...CSRS, name })));
  return name;
}

/** What the first join gives an agent: a CSR approved by an admin and signed by kube-controller-manager. */
async function agentCertificate(c: string, agent: string): Promise<{ certPem: string; keyPem: string }> {
  const s = agentSubject(c, agent);
  const { csrPem, keyPem } = await makeKeyAndCsr(s.cn, s.orgs);
  const name = await fileCsr(admin, c, csrPem);
  const csr = await admin.get<Csr>(resourcePath({ ...CSRS, name }));
  const approval = { type: 'Approved', status: 'True', reason: 'E2EAdminApproved', message: 'first join' };
  await admin.replace(resourcePath({ ...CSRS, name, subresource: 'approval' }), { ...csr, status: { conditions: [approval] } });
  const signed = await until<Csr>(admin, { ...CSRS, name }, (o) => !!o?.status?.certificate, `certificate for ${name}`);
  return { certPem: Buffer.from(signed!.status!.certificate!, 'base64').toString(), keyPem };
}

test('an accepted agent renewal is auto-approved; first-join and cross-cluster CSRs are not', async () => {
  const c = unique('csr');
  const other = unique('csr-other');
  for (const name of [c, other]) {
    await createCluster(admin, name);
    cleanup.push(() => forceDelete(admin, clusterRef(name)));
    await setAccepted(admin, name, true);
    await until(admin, clusterRef(name), (o) => conditionOf(o, 'HubAcceptedManagedCluster')?.status === 'True', `${name} accepted`);
  }
  await until(admin, { ...RBAC_REFS.clusterRoleBindings, name: `open-cluster-management:managedcluster:${c}` }, (o) => !!o, 'agent binding');

  // The agent's certificate identity, as the first join leaves it.
  const { certPem, keyPem } = await agentCertificate(c, 'agent1');
  expect(new crypto.X509Certificate(certPem).subject).toContain(`CN=system:open-cluster-management:${c}:agent1`);
  const agent = await clientAs({ certData: Buffer.from(certPem).toString('base64'), keyData: Buffer.from(keyPem).toString('base64') });

  // A bootstrap identity filing a first-join CSR for the same (accepted) cluster.
  const bootNs = unique('boot');
  await admin.create(resourcePath(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: bootNs } });
  cleanup.push(() => admin.delete(resourcePath({ ...NAMESPACES, name: bootNs })));
  await admin.create(`/api/v1/namespaces/${bootNs}/serviceaccounts`, { metadata: { name: 'agent-registration-bootstrap' } });
  const roleName = unique('e2e-bootstrap');
  await admin.create(resourcePath(RBAC_REFS.clusterRoles), {
    metadata: { name: roleName },
    rules: [{ apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['create', 'get', 'list', 'watch'] }],
  });
  cleanup.push(() => admin.delete(resourcePath({ ...RBAC_REFS.clusterRoles, name: roleName })));
  await admin.create(resourcePath(RBAC_REFS.clusterRoleBindings), {
    metadata: { name: roleName },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
    subjects: [{ kind: 'ServiceAccount', name: 'agent-registration-bootstrap', namespace: bootNs }],
  });
  cleanup.push(() => admin.delete(resourcePath({ ...RBAC_REFS.clusterRoleBindings, name: roleName })));
  const tr = await admin.create<{ status: { token: string } }>(`/api/v1/namespaces/${bootNs}/serviceaccounts/agent-registration-bootstrap/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds: 3600 },
  });
  const bootstrap = await clientAs({ token: tr.status.token });

  const s = agentSubject(c, 'agent2');
  const firstJoin = await fileCsr(bootstrap, c, (await makeKeyAndCsr(s.cn, s.orgs)).csrPem);
  const o = agentSubject(other, 'agent1');
  const crossCluster = await fileCsr(agent, other, (await makeKeyAndCsr(o.cn, o.orgs)).csrPem);
  // Filed last: by the time it is approved the two above have been judged.
  const renewal = await fileCsr(agent, c, (await makeKeyAndCsr(agentSubject(c, 'agent1').cn, agentSubject(c, 'agent1').orgs)).csrPem);

  const approved = await until<Csr>(admin, { ...CSRS, name: renewal }, (x) => !!x?.status?.certificate, 'renewal approved and signed');
  expect(approved!.status!.conditions).toEqual([expect.objectContaining({ type: 'Approved', status: 'True', reason: 'AutoApprovedByHubCSRApprovingController' })]);
  expect(approved!.spec.username).toBe(agentSubject(c, 'agent1').cn);

  for (const name of [firstJoin, crossCluster]) {
    const pending = await admin.get<Csr>(resourcePath({ ...CSRS, name }));
    expect([name, pending.status?.conditions ?? []]).toEqual([name, []]);
  }
  expect(ctl.logs.filter((l) => l.msg === 'approved renewal CSR').map((l) => l.csr)).toEqual([renewal]);
});
