/**
 * Placement scheduling on the real hub: bindings and sets decide what is eligible, predicates
 * (labels and claims) and numberOfClusters decide what is chosen, decisions follow label and
 * membership changes by watch, nothing is rewritten when nothing changed, decision groups are
 * labelled as OCM labels them, and the garbage collector removes decisions with their placement.
 */
import { resourcePath } from '../../src/kube/resources.js';
import { MANAGED_CLUSTER_SETS, MANAGED_CLUSTER_SET_BINDINGS, TYPE, type ManagedClusterSetBinding } from '../../src/api/index.js';
import { gone, unique, until } from '../hub/support.js';
import {
  addCluster,
  bind,
  clustersIn,
  conditionOf,
  createPlacement,
  decisionRef,
  decisionUntil,
  decisionsOf,
  errorLines,
  nextReconcile,
  placementRef,
  placementUntil,
  setLabels,
  startWorld,
  stopWorld,
  type World,
} from './support.js';

let w: World;

beforeAll(async () => {
  w = await startWorld('plc');
});

afterAll(async () => {
  await stopWorld(w);
});

test('only bound, existing sets count: no binding, a binding to a missing set, no intersection, an empty set, then members', async () => {
  const ns2 = unique('plc-unbound');
  await w.client.create(resourcePath({ group: '', version: 'v1', resource: 'namespaces' }), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns2 } });
  w.namespaces.push(ns2);
  await createPlacement(w, 'p', {}, ns2);
  const ref = (name: string) => ({ ...placementRef(w, name), namespace: ns2 });
  await until(w.client, ref('p'), (o) => conditionOf(o as never, 'PlacementSatisfied')?.reason === 'NoManagedClusterSetBindings', 'no bindings');

  // A binding whose set does not exist is not valid (and says so in its Bound condition).
  const missing = unique('plc-missing');
  await bind(w.client, ns2, missing);
  const bindingRef = { ...MANAGED_CLUSTER_SET_BINDINGS, namespace: ns2, name: missing };
  const b = await until<ManagedClusterSetBinding>(w.client, bindingRef, (o) => conditionOf(o, 'Bound')?.reason === 'ClusterSetNotFound', 'binding not bound');
  expect(conditionOf(b, 'Bound')?.status).toBe('False');
  const stillNone = await w.client.get(resourcePath(ref('p')));
  expect(conditionOf(stillNone as never, 'PlacementSatisfied')?.reason).toBe('NoManagedClusterSetBindings');

  // The set appears: bound, but empty.
  await w.client.create(resourcePath(MANAGED_CLUSTER_SETS), {
    ...TYPE.managedClusterSet,
    metadata: { name: missing },
    spec: { clusterSelector: { selectorType: 'LabelSelector', labelSelector: { matchLabels: { [missing]: 'member' } } } },
  });
  try {
    await until(w.client, bindingRef, (o) => conditionOf(o as never, 'Bound')?.reason === 'ClusterSetBound', 'binding bound');
    await until(w.client, ref('p'), (o) => conditionOf(o as never, 'PlacementSatisfied')?.reason === 'AllManagedClusterSetsEmpty', 'set empty');

    // A placement naming another set: no intersection.
    await createPlacement(w, 'other', { clusterSets: ['not-bound-here'] }, ns2);
    const other = await until(w.client, ref('other'), (o) => conditionOf(o as never, 'PlacementSatisfied')?.reason === 'NoIntersection', 'no intersection');
    expect(conditionOf(other as never, 'PlacementSatisfied')?.message).toBe('None of ManagedClusterSets [not-bound-here] is bound to placement namespace');

    // A member arrives: chosen.
    const c = await addCluster(w, unique('plc-m'), { labels: { [missing]: 'member' }, outside: true });
    const p = await until(w.client, ref('p'), (o) => conditionOf(o as never, 'PlacementSatisfied')?.reason === 'AllDecisionsScheduled', 'scheduled');
    expect((p as { status: { numberOfSelectedClusters: number } }).status.numberOfSelectedClusters).toBe(1);
    const d = await until(w.client, { ...decisionRef(w, 'p-decision-1'), namespace: ns2 }, (o) => clustersIn(o as never).includes(c), 'decided');
    expect(clustersIn(d as never)).toEqual([c]);
  } finally {
    await w.client.delete(resourcePath({ ...MANAGED_CLUSTER_SETS, name: missing })).catch(() => undefined);
  }
});

