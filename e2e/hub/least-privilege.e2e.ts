/**
 * The hub controller under the identity `ocmadm init` gives it: a ServiceAccount token (kept
 * fresh by --token-refresh) bound to hubControllerClusterRules() and hubControllerNamespaceRules()
 * and nothing else. Every hub flow must work, including granting agent RBAC (the API server's
 * escalation check passes because the controller holds what it grants) and approving CSRs.
 */
import type { KubeClient } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { MANIFEST_WORKS, TYPE } from '../../src/api/index.js';
import { agentSubject, makeKeyAndCsr } from './csr-kit.js';
import { CSRS, type CertificateSigningRequest } from '../../src/kube/certificates.js';
import { Cleanup, agentClient, fileCsr, hubControllerIdentity } from './identities.js';
import {
  LEASES,
  RBAC_REFS,
  applyHubCrds,
  clusterRef,
  conditionOf,
  createCluster,
  forceDelete,
  gone,
  hubEnv,
  setAccepted,
  startHubProcess,
  unique,
  until,
  type HubProcess,
} from './support.js';

let admin: KubeClient;
let ctl: HubProcess;
let ns: string;
let user: string;
const cleanup = new Cleanup();

beforeAll(async () => {
  admin = (await hubEnv()).client;
  await applyHubCrds(admin);
  const id = await hubControllerIdentity(admin, cleanup);
  ns = id.ns;
  user = id.user;
  ctl = await startHubProcess({ kubeconfigFile: id.kubeconfigFile, namespace: ns, id: `${ns}-a`, args: id.args });
});

afterAll(async () => {
  await ctl?.stop();
  await cleanup.run();
  await admin?.close();
});

test('with only its own RBAC the controller accepts, grants, approves, denies and cleans up', async () => {
  await until(admin, { ...LEASES, namespace: ns, name: 'ocmadm-hub-controller' }, (o) => (o?.spec as { holderIdentity?: string })?.holderIdentity === ctl.id, 'leading');
  await ctl.waitForLog((l) => l.msg === 'token refresh scheduled');

  const c = unique('lp');
  await createCluster(admin, c);
  cleanup.add(() => forceDelete(admin, clusterRef(c)));
  await setAccepted(admin, c, true);
  await until(admin, clusterRef(c), (o) => conditionOf(o, 'HubAcceptedManagedCluster')?.reason === 'HubClusterAdminAccepted', 'accepted');
  const workRb = { ...RBAC_REFS.roleBindings, namespace: c, name: `open-cluster-management:managedcluster:${c}:work` };
  await until(admin, workRb, (o) => !!o, 'agent RBAC granted');
  await until(admin, { ...LEASES, namespace: c, name: 'managed-cluster-lease' }, (o) => !!o, 'cluster lease');
  await until(admin, clusterRef(c), (o) => o?.metadata?.labels?.['cluster.open-cluster-management.io/clusterset'] === 'default', 'default set label');

  // Renewal approval needs the SubjectAccessReview and the signer permission.
  const agent = await agentClient(admin, c, 'agent1', cleanup);
  const me = agentSubject(c, 'agent1');
  const renewal = await fileCsr(admin, agent, c, (await makeKeyAndCsr(me.cn, me.orgs)).csrPem, cleanup);
  await until<CertificateSigningRequest>(admin, { ...CSRS, name: renewal }, (o) => o?.status?.conditions?.some((x) => x.reason === 'AutoApprovedByHubCSRApprovingController') === true, 'renewal approved');

  // The agent itself can work with ManifestWorks in its namespace through the granted binding.
  const work = { ...TYPE.manifestWork, metadata: { name: 'w', namespace: c }, spec: { workload: { manifests: [] } } };
  await admin.create(resourcePath({ ...MANIFEST_WORKS, namespace: c }), work);
  await agent.patch(resourcePath({ ...MANIFEST_WORKS, namespace: c, name: 'w' }), { metadata: { finalizers: ['e2e.ocmadm.io/agent'] } }, 'merge');

  await setAccepted(admin, c, false);
  await until(admin, clusterRef(c), (o) => conditionOf(o, 'HubAcceptedManagedCluster')?.reason === 'HubClusterAdminDenied', 'denied');
  await until(admin, workRb, (o) => !!o?.metadata?.deletionTimestamp, 'work binding terminating');

  await admin.delete(resourcePath(clusterRef(c)));
  await until(admin, { ...MANIFEST_WORKS, namespace: c, name: 'w' }, (o) => !!o?.metadata?.deletionTimestamp, 'work deleted by GC');
  await agent.patch(resourcePath({ ...MANIFEST_WORKS, namespace: c, name: 'w' }), { metadata: { finalizers: null } }, 'merge');
  await until(admin, clusterRef(c), gone, 'cluster gone after cleanup', 90_000);
  await until(admin, workRb, gone, 'work binding gone');

  // RBAC denials only ("User ... cannot <verb> resource ..."): other suites' namespaces being
  // terminated also answer 403, and say so differently.
  const denied = ctl.logs.filter((l) => /forbidden/i.test(JSON.stringify(l)) && /cannot [a-z]+ resource/.test(JSON.stringify(l)));
  expect(denied).toEqual([]);
});

test('it may bind the two shared agent roles, by name, and no other role; it may escalate none', async () => {
  const may = async (verb: string, name: string) => {
    const review = await admin.create<{ status: { allowed: boolean } }>('/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: { user, groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'], resourceAttributes: { group: 'rbac.authorization.k8s.io', resource: 'clusterroles', verb, name } },
    });
    return [verb, name, review.status.allowed];
  };
  const shared = ['open-cluster-management:managedcluster:registration', 'open-cluster-management:managedcluster:work'];
  const others = ['open-cluster-management:managedcluster:a', 'cluster-admin', 'admin'];
  const answers = await Promise.all([...shared, ...others].flatMap((n) => [may('bind', n), may('escalate', n)]));
  expect(answers).toEqual([...shared, ...others].flatMap((n) => [['bind', n, shared.includes(n)], ['escalate', n, false]]));
});
