/**
 * Placement and ManifestWorkReplicaSet under the hub controller's own ServiceAccount, bound to
 * hubControllerClusterRules() only: decisions are created with an owner reference that blocks
 * owner deletion, statuses are written, works are created, updated and deleted, finalizers added
 * and removed, and no request is refused.
 */
import { resourcePath } from '../../src/kube/resources.js';
import { MANIFEST_WORKS, MANIFEST_WORK_REPLICA_SETS, TYPE, type ManifestWork } from '../../src/api/index.js';
import { Cleanup, hubControllerIdentity } from '../hub/identities.js';
import { gone, hubEnv, unique, until } from '../hub/support.js';
import { addCluster, conditionOf, createPlacement, decisionUntil, errorLines, placementUntil, setLabels, startWorld, stopWorld, type World } from './support.js';

let w: World;
const cleanup = new Cleanup();

beforeAll(async () => {
  const admin = (await hubEnv()).client;
  cleanup.add(() => admin.close());
  const id = await hubControllerIdentity(admin, cleanup);
  w = await startWorld('lp', { kubeconfigFile: id.kubeconfigFile, args: id.args });
});

afterAll(async () => {
  await stopWorld(w);
  await cleanup.run();
});

test('scheduling and a replica set work with only the controller\'s own rules', async () => {
  const id = unique('lp');
  const [a, b] = [`${id}-a`, `${id}-b`];
  await addCluster(w, a, { labels: { [id]: 'on' }, namespace: true });
  await addCluster(w, b, { labels: { [id]: 'on' }, namespace: true });
  await createPlacement(w, 'p', { predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { [id]: 'on' } } } }] });
  await placementUntil(w, 'p', 'AllDecisionsScheduled', (p) => p.status?.numberOfSelectedClusters === 2);
  await decisionUntil(w, 'p-decision-1', [a, b]);

  const ref = { ...MANIFEST_WORK_REPLICA_SETS, namespace: w.ns, name: 's' };
  await w.client.create(resourcePath({ ...MANIFEST_WORK_REPLICA_SETS, namespace: w.ns }), {
    ...TYPE.manifestWorkReplicaSet,
    metadata: { name: 's', namespace: w.ns },
    spec: { manifestWorkTemplate: { workload: { manifests: [] } }, placementRefs: [{ name: 'p' }] },
  });
  await until(w.client, ref, (o) => conditionOf(o as never, 'PlacementVerified')?.reason === 'AsExpected' && (o?.status as { summary?: { total?: number } })?.summary?.total === 2, 'set verified');
  const works = () => w.client.list<ManifestWork>(resourcePath(MANIFEST_WORKS), { labelSelector: `work.open-cluster-management.io/manifestworkreplicaset=${w.ns}.s` });
  const onB = (await works()).items.find((x) => x.metadata.namespace === b)!;

  // Update (template change) and delete (b leaves) go through too.
  await w.client.patch(resourcePath(ref), { spec: { manifestWorkTemplate: { workload: { manifests: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } }] } } } }, 'merge');
  await until<ManifestWork>(w.client, { ...MANIFEST_WORKS, namespace: b, name: onB.metadata.name! }, (o) => o?.spec?.workload?.manifests?.length === 1, 'work updated');
  await setLabels(w, b, { [id]: null });
  await until(w.client, { ...MANIFEST_WORKS, namespace: b, name: onB.metadata.name! }, gone, 'work deleted');

  await w.client.delete(resourcePath(ref));
  await until(w.client, ref, gone, 'set finalized');
  expect((await works()).items).toEqual([]);
  expect(errorLines(w)).toEqual([]);
});