test('an empty decision object exists from the start, owned by the placement, labelled as OCM labels it', async () => {
  await addCluster(w, unique('plc-any'));
  await createPlacement(w, 'empty', { predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { nothing: 'matches' } } } }] });
  const p = await placementUntil(w, 'empty', 'NoManagedClusterMatched');
  const d = await decisionUntil(w, 'empty-decision-1', []);
  expect(d.metadata.labels).toEqual({
    'cluster.open-cluster-management.io/placement': 'empty',
    'cluster.open-cluster-management.io/decision-group-index': '0',
    'cluster.open-cluster-management.io/decision-group-name': '',
  });
  expect(d.metadata.ownerReferences).toEqual([
    { apiVersion: 'cluster.open-cluster-management.io/v1beta1', kind: 'Placement', name: 'empty', uid: p.metadata.uid, controller: true, blockOwnerDeletion: true },
  ]);
  expect(p.status).toMatchObject({ numberOfSelectedClusters: 0, decisionGroups: [{ decisionGroupIndex: 0, decisionGroupName: '', decisions: ['empty-decision-1'], clusterCount: 0 }] });
  expect(conditionOf(p, 'PlacementMisconfigured')).toMatchObject({ status: 'False', reason: 'Succeedconfigured' });
});

test('label and claim predicates, numberOfClusters, and decisions that follow label changes without churn', async () => {
  const id = unique('pred');
  const [a, b, c] = [`${id}-a`, `${id}-b`, `${id}-c`];
  await addCluster(w, a, { labels: { [id]: 'x', env: 'prod' }, claims: { region: 'eu' } });
  await addCluster(w, b, { labels: { [id]: 'x', env: 'prod' }, claims: { region: 'us' } });
  await addCluster(w, c, { labels: { [id]: 'x', env: 'dev' }, claims: { region: 'eu' } });
  await createPlacement(w, 'eu-prod', {
    numberOfClusters: 3,
    predicates: [
      { requiredClusterSelector: { labelSelector: { matchLabels: { [id]: 'x', env: 'prod' } }, claimSelector: { matchExpressions: [{ key: 'region', operator: 'In', values: ['eu'] }] } } },
    ],
  });
  const p = await placementUntil(w, 'eu-prod', 'NotAllDecisionsScheduled');
  expect(conditionOf(p, 'PlacementSatisfied')?.message).toBe('2 cluster decisions unscheduled');
  await decisionUntil(w, 'eu-prod-decision-1', [a]);

  // c becomes prod: chosen; measured from the label write to the decision seen by a watch.
  const t0 = Date.now();
  await setLabels(w, c, { env: 'prod' });
  await decisionUntil(w, 'eu-prod-decision-1', [a, c]);
  const latency = Date.now() - t0;
  process.stderr.write(`placement: label change → decision updated in ${latency} ms\n`);
  expect(latency).toBeLessThan(5_000);

  // Leaving the set takes a cluster out just the same.
  await setLabels(w, a, { [w.set]: null });
  await decisionUntil(w, 'eu-prod-decision-1', [c]);
  const settled = await placementUntil(w, 'eu-prod', 'NotAllDecisionsScheduled', (o) => o.status?.numberOfSelectedClusters === 1);

  // A change placement reads but that changes no answer: a full pass, and nothing written.
  const before = (await decisionsOf(w, 'eu-prod'))[0]!.metadata.resourceVersion;
  const pass = nextReconcile(w, 'placement', `${w.ns}/eu-prod`);
  await setLabels(w, b, { unrelated: 'yes' });
  await pass;
  expect((await decisionsOf(w, 'eu-prod'))[0]!.metadata.resourceVersion).toBe(before);
  const again = await w.client.get(resourcePath(placementRef(w, 'eu-prod')));
  expect(again.metadata!.resourceVersion).toBe(settled.metadata.resourceVersion);
});

