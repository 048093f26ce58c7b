import { cluster, placement } from '../../../test/hub/placement-fixtures.js';
import { allocatableScores, balanceScores, prioritizerWeights, selectClusters, steadyScores, totalScores } from './placement-score.js';

const cs = ['a', 'b', 'c', 'd'].map((n) => cluster(n));
const obj = (m: Map<string, number>) => Object.fromEntries(m);

describe('prioritizers', () => {
  test('Balance: 100 when no other placement chose it, normalised by the busiest cluster', () => {
    const counts = new Map([['a', 4], ['b', 2], ['c', 1]]);
    // usage 1 → -100, 0.5 → 0, 0.25 → trunc(25)·2 = 50, unchosen → 100.
    expect(obj(balanceScores(cs, counts))).toEqual({ a: -100, b: 0, c: 50, d: 100 });
    expect(obj(balanceScores(cs, new Map()))).toEqual({ a: 100, b: 100, c: 100, d: 100 });
    // Truncation toward zero as Go's int64() of a float: usage 1/3 → trunc(16.67)·2 = 32.
    expect(balanceScores([cluster('x')], new Map([['x', 1], ['y', 3]])).get('x')).toBe(32);
  });

  test('Steady: 100 for clusters already decided', () => {
    expect(obj(steadyScores(cs, new Set(['b'])))).toEqual({ a: 0, b: 100, c: 0, d: 0 });
  });

  test('ResourceAllocatable: min → -100, max → 100, linear between; only clusters reporting both numbers', () => {
    const rs = [
      cluster('small', { allocatable: { cpu: '2', memory: '4Gi' } }),
      cluster('mid', { allocatable: { cpu: '3500m', memory: '6Gi' } }),
      cluster('big', { allocatable: { cpu: '6', memory: '8Gi' } }),
      cluster('none'),
      cluster('nocap', { allocatable: { cpu: '8' }, capacity: {} }),
    ];
    expect(obj(allocatableScores(rs, 'cpu'))).toEqual({ small: -100, mid: -25, big: 100 });
    expect(obj(allocatableScores(rs, 'memory'))).toEqual({ small: -100, mid: 0, big: 100 });
    expect(obj(allocatableScores([rs[0]!, cluster('same', { allocatable: { cpu: '2' } })], 'cpu'))).toEqual({ small: 100, same: 100 });
  });
});

describe('weights and selection', () => {
  test('Additive starts from Balance 1 and Steady 1; configurations override; Exact uses only them', () => {
    const w = (p: ReturnType<typeof placement>) => Object.fromEntries([...prioritizerWeights(p).weights].map(([k, v]) => [k, v.weight]));
    expect(w(placement())).toEqual({ 'BuiltIn/Balance': 1, 'BuiltIn/Steady': 1 });
    expect(w(placement({ prioritizerPolicy: { configurations: [{ scoreCoordinate: { type: 'BuiltIn', builtIn: 'Steady' }, weight: 3 }, { scoreCoordinate: { type: 'BuiltIn', builtIn: 'ResourceAllocatableCPU' } }] } }))).toEqual({
      'BuiltIn/Balance': 1,
      'BuiltIn/Steady': 3,
      'BuiltIn/ResourceAllocatableCPU': 1,
    });
    expect(w(placement({ prioritizerPolicy: { mode: 'Exact', configurations: [{ scoreCoordinate: { type: 'BuiltIn', builtIn: 'ResourceAllocatableMemory' }, weight: 2 }] } }))).toEqual({
      'BuiltIn/ResourceAllocatableMemory': 2,
    });
  });

  test('unknown built-ins and add-on coordinates without addOn are reported, unless their weight is 0', () => {
    expect(prioritizerWeights(placement({ prioritizerPolicy: { configurations: [{ scoreCoordinate: { type: 'BuiltIn', builtIn: 'Nope' } }] } })).error).toBe('incorrect builtin prioritizer: Nope');
    expect(prioritizerWeights(placement({ prioritizerPolicy: { configurations: [{ scoreCoordinate: { type: 'BuiltIn', builtIn: 'Nope' }, weight: 0 }] } })).error).toBeUndefined();
    expect(prioritizerWeights(placement({ prioritizerPolicy: { configurations: [{ scoreCoordinate: { type: 'AddOn' } }] } })).error).toBe('addOn should not be empty');
    expect(prioritizerWeights(placement({ prioritizerPolicy: { configurations: [{ scoreCoordinate: { type: 'AddOn', addOn: { resourceName: 'r', scoreName: 's' } } }] } })).error).toBeUndefined();
  });

  test('AddOn scores: the named score, 0 when missing or expired; the earliest future validUntil is reported', () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    const score = (value: number, validUntil?: string) => ({ apiVersion: 'x', kind: 'AddOnPlacementScore', metadata: { name: 'r' }, status: { scores: [{ name: 's', value }, { name: 'other', value: 99 }], validUntil } });
    const byCluster: Record<string, ReturnType<typeof score>> = { a: score(40, '2026-11-23T10:05:00Z'), b: score(-20), c: score(90, '2026-11-23T09:00:00Z') };
    const p = placement({ prioritizerPolicy: { mode: 'Exact', configurations: [{ scoreCoordinate: { type: 'AddOn', addOn: { resourceName: 'r', scoreName: 's' } }, weight: 2 }] } });
    const r = totalScores(cs, prioritizerWeights(p).weights, { decided: new Set(), otherDecisionCounts: new Map(), addOnScore: (c, n) => (n === 'r' ? byCluster[c] : undefined), now });
    expect(obj(r.total)).toEqual({ a: 80, b: -40, c: 0, d: 0 });
    expect(r.recheckAt).toBe(Date.parse('2026-11-23T10:05:00Z'));
  });

  test('total = Σ score·weight; sorted by score then name; numberOfClusters cuts', () => {
    const rs = [cluster('a', { allocatable: { cpu: '1' } }), cluster('b', { allocatable: { cpu: '4' } }), cluster('c', { allocatable: { cpu: '4' } })];
    const p = placement({ numberOfClusters: 2, prioritizerPolicy: { mode: 'Exact', configurations: [{ scoreCoordinate: { type: 'BuiltIn', builtIn: 'ResourceAllocatableCPU' }, weight: -2 }] } });
    const { total } = totalScores(rs, prioritizerWeights(p).weights, { decided: new Set(), otherDecisionCounts: new Map() });
    expect(obj(total)).toEqual({ a: 200, b: -200, c: -200 });
    expect(selectClusters(rs, total, 2).map((c) => c.metadata.name)).toEqual(['a', 'b']);
    expect(selectClusters(rs, total, undefined).map((c) => c.metadata.name)).toEqual(['a', 'b', 'c']);
  });

  test('Steady keeps a decided cluster against an equally balanced newcomer', () => {
    const p = placement({ numberOfClusters: 1 });
    const { total } = totalScores(cs, prioritizerWeights(p).weights, { decided: new Set(['c']), otherDecisionCounts: new Map() });
    expect(selectClusters(cs, total, 1).map((c) => c.metadata.name)).toEqual(['c']);
  });
});
