/**
 * The hub controller under the identity `ocmadm init` gives it: a ServiceAccount token (kept
 * fresh by --token-refresh) bound to hubControllerClusterRules() and hubControllerNamespaceRules()
 * and nothing else. Every hub flow must work, including granting agent RBAC (the API server's
 * escalation check passes because the controller holds what it grants) and approving CSRs.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { KubeClient } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { MANIFEST_WORKS, TYPE } from '../../src/api/index.js';
import { hubControllerClusterRules, hubControllerNamespaceRules } from '../../src/runtime/hub/rbac.js';
import { agentSubject, makeKeyAndCsr } from './csr-kit.js';
import { CSRS, Cleanup, agentClient, fileCsr, hubKubeconfigAs, serviceAccountToken, type Csr } from './identities.js';
import {
  LEASES,
  NAMESPACES,
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
  tempDir,
  unique,
  until,
  type HubProcess,
} from './support.js';

const SA = 'ocmadm-hub-controller';
let admin: KubeClient;
let ctl: HubProcess;
let ns: string;
const cleanup = new Cleanup();

beforeAll(async () => {
  admin = (await hubEnv()).client;
  await applyHubCrds(admin);
  ns = unique('hubrt');
  await admin.create(resourcePath(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  cleanup.add(() => admin.delete(resourcePath({ ...NAMESPACES, name: ns })));
  await admin.create(`/api/v1/namespaces/${ns}/serviceaccounts`, { metadata: { name: SA } });
  const role = unique('e2e-hub-controller');
  await admin.create(resourcePath(RBAC_REFS.clusterRoles), { metadata: { name: role }, rules: hubControllerClusterRules() });
  cleanup.add(() => admin.delete(resourcePath({ ...RBAC_REFS.clusterRoles, name: role })));
  const subjects = [{ kind: 'ServiceAccount', name: SA, namespace: ns }];
  await admin.create(resourcePath(RBAC_REFS.clusterRoleBindings), {
    metadata: { name: role },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects,
  });
  cleanup.add(() => admin.delete(resourcePath({ ...RBAC_REFS.clusterRoleBindings, name: role })));
  await admin.create(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, { metadata: { name: SA }, rules: hubControllerNamespaceRules(SA) });
  await admin.create(resourcePath({ ...RBAC_REFS.roleBindings, namespace: ns }), {
    metadata: { name: SA },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: SA },
    subjects,
  });

  const dir = tempDir('ocmadm-hub-sa-');
  cleanup.add(async () => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'kubeconfig');
  fs.writeFileSync(file, hubKubeconfigAs({ token: await serviceAccountToken(admin, ns, SA, 600) }), { mode: 0o600 });
  ctl = await startHubProcess({ kubeconfigFile: file, namespace: ns, id: `${ns}-a`, args: ['--token-refresh', `${ns}/${SA}`] });
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
  await until<Csr>(admin, { ...CSRS, name: renewal }, (o) => o?.status?.conditions?.some((x) => x.reason === 'AutoApprovedByHubCSRApprovingController') === true, 'renewal approved');

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

  const denied = ctl.logs.filter((l) => /forbidden/i.test(JSON.stringify(l)));
  expect(denied).toEqual([]);
});