test('decision groups: a selector group first, the rest split by clustersPerDecisionGroup', async () => {
  const id = unique('grp');
  const names = ['a', 'b', 'c', 'd'].map((x) => `${id}-${x}`);
  for (const [i, n] of names.entries()) await addCluster(w, n, { labels: { [id]: 'x', ...(i === 3 ? { canary: 'yes' } : {}) } });
  await createPlacement(w, 'grouped', {
    predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { [id]: 'x' } } } }],
    decisionStrategy: { groupStrategy: { clustersPerDecisionGroup: 2, decisionGroups: [{ groupName: 'canary', groupClusterSelector: { labelSelector: { matchLabels: { canary: 'yes' } } } }] } },
  });
  const p = await placementUntil(w, 'grouped', 'AllDecisionsScheduled', (o) => o.status?.numberOfSelectedClusters === 4);
  expect(p.status!.decisionGroups).toEqual([
    { decisionGroupIndex: 0, decisionGroupName: 'canary', decisions: ['grouped-decision-1'], clusterCount: 1 },
    { decisionGroupIndex: 1, decisionGroupName: '', decisions: ['grouped-decision-2'], clusterCount: 2 },
    { decisionGroupIndex: 2, decisionGroupName: '', decisions: ['grouped-decision-3'], clusterCount: 1 },
  ]);
  await decisionUntil(w, 'grouped-decision-3', [names[2]!]);
  const ds = await decisionsOf(w, 'grouped');
  expect(ds.map((d) => [d.metadata.name, d.metadata.labels!['cluster.open-cluster-management.io/decision-group-name'], d.metadata.labels!['cluster.open-cluster-management.io/decision-group-index'], clustersIn(d)])).toEqual([
    ['grouped-decision-1', 'canary', '0', [names[3]]],
    ['grouped-decision-2', '', '1', [names[0], names[1]]],
    ['grouped-decision-3', '', '2', [names[2]]],
  ]);

  // Fewer clusters, fewer groups: the surplus object is deleted.
  await setLabels(w, names[2]!, { [id]: null });
  await until(w.client, decisionRef(w, 'grouped-decision-3'), gone, 'surplus decision deleted');
});

test('a misconfigured placement says so and decides nothing', async () => {
  await createPlacement(w, 'bad', { prioritizerPolicy: { configurations: [{ scoreCoordinate: { type: 'BuiltIn', builtIn: 'NoSuchPrioritizer' }, weight: 1 }] } });
  const p = await until(w.client, placementRef(w, 'bad'), (o) => conditionOf(o as never, 'PlacementMisconfigured')?.status === 'True', 'misconfigured');
  expect(conditionOf(p as never, 'PlacementMisconfigured')).toMatchObject({ reason: 'Misconfigured', message: ':incorrect builtin prioritizer: NoSuchPrioritizer' });
  await decisionUntil(w, 'bad-decision-1', []);
});

test('deleting a placement lets the garbage collector remove its decisions', async () => {
  await createPlacement(w, 'doomed');
  await until(w.client, decisionRef(w, 'doomed-decision-1'), (o) => !!o, 'decision');
  await w.client.delete(resourcePath(placementRef(w, 'doomed')));
  await until(w.client, decisionRef(w, 'doomed-decision-1'), gone, 'decision collected');
  expect(errorLines(w)).toEqual([]);
});
