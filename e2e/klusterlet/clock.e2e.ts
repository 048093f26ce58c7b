/**
 * OCM's rule that the agent does not write ManagedCluster status while the hub says its clock is
 * out of sync (`ManagedClusterConditionClockSynced=False`). No hub controller runs here: the test
 * plays the hub (approval, the accepted cluster's RBAC and Lease, the hub's conditions), so the
 * conditions it sets stay as set.
 */
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { resourcePath, type ResourceRef } from '../../src/kube/resources.js';
import { MANAGED_CLUSTERS, type ManagedCluster } from '../../src/api/index.js';
import { clusterNamespace, clusterRole, clusterRoleBinding, registrationRoleBinding, sharedClusterRoles } from '../../src/runtime/hub/cluster-rbac.js';
import { adminClient, loadClusters, uniqueName } from '../support/clusters.js';
import { CSRS } from '../../src/kube/certificates.js';
import { Cleanup } from '../hub/identities.js';
import { LEASES, NAMESPACES, RBAC_REFS, clusterRef, conditionOf, forceDelete, until } from '../hub/support.js';
import {
  applyBootstrapRbac,
  applyCrds,
  approveCsr,
  bootstrapKubeconfigYaml,
  bootstrapToken,
  clusterCsrs,
  deleteIfExists,
  prepareSpoke,
  startAgentProcess,
  type AgentProcess,
} from './support.js';

const { hub, spoke2 } = loadClusters();
let hubAdmin: KubeClient;
let spokeAdmin: KubeClient;
let agent: AgentProcess | undefined;
const cleanup = new Cleanup();

beforeAll(async () => {
  hubAdmin = await adminClient(hub);
  spokeAdmin = await adminClient(spoke2);
  await applyCrds(hubAdmin, 'hub');
  await applyCrds(spokeAdmin, 'spoke');
  await applyBootstrapRbac(hubAdmin);
});

afterAll(async () => {
  await agent?.stop();
  await cleanup.run();
  await hubAdmin?.close();
  await spokeAdmin?.close();
});

/** Server-side apply of one hub object as the test playing the hub. */
async function apply(ref: ResourceRef, obj: KubeObject): Promise<void> {
  await hubAdmin.patch(resourcePath({ ...ref, name: obj.metadata!.name!, namespace: obj.metadata!.namespace }), obj, 'apply', { fieldManager: 'ocmadm-e2e', force: true });
}

const hubCondition = (type: string, status: 'True' | 'False', reason: string) => ({
  type,
  status,
  reason,
  message: 'set by the e2e test',
  lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
});

test('no status writes while the hub says the clock is out of sync; they resume once it is in sync', async () => {
  const cluster = uniqueName('clock');
  const ns = uniqueName('agent');
  await prepareSpoke(spokeAdmin, ns, bootstrapKubeconfigYaml(hub, await bootstrapToken(hubAdmin)));
  cleanup.add(() => spokeAdmin.delete(resourcePath({ ...NAMESPACES, name: ns })));
  cleanup.add(() => forceDelete(hubAdmin, clusterRef(cluster)));
  cleanup.add(async () => {
    for (const c of await clusterCsrs(hubAdmin, cluster)) await deleteIfExists(hubAdmin, resourcePath({ ...CSRS, name: c.metadata!.name! }));
  });
  agent = await startAgentProcess(cluster, ['--kubeconfig', spoke2.adminKubeconfigPath, '--cluster-name', cluster, '--agent-namespace', ns]);
  const filed = await agent.waitForLog((l) => l.msg === 'certificate signing request filed');
  await approveCsr(hubAdmin, filed.csr as string);
  await agent.waitForLog((l) => l.msg === 'hub identity in use');

  // What accepting does on the hub: namespace, RBAC, Lease; then the conditions.
  await apply(NAMESPACES, clusterNamespace(cluster));
  cleanup.add(() => deleteIfExists(hubAdmin, resourcePath({ ...NAMESPACES, name: cluster })));
  for (const role of sharedClusterRoles()) await apply(RBAC_REFS.clusterRoles, role);
  await apply(RBAC_REFS.clusterRoles, clusterRole(cluster, true));
  await apply(RBAC_REFS.clusterRoleBindings, clusterRoleBinding(cluster));
  await apply(RBAC_REFS.roleBindings, registrationRoleBinding(cluster));
  for (const [ref, name] of [
    [RBAC_REFS.clusterRoles, clusterRole(cluster, true).metadata!.name!],
    [RBAC_REFS.clusterRoleBindings, clusterRoleBinding(cluster).metadata!.name!],
  ] as const) {
    cleanup.add(() => deleteIfExists(hubAdmin, resourcePath({ ...ref, name })));
  }
  await hubAdmin.create(resourcePath({ ...LEASES, namespace: cluster }), {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'managed-cluster-lease', namespace: cluster },
    spec: { holderIdentity: 'managed-cluster-lease', renewTime: new Date().toISOString().replace('Z', '000Z') },
  });
  const statusPath = resourcePath({ ...MANAGED_CLUSTERS, name: cluster, subresource: 'status' });
  const accepted = hubCondition('HubAcceptedManagedCluster', 'True', 'HubClusterAdminAccepted');
  await hubAdmin.patch(statusPath, { status: { conditions: [accepted, hubCondition('ManagedClusterConditionClockSynced', 'False', 'ManagedClusterClockOutOfSync')] } });

  await agent.waitForLog((l) => l.msg === "the hub says this cluster's clock is out of sync; not updating the managed cluster status");
  // The lease is renewed all the same (the hub needs it to see the clock come back).
  await agent.waitForLog((l) => l.msg === 'lease updates started');
  const held = await hubAdmin.get<ManagedCluster>(resourcePath(clusterRef(cluster)));
  expect(conditionOf(held, 'ManagedClusterJoined')).toBeUndefined();
  expect(conditionOf(held, 'ManagedClusterConditionAvailable')).toBeUndefined();
  expect(held.status?.version).toBeUndefined();

  await hubAdmin.patch(statusPath, { status: { conditions: [accepted, hubCondition('ManagedClusterConditionClockSynced', 'True', 'ManagedClusterClockSynced')] } });
  const mc = await until<ManagedCluster>(
    hubAdmin,
    clusterRef(cluster),
    (o) => conditionOf(o, 'ManagedClusterJoined')?.status === 'True' && conditionOf(o, 'ManagedClusterConditionAvailable')?.status === 'True',
    'Joined and Available once the clock is in sync',
  );
  expect(mc!.status!.version).toEqual({ kubernetes: spoke2.version });
  expect(conditionOf(mc, 'ManagedClusterConditionClockSynced')?.status).toBe('True');
});
