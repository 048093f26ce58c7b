import { cluster, placement } from '../../../test/hub/placement-fixtures.js';
import { decisionGroups, desiredDecisions, groupLength, misconfiguredCondition, satisfiedCondition } from './placement-decisions.js';

const many = (n: number, prefix = 'c') => Array.from({ length: n }, (_, i) => cluster(`${prefix}${String(i).padStart(3, '0')}`));

describe('decision objects', () => {
  test('at most 100 clusters each, named from 1, sorted by name, labelled with group index and name', () => {
    const { groups } = decisionGroups(placement(), many(250).reverse());
    const { decisions, status } = desiredDecisions('p', groups);
    expect(decisions.map((d) => [d.name, d.clusters.length])).toEqual([
      ['p-decision-1', 100],
      ['p-decision-2', 100],
      ['p-decision-3', 50],
    ]);
    expect(decisions[0]!.clusters[0]).toBe('c000');
    expect(decisions[2]!.labels).toEqual({
      'cluster.open-cluster-management.io/placement': 'p',
      'cluster.open-cluster-management.io/decision-group-index': '0',
      'cluster.open-cluster-management.io/decision-group-name': '',
    });
    expect(status).toEqual([{ decisionGroupIndex: 0, decisionGroupName: '', decisions: ['p-decision-1', 'p-decision-2', 'p-decision-3'], clusterCount: 250 }]);
  });

  test('nothing chosen still gives one empty decision', () => {
    const { decisions, status } = desiredDecisions('p', decisionGroups(placement(), []).groups);
    expect(decisions).toEqual([expect.objectContaining({ name: 'p-decision-1', clusters: [] })]);
    expect(status).toEqual([{ decisionGroupIndex: 0, decisionGroupName: '', decisions: ['p-decision-1'], clusterCount: 0 }]);
  });

  test('named groups take their matches first; the rest is split by clustersPerDecisionGroup', () => {
    const cs = [cluster('a', { labels: { canary: 'true' } }), cluster('b'), cluster('c'), cluster('d', { labels: { canary: 'true' } }), cluster('e')];
    const p = placement({
      decisionStrategy: { groupStrategy: { clustersPerDecisionGroup: '40%', decisionGroups: [{ groupName: 'canary', groupClusterSelector: { labelSelector: { matchLabels: { canary: 'true' } } } }] } },
    });
    const { groups } = decisionGroups(p, cs);
    expect(groups).toEqual([
      { name: 'canary', clusters: ['a', 'd'] },
      { name: '', clusters: ['b', 'c'] },
      { name: '', clusters: ['e'] },
    ]);
    const { decisions } = desiredDecisions('p', groups);
    expect(decisions.map((d) => [d.name, d.labels['cluster.open-cluster-management.io/decision-group-index'], d.labels['cluster.open-cluster-management.io/decision-group-name']])).toEqual([
      ['p-decision-1', '0', 'canary'],
      ['p-decision-2', '1', ''],
      ['p-decision-3', '2', ''],
    ]);
  });

  test('group length: counts, percentages rounded up, out of range means all; other strings are refused', () => {
    expect(groupLength(3, 10)).toEqual({ length: 3 });
    expect(groupLength('25%', 10)).toEqual({ length: 3 });
    expect(groupLength(0, 10)).toEqual({ length: 10 });
    expect(groupLength(20, 10)).toEqual({ length: 10 });
    expect(groupLength('3', 10).error).toBe('3 invalid type: string is not a percentage');
  });
});

describe('conditions', () => {
  const base = { clusterSetsInSpec: [], eligibleSets: ['a', 'b'], bindings: 2, available: 3, chosen: 3, unscheduled: 0 };
  test('PlacementSatisfied reasons in OCM order', () => {
    expect(satisfiedCondition({ ...base, bindings: 0 })).toMatchObject({ status: 'False', reason: 'NoManagedClusterSetBindings' });
    expect(satisfiedCondition({ ...base, clusterSetsInSpec: ['x', 'y'], eligibleSets: [] })).toEqual({
      type: 'PlacementSatisfied',
      status: 'False',
      reason: 'NoIntersection',
      message: 'None of ManagedClusterSets [x,y] is bound to placement namespace',
    });
    expect(satisfiedCondition({ ...base, available: 0 })).toMatchObject({ reason: 'AllManagedClusterSetsEmpty', message: 'All ManagedClusterSets [a,b] have no member ManagedCluster' });
    expect(satisfiedCondition({ ...base, chosen: 0 })).toMatchObject({ reason: 'NoManagedClusterMatched' });
    expect(satisfiedCondition({ ...base, unscheduled: 2 })).toMatchObject({ status: 'False', reason: 'NotAllDecisionsScheduled', message: '2 cluster decisions unscheduled' });
    expect(satisfiedCondition(base)).toEqual({ type: 'PlacementSatisfied', status: 'True', reason: 'AllDecisionsScheduled', message: 'All cluster decisions scheduled' });
  });

  test('PlacementMisconfigured', () => {
    expect(misconfiguredCondition(undefined)).toEqual({ type: 'PlacementMisconfigured', status: 'False', reason: 'Succeedconfigured', message: 'Placement configurations check pass' });
    expect(misconfiguredCondition('x:y')).toEqual({ type: 'PlacementMisconfigured', status: 'True', reason: 'Misconfigured', message: 'x:y' });
  });
});
