/**
 * Deleting a ManagedCluster on the real hub: add-ons first, then ManifestWorks tier by tier
 * (cleanup-priority), each step visible in the `Deleting` condition; the agent RBAC stays until
 * the works are gone, then goes; then the finalizers; the namespace stays. The test plays the
 * work agent by holding and releasing finalizers.
 */
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { MANAGED_CLUSTER_ADDONS_V1BETA1, MANIFEST_WORKS, TYPE } from '../../src/api/index.js';
import {
  NAMESPACES,
  RBAC_REFS,
  clusterRef,
  conditionOf,
  createCluster,
  getOrUndefined,
  gone,
  recordVersions,
  setAccepted,
  startHubSuite,
  stopHubSuite,
  unique,
  until,
  type HubProcess,
} from './support.js';

const HOLD = 'e2e.ocmadm.io/agent';
let client: KubeClient;
let ctl: HubProcess;
const clusters: string[] = [];

beforeAll(async () => {
  ({ client, ctl } = await startHubSuite());
});

afterAll(() => stopHubSuite(ctl, client, clusters));

const release = (ref: { group: string; version: string; resource: string; namespace: string; name: string }) =>
  client.patch(resourcePath(ref), { metadata: { finalizers: null } }, 'merge');

test('deletion removes add-ons, then works by priority, then RBAC, then finalizers; the namespace stays', async () => {
  const c = unique('gc');
  clusters.push(c);
  await createCluster(client, c);
  await setAccepted(client, c, true);
  await until(client, clusterRef(c), (o) => conditionOf(o, 'HubAcceptedManagedCluster')?.status === 'True' && (o?.metadata?.finalizers?.length ?? 0) >= 2, 'accepted with finalizers');
  const workRbRef = { ...RBAC_REFS.roleBindings, namespace: c, name: `open-cluster-management:managedcluster:${c}:work` };
  const crRef = { ...RBAC_REFS.clusterRoles, name: `open-cluster-management:managedcluster:${c}` };
  await until(client, workRbRef, (o) => !!o, 'work binding');

  const addonRef = { ...MANAGED_CLUSTER_ADDONS_V1BETA1, namespace: c, name: 'e2e-addon' };
  await client.create(resourcePath({ ...MANAGED_CLUSTER_ADDONS_V1BETA1, namespace: c }), {
    apiVersion: 'addon.open-cluster-management.io/v1beta1',
    kind: 'ManagedClusterAddOn',
    metadata: { name: 'e2e-addon', namespace: c, finalizers: [HOLD] },
    spec: {},
  });
  const work = (name: string, priority: string, finalizers: string[]) => ({
    ...TYPE.manifestWork,
    metadata: { name, namespace: c, finalizers, annotations: { 'open-cluster-management.io/cleanup-priority': priority } },
    spec: { workload: { manifests: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } }] } },
  });
  const workRef = (name: string) => ({ ...MANIFEST_WORKS, namespace: c, name });
  await client.create(resourcePath({ ...MANIFEST_WORKS, namespace: c }), work('first', '10', [HOLD]));
  await client.create(resourcePath({ ...MANIFEST_WORKS, namespace: c }), work('last', '50', []));

  const history = recordVersions(client, clusterRef(c));
  await client.delete(resourcePath(clusterRef(c)));

  // 1. Add-ons first: works untouched while an add-on remains.
  const step1 = await until(client, clusterRef(c), (o) => conditionOf(o, 'Deleting')?.message?.includes('managedclusteraddons') === true, 'add-ons remaining');
  expect(conditionOf(step1, 'Deleting')).toMatchObject({ status: 'False', reason: 'ResourceRemaining' });
  await until(client, addonRef, (o) => !!o?.metadata?.deletionTimestamp, 'add-on deleting');
  for (const w of ['first', 'last']) expect((await getOrUndefined<KubeObject>(client, workRef(w)))?.metadata?.deletionTimestamp).toBeUndefined();
  await release(addonRef);

  // 2. Works, lowest cleanup-priority first; RBAC still there for the agent to finish them.
  const step2 = await until(client, clusterRef(c), (o) => conditionOf(o, 'Deleting')?.message?.includes('manifestworks') === true, 'works remaining');
  expect(conditionOf(step2, 'Deleting')?.message).toBe('The resource manifestworks is remaining, the remaining count is 2, the finalizer pending count is 1');
  await until(client, workRef('first'), (o) => !!o?.metadata?.deletionTimestamp, 'priority 10 work deleting');
  expect((await getOrUndefined<KubeObject>(client, workRef('last')))?.metadata?.deletionTimestamp).toBeUndefined();
  expect(await getOrUndefined(client, crRef)).toBeDefined();
  expect((await getOrUndefined<KubeObject>(client, workRbRef))?.metadata?.deletionTimestamp).toBeUndefined();
  await release(workRef('first'));
  await until(client, workRef('last'), gone, 'priority 50 work deleted after the first tier');

  // 3. No resources left, then the RBAC goes, then the cluster (finalizers removed).
  await until(client, clusterRef(c), gone, 'cluster gone');
  await history.until(gone);
  history.stop();
  // A deleting object whose last finalizer went is gone, whether or not a MODIFIED came first.
  const steps = history.versions.map((v) => (v?.metadata?.finalizers?.length ? `${conditionOf(v, 'Deleting')?.reason ?? '-'}:${v.metadata.finalizers.length}` : 'gone'));
  const distinct = steps.filter((s, i) => s !== steps[i - 1]);
  // ResourceRemaining (add-ons, then works), NoResource with finalizers still on, then gone.
  expect(distinct.slice(-2)).toEqual(['NoResource:2', 'gone']);
  expect(distinct).toContain('ResourceRemaining:2');
  for (const ref of [
    crRef,
    { ...RBAC_REFS.clusterRoleBindings, name: `open-cluster-management:managedcluster:${c}` },
    { ...RBAC_REFS.roleBindings, namespace: c, name: `open-cluster-management:managedcluster:${c}:registration` },
    workRbRef,
  ]) {
    expect([ref.name, await getOrUndefined(client, ref)]).toEqual([ref.name, undefined]);
  }
  expect(await getOrUndefined(client, { ...NAMESPACES, name: c })).toBeDefined();

  // The order the controller logged matches: cleanup finished only after the works were gone.
  const finished = ctl.logs.findIndex((l) => l.msg === 'cluster cleanup finished, finalizers removed' && l.cluster === c);
  expect(finished).toBeGreaterThanOrEqual(0);
  await client.delete(resourcePath({ ...NAMESPACES, name: c }));
});
