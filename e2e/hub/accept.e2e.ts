/**
 * Accept, deny and cluster sets on the real hub, with the built hub controller running as a
 * child process (admin kubeconfig; the least-privilege identity is proven by the init suites).
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { MANAGED_CLUSTERS, MANAGED_CLUSTER_SETS, MANAGED_CLUSTER_SET_BINDINGS, MANIFEST_WORKS, TYPE } from '../../src/api/index.js';
import { clusterRole, clusterRoleBinding, registrationRoleBinding, sharedClusterRoles, workRoleBinding } from '../../src/runtime/hub/cluster-rbac.js';
import {
  LEASES,
  NAMESPACES,
  RBAC_REFS,
  clusterRef,
  conditionOf,
  createCluster,
  getOrUndefined,
  gone,
  setAccepted,
  startHubSuite,
  stopHubSuite,
  unique,
  until,
  type HubProcess,
} from './support.js';

type Obj = KubeObject & { spec?: Record<string, unknown>; rules?: unknown; subjects?: unknown; roleRef?: unknown };

let client: KubeClient;
let ctl: HubProcess;
const clusters: string[] = [];

beforeAll(async () => {
  ({ client, ctl } = await startHubSuite());
});

afterAll(() => stopHubSuite(ctl, client, clusters));

async function newCluster(spec: Record<string, unknown> = {}): Promise<string> {
  const c = unique('mc');
  clusters.push(c);
  await createCluster(client, c, spec);
  return c;
}

const accepted = (status: string, reason: string) => (o: KubeObject | undefined) =>
  conditionOf(o, 'HubAcceptedManagedCluster')?.status === status && conditionOf(o, 'HubAcceptedManagedCluster')?.reason === reason;

test('a cluster never accepted gets its set label, availability taint and cleanup finalizer, and nothing else', async () => {
  const c = await newCluster();
  const mc = await until<Obj>(
    client,
    clusterRef(c),
    (o) =>
      o?.metadata?.labels?.['cluster.open-cluster-management.io/clusterset'] === 'default' &&
      !!o.metadata.finalizers?.includes('cluster.open-cluster-management.io/resource-cleanup') &&
      (o.spec?.taints as { key: string }[] | undefined)?.some((t) => t.key === 'cluster.open-cluster-management.io/unreachable') === true,
    `cluster ${c} labelled, tainted and finalized`,
  );
  expect(mc!.metadata!.finalizers).not.toContain('cluster.open-cluster-management.io/api-resource-cleanup');
  expect(conditionOf(mc, 'HubAcceptedManagedCluster')).toBeUndefined();
  const taint = (mc!.spec!.taints as { key: string; effect: string; timeAdded?: string }[])[0]!;
  expect(taint).toEqual({ key: 'cluster.open-cluster-management.io/unreachable', effect: 'NoSelect', timeAdded: expect.stringMatching(/Z$/) });
  expect(await getOrUndefined(client, { ...NAMESPACES, name: c })).toBeUndefined();
  expect(await getOrUndefined(client, { ...RBAC_REFS.clusterRoles, name: `open-cluster-management:managedcluster:${c}` })).toBeUndefined();
  expect(await getOrUndefined(client, { ...RBAC_REFS.clusterRoleBindings, name: `open-cluster-management:managedcluster:${c}` })).toBeUndefined();
  expect(await getOrUndefined(client, { ...LEASES, namespace: c, name: 'managed-cluster-lease' })).toBeUndefined();
});

test('accept: namespace, finalizers, RBAC with OCM names and rules, lease, condition', async () => {
  const c = await newCluster();
  const t0 = Date.now();
  await setAccepted(client, c, true);
  const mc = await until(client, clusterRef(c), accepted('True', 'HubClusterAdminAccepted'), `cluster ${c} accepted`);
  process.stderr.write(`accept → HubAcceptedManagedCluster=True: ${Date.now() - t0} ms\n`);
  expect(conditionOf(mc, 'HubAcceptedManagedCluster')?.message).toBe('Accepted by hub cluster admin');
  const withFinalizers = await until(
    client,
    clusterRef(c),
    (o) => ['api-resource-cleanup', 'resource-cleanup'].every((f) => o?.metadata?.finalizers?.includes(`cluster.open-cluster-management.io/${f}`)),
    'both finalizers',
  );
  expect(withFinalizers).toBeDefined();
  const label = { 'open-cluster-management.io/cluster-name': c };

  const ns = await getOrUndefined<Obj>(client, { ...NAMESPACES, name: c });
  expect(ns?.metadata?.labels).toMatchObject(label);

  const cr = await getOrUndefined<Obj>(client, { ...RBAC_REFS.clusterRoles, name: `open-cluster-management:managedcluster:${c}` });
  expect(cr?.metadata?.labels).toMatchObject(label);
  expect(cr?.rules).toEqual(clusterRole(c, true).rules);
  const crb = await getOrUndefined<Obj>(client, { ...RBAC_REFS.clusterRoleBindings, name: `open-cluster-management:managedcluster:${c}` });
  expect(crb?.metadata?.labels).toMatchObject(label);
  expect({ roleRef: crb?.roleRef, subjects: crb?.subjects }).toEqual({ roleRef: clusterRoleBinding(c).roleRef, subjects: clusterRoleBinding(c).subjects });
  for (const want of [registrationRoleBinding(c), workRoleBinding(c)]) {
    const rb = await getOrUndefined<Obj>(client, { ...RBAC_REFS.roleBindings, namespace: c, name: want.metadata!.name! });
    expect(rb?.metadata?.labels).toMatchObject(label);
    expect({ roleRef: rb?.roleRef, subjects: rb?.subjects }).toEqual({ roleRef: want.roleRef, subjects: want.subjects });
  }
  const workRb = await getOrUndefined<Obj>(client, { ...RBAC_REFS.roleBindings, namespace: c, name: workRoleBinding(c).metadata!.name! });
  expect(workRb?.metadata?.finalizers).toEqual(['cluster.open-cluster-management.io/manifest-work-cleanup']);
  for (const shared of sharedClusterRoles()) {
    const got = await getOrUndefined<Obj>(client, { ...RBAC_REFS.clusterRoles, name: shared.metadata!.name! });
    expect(got?.rules).toEqual(shared.rules);
  }

  const lease = await until<Obj>(client, { ...LEASES, namespace: c, name: 'managed-cluster-lease' }, (o) => !!o, 'cluster lease');
  expect(lease?.metadata?.labels).toMatchObject(label);
  expect(lease?.spec?.holderIdentity).toBe('managed-cluster-lease');
  expect(lease?.spec?.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  expect(lease?.spec?.leaseDurationSeconds).toBeUndefined();
});

test('deny: read-only ClusterRole, registration binding deleted, work binding kept until the last ManifestWork is gone', async () => {
  const c = await newCluster();
  await setAccepted(client, c, true);
  await until(client, clusterRef(c), accepted('True', 'HubClusterAdminAccepted'), `cluster ${c} accepted`);
  const workRbRef = { ...RBAC_REFS.roleBindings, namespace: c, name: `open-cluster-management:managedcluster:${c}:work` };
  await until(client, workRbRef, (o) => !!o, 'work RoleBinding');
  // A work still held by its (simulated) agent finalizer.
  const work = {
    ...TYPE.manifestWork,
    metadata: { name: 'held', namespace: c, finalizers: ['e2e.ocmadm.io/agent'] },
    spec: { workload: { manifests: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' } }] } },
  };
  await client.create(resourcePath({ ...MANIFEST_WORKS, namespace: c }), work);

  await setAccepted(client, c, false);
  const mc = await until(client, clusterRef(c), accepted('False', 'HubClusterAdminDenied'), `cluster ${c} denied`);
  expect(conditionOf(mc, 'HubAcceptedManagedCluster')?.message).toBe('Denied by hub cluster admin');
  const crRef = { ...RBAC_REFS.clusterRoles, name: `open-cluster-management:managedcluster:${c}` };
  await until<Obj>(client, crRef, (o) => isDeepStrictEqual(o?.rules, clusterRole(c, false).rules), 'read-only ClusterRole');
  await until(client, { ...RBAC_REFS.roleBindings, namespace: c, name: `open-cluster-management:managedcluster:${c}:registration` }, gone, 'registration binding gone');
  const terminating = await until(client, workRbRef, (o) => !!o?.metadata?.deletionTimestamp, 'work binding terminating');
  expect(terminating?.metadata?.finalizers).toEqual(['cluster.open-cluster-management.io/manifest-work-cleanup']);
  expect(await getOrUndefined(client, { ...RBAC_REFS.clusterRoleBindings, name: `open-cluster-management:managedcluster:${c}` })).toBeDefined();

  // The agent finishes the work: the binding goes with it.
  const workRef = { ...MANIFEST_WORKS, namespace: c, name: 'held' };
  await client.delete(resourcePath(workRef));
  await client.patch(resourcePath(workRef), { metadata: { finalizers: null } }, 'merge');
  await until(client, workRbRef, gone, 'work binding gone after the last work');

  // Accepting again restores everything.
  await setAccepted(client, c, true);
  await until(client, clusterRef(c), accepted('True', 'HubClusterAdminAccepted'), `cluster ${c} accepted again`);
  await until<Obj>(client, crRef, (o) => isDeepStrictEqual(o?.rules, clusterRole(c, true).rules), 'full ClusterRole again');
  await until(client, workRbRef, (o) => !!o && !o.metadata?.deletionTimestamp, 'work binding again');
});

test('built-in cluster sets keep their selectors; set and binding status as OCM', async () => {
  const setRef = (name: string) => ({ ...MANAGED_CLUSTER_SETS, name });
  const dflt = await until<Obj>(client, setRef('default'), (o) => !!o, 'default set');
  expect(dflt?.spec?.clusterSelector).toEqual({ selectorType: 'ExclusiveClusterSetLabel' });
  const global = await until<Obj>(client, setRef('global'), (o) => conditionOf(o, 'ClusterSetEmpty') !== undefined, 'global set with status');
  expect(global?.spec?.clusterSelector).toEqual({ selectorType: 'LabelSelector', labelSelector: {} });

  // A change to a built-in selector is rolled back.
  await client.patch(resourcePath(setRef('global')), { spec: { clusterSelector: { labelSelector: { matchLabels: { a: 'b' } } } } }, 'merge');
  await until<Obj>(client, setRef('global'), (o) => isDeepStrictEqual(o?.spec?.clusterSelector, { selectorType: 'LabelSelector', labelSelector: {} }), 'global selector restored');

  // A label-selector set: empty, then selecting one cluster.
  const key = unique('e2e-sel');
  const s = unique('set');
  await client.create(resourcePath(MANAGED_CLUSTER_SETS), {
    ...TYPE.managedClusterSet,
    metadata: { name: s },
    spec: { clusterSelector: { selectorType: 'LabelSelector', labelSelector: { matchLabels: { [key]: 'yes' } } } },
  });
  const empty = await until(client, setRef(s), (o) => conditionOf(o, 'ClusterSetEmpty')?.status === 'True', 'new set empty');
  expect(conditionOf(empty, 'ClusterSetEmpty')).toMatchObject({ reason: 'NoClusterMatched', message: 'No ManagedCluster selected' });
  const c = await newCluster();
  await client.patch(resourcePath(clusterRef(c)), { metadata: { labels: { [key]: 'yes' } } }, 'merge');
  const one = await until(client, setRef(s), (o) => conditionOf(o, 'ClusterSetEmpty')?.status === 'False', 'set selects the cluster');
  expect(conditionOf(one, 'ClusterSetEmpty')).toMatchObject({ reason: 'ClustersSelected', message: '1 ManagedClusters selected' });

  // Bindings: bound to an existing set, not found for a missing one until it appears.
  const ns = unique('bind');
  await client.create(resourcePath(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const bindingRef = (name: string) => ({ ...MANAGED_CLUSTER_SET_BINDINGS, namespace: ns, name });
  const bind = (name: string) =>
    client.create(resourcePath({ ...MANAGED_CLUSTER_SET_BINDINGS, namespace: ns }), { ...TYPE.managedClusterSetBinding, metadata: { name, namespace: ns }, spec: { clusterSet: name } });
  await bind('default');
  const bound = await until(client, bindingRef('default'), (o) => conditionOf(o, 'Bound') !== undefined, 'binding status');
  expect(conditionOf(bound, 'Bound')).toMatchObject({ status: 'True', reason: 'ClusterSetBound' });
  const later = unique('later');
  await bind(later);
  const missing = await until(client, bindingRef(later), (o) => conditionOf(o, 'Bound') !== undefined, 'binding status');
  expect(conditionOf(missing, 'Bound')).toMatchObject({ status: 'False', reason: 'ClusterSetNotFound' });
  await client.create(resourcePath(MANAGED_CLUSTER_SETS), { ...TYPE.managedClusterSet, metadata: { name: later }, spec: {} });
  await until(client, bindingRef(later), (o) => conditionOf(o, 'Bound')?.status === 'True', 'bound once the set exists');

  await client.delete(resourcePath({ ...NAMESPACES, name: ns }));
  for (const name of [s, later]) await client.delete(resourcePath(setRef(name)));
});

test('an accept that cannot complete reports False Error with the cause, and recovers by itself', async () => {
  const c = unique('mc');
  clusters.push(c);
  // A namespace stuck Terminating: nothing new may be created in it.
  await client.create(resourcePath(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: c, finalizers: ['e2e.ocmadm.io/hold'] } });
  await client.delete(resourcePath({ ...NAMESPACES, name: c }));
  await until(client, { ...NAMESPACES, name: c }, (o) => (o?.status as { phase?: string })?.phase === 'Terminating', 'namespace terminating');
  await createCluster(client, c);
  await setAccepted(client, c, true);
  const waiting = `namespace ${c} is being deleted; the accept completes once it is gone`;
  await until(client, clusterRef(c), (o) => accepted('False', 'Error')(o) && conditionOf(o, 'HubAcceptedManagedCluster')?.message === waiting, 'accept failed');

  // Once the namespace is gone the controller recreates it and completes the accept.
  await client.patch(resourcePath({ ...NAMESPACES, name: c }), { metadata: { finalizers: null } }, 'merge');
  await until(client, clusterRef(c), accepted('True', 'HubClusterAdminAccepted'), 'accepted after recovery');
  const ns = await until<Obj>(client, { ...NAMESPACES, name: c }, (o) => !!o && !o.metadata?.deletionTimestamp, 'namespace recreated');
  expect(ns?.metadata?.labels?.['open-cluster-management.io/cluster-name']).toBe(c);
});

test('an empty set label counts as none (default), an explicit set is kept', async () => {
  const empty = unique('mc');
  const mine = unique('mc');
  clusters.push(empty, mine);
  await client.create(resourcePath(MANAGED_CLUSTERS), { ...TYPE.managedCluster, metadata: { name: empty, labels: { 'cluster.open-cluster-management.io/clusterset': '' } }, spec: {} });
  await client.create(resourcePath(MANAGED_CLUSTERS), { ...TYPE.managedCluster, metadata: { name: mine, labels: { 'cluster.open-cluster-management.io/clusterset': 'gpu' } }, spec: {} });
  await until(client, clusterRef(empty), (o) => o?.metadata?.labels?.['cluster.open-cluster-management.io/clusterset'] === 'default', 'empty label defaulted');
  // Processed (finalizer added) and still in its own set.
  const kept = await until(client, clusterRef(mine), (o) => !!o?.metadata?.finalizers?.includes('cluster.open-cluster-management.io/resource-cleanup'), 'explicit-set cluster processed');
  expect(kept?.metadata?.labels?.['cluster.open-cluster-management.io/clusterset']).toBe('gpu');
});
