/**
 * Placement and ManifestWorkReplicaSet over many clusters on the real hub, with the numbers it
 * took printed (the hub controller runs with debug logging, as in every hub suite):
 * - 250 clusters: scheduled into 3 decision objects (100 + 100 + 50), a label change re-packs
 *   them, an unrelated change rewrites none, numberOfClusters 100 deletes the surplus objects;
 * - 40 clusters with namespaces: a ManifestWorkReplicaSet creates its 40 works.
 */
import { resourcePath } from '../../src/kube/resources.js';
import { forEachLimit } from '../../src/runtime/core/limit.js';
import { MANIFEST_WORKS, MANIFEST_WORK_REPLICA_SETS, TYPE, type ManifestWork } from '../../src/api/index.js';
import { gone, unique, until } from '../hub/support.js';
import { addCluster, clustersIn, createPlacement, decisionRef, decisionUntil, decisionsOf, errorLines, nextReconcile, placementRef, placementUntil, setLabels, startWorld, stopWorld, type World } from './support.js';

let w: World;

beforeAll(async () => {
  w = await startWorld('scale');
});

afterAll(async () => {
  await stopWorld(w);
});

const say = (s: string) => process.stderr.write(`scale: ${s}\n`);

test('250 clusters: 3 decision objects, re-packed on a label change, untouched by unrelated changes, trimmed by numberOfClusters', async () => {
  const id = unique('big');
  const names = Array.from({ length: 250 }, (_, i) => `${id}-${String(i).padStart(3, '0')}`);
  let t = Date.now();
  await forEachLimit(names, 8, (n) => addCluster(w, n, { labels: { [id]: 'x' } }));
  say(`created 250 ManagedClusters (with status) in ${Date.now() - t} ms`);

  t = Date.now();
  await createPlacement(w, 'big', { predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { [id]: 'x' } } } }] });
  await placementUntil(w, 'big', 'AllDecisionsScheduled', (p) => p.status?.numberOfSelectedClusters === 250);
  await decisionUntil(w, 'big-decision-3', names.slice(200));
  say(`placement over 250 clusters scheduled (status and 3 decisions written) in ${Date.now() - t} ms`);
  const ds = await decisionsOf(w, 'big');
  expect(ds.map((d) => clustersIn(d).length)).toEqual([100, 100, 50]);
  expect(clustersIn(ds[0]!)).toEqual(names.slice(0, 100));

  // The first cluster leaves: every object shifts by one.
  t = Date.now();
  await setLabels(w, names[0]!, { [id]: null });
  await decisionUntil(w, 'big-decision-3', names.slice(201));
  say(`label change → 3 decisions re-packed in ${Date.now() - t} ms`);
  expect(clustersIn((await decisionsOf(w, 'big'))[0]!)).toEqual(names.slice(1, 101));

  const rvs = (await decisionsOf(w, 'big')).map((d) => d.metadata.resourceVersion);
  const pass = nextReconcile(w, 'placement', `${w.ns}/big`);
  await setLabels(w, names[5]!, { unrelated: 'yes' });
  const line = await pass;
  say(`a no-op pass over 249 clusters took ${String(line.ms)} ms in the controller`);
  expect((await decisionsOf(w, 'big')).map((d) => d.metadata.resourceVersion)).toEqual(rvs);

  await w.client.patch(resourcePath(placementRef(w, 'big')), { spec: { numberOfClusters: 100 } }, 'merge');
  await until(w.client, decisionRef(w, 'big-decision-3'), gone, 'decision 3 deleted');
  await until(w.client, decisionRef(w, 'big-decision-2'), gone, 'decision 2 deleted');
  await placementUntil(w, 'big', 'AllDecisionsScheduled', (p) => p.status?.numberOfSelectedClusters === 100);
  expect(errorLines(w)).toEqual([]);
});

test('a ManifestWorkReplicaSet over 40 clusters creates and summarises 40 works', async () => {
  const id = unique('many');
  const names = Array.from({ length: 40 }, (_, i) => `${id}-${String(i).padStart(2, '0')}`);
  await forEachLimit(names, 8, (n) => addCluster(w, n, { labels: { [id]: 'x' }, namespace: true }));
  await createPlacement(w, 'fleet', { predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { [id]: 'x' } } } }] });
  await placementUntil(w, 'fleet', 'AllDecisionsScheduled', (p) => p.status?.numberOfSelectedClusters === 40);

  const t = Date.now();
  await w.client.create(resourcePath({ ...MANIFEST_WORK_REPLICA_SETS, namespace: w.ns }), {
    ...TYPE.manifestWorkReplicaSet,
    metadata: { name: 'fleet', namespace: w.ns },
    spec: { manifestWorkTemplate: { workload: { manifests: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' } }] } }, placementRefs: [{ name: 'fleet' }] },
  });
  await until(w.client, { ...MANIFEST_WORK_REPLICA_SETS, namespace: w.ns, name: 'fleet' }, (o) => (o?.status as { summary?: { total?: number } } | undefined)?.summary?.total === 40, 'summary of 40');
  const works = await w.client.list<ManifestWork>(resourcePath(MANIFEST_WORKS), { labelSelector: `work.open-cluster-management.io/manifestworkreplicaset=${w.ns}.fleet` });
  say(`ManifestWorkReplicaSet over 40 clusters: ${works.items.length} works created in ${Date.now() - t} ms`);
  expect(new Set(works.items.map((x) => x.metadata.namespace))).toEqual(new Set(names));
  expect(errorLines(w)).toEqual([]);
});
