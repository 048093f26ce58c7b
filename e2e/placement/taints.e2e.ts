/**
 * Taints and tolerations on the real hub. The hub's own taint reconciler turns the agent's
 * Available report into NoSelect taints (unavailable when False, unreachable when Unknown);
 * placements drop such clusters unless they tolerate the taint, and a toleration with
 * tolerationSeconds ends at timeAdded + seconds: the controller requeues for that instant (no
 * polling), which the test checks by when the decision changes.
 */
import { resourcePath } from '../../src/kube/resources.js';
import type { ManagedCluster } from '../../src/api/index.js';
import { clusterRef, unique, until } from '../hub/support.js';
import { addCluster, createPlacement, decisionUntil, reportAvailable, startWorld, stopWorld, type World } from './support.js';

const UNAVAILABLE = 'cluster.open-cluster-management.io/unavailable';
const UNREACHABLE = 'cluster.open-cluster-management.io/unreachable';
let w: World;

beforeAll(async () => {
  w = await startWorld('taint');
});

afterAll(async () => {
  await stopWorld(w);
});

const taintKeys = (c: ManagedCluster | undefined) => (c?.spec?.taints ?? []).map((t) => t.key);
const onlyMine = (id: string) => [{ requiredClusterSelector: { labelSelector: { matchLabels: { [id]: 'x' } } } }];

test('unavailable and unreachable clusters are filtered out unless tolerated, and come back when healthy', async () => {
  const id = unique('tt');
  const [a, b] = [`${id}-a`, `${id}-b`];
  await addCluster(w, a, { labels: { [id]: 'x' } });
  await addCluster(w, b, { labels: { [id]: 'x' } });
  await createPlacement(w, 'strict', { predicates: onlyMine(id) });
  await createPlacement(w, 'tolerant', { predicates: onlyMine(id), tolerations: [{ key: UNAVAILABLE, operator: 'Exists' }] });
  await decisionUntil(w, 'strict-decision-1', [a, b]);

  await reportAvailable(w, b, 'False');
  await until<ManagedCluster>(w.client, clusterRef(b), (o) => taintKeys(o).includes(UNAVAILABLE), 'unavailable taint');
  await decisionUntil(w, 'strict-decision-1', [a]);
  await decisionUntil(w, 'tolerant-decision-1', [a, b]);

  // Unknown: the hub taints it unreachable, which `tolerant` does not tolerate either.
  await reportAvailable(w, b, 'Unknown');
  await until<ManagedCluster>(w.client, clusterRef(b), (o) => taintKeys(o).join() === UNREACHABLE, 'unreachable taint');
  await decisionUntil(w, 'tolerant-decision-1', [a]);

  await reportAvailable(w, b, 'True');
  await decisionUntil(w, 'strict-decision-1', [a, b]);
  await decisionUntil(w, 'tolerant-decision-1', [a, b]);
});

test('tolerationSeconds keeps a tainted cluster until timeAdded + seconds, then drops it on time', async () => {
  const id = unique('ts');
  const c = await addCluster(w, `${id}-c`, { labels: { [id]: 'x' } });
  await createPlacement(w, 'timed', { predicates: onlyMine(id), tolerations: [{ key: UNREACHABLE, operator: 'Exists', tolerationSeconds: 4 }] });
  await decisionUntil(w, 'timed-decision-1', [c]);

  await reportAvailable(w, c, 'Unknown');
  const tainted = await until<ManagedCluster>(w.client, clusterRef(c), (o) => taintKeys(o).includes(UNREACHABLE), 'unreachable taint');
  const expiry = Date.parse(tainted!.spec!.taints!.find((t) => t.key === UNREACHABLE)!.timeAdded!) + 4_000;
  // Still decided while tolerated.
  const during = await w.client.get(resourcePath({ group: 'cluster.open-cluster-management.io', version: 'v1beta1', resource: 'placementdecisions', namespace: w.ns, name: 'timed-decision-1' }));
  expect((during as { status?: { decisions?: { clusterName: string }[] } }).status?.decisions?.map((d) => d.clusterName)).toEqual([c]);

  await decisionUntil(w, 'timed-decision-1', [], 30_000);
  const late = Date.now() - expiry;
  process.stderr.write(`placement: timed toleration lapsed, decision updated ${late} ms after timeAdded + tolerationSeconds\n`);
  expect(late).toBeGreaterThanOrEqual(0);
  expect(late).toBeLessThan(2_000);
});
