import { binding, cluster, labelSet, placement } from '../../../test/hub/placement-fixtures.js';
import {
  clustersOfSets,
  eligibleClusterSets,
  filterByPredicates,
  filterByTaints,
  predicatesError,
  taintVerdict,
  tolerationsError,
} from './placement-select.js';
import * as placementCel from './placement-cel.js';

const UNREACHABLE = 'cluster.open-cluster-management.io/unreachable';
const names = (cs: { metadata: { name?: string } }[]) => cs.map((c) => c.metadata.name);

describe('eligible sets and clusters', () => {
  test('bindings to existing sets only, intersected with spec.clusterSets', () => {
    const exists = (s: string) => s !== 'gone';
    const bs = [binding('a'), binding('b'), binding('gone')];
    expect(eligibleClusterSets(placement(), bs, exists)).toEqual(['a', 'b']);
    expect(eligibleClusterSets(placement({ clusterSets: ['b', 'c', 'gone'] }), bs, exists)).toEqual(['b']);
    expect(eligibleClusterSets(placement({ clusterSets: ['c'] }), bs, exists)).toEqual([]);
  });

  test('members of several sets appear once; deleting clusters are left out', () => {
    const sets = [labelSet('x', { env: 'prod' }), labelSet('y', { zone: 'eu' })];
    const cs = [cluster('c2', { labels: { env: 'prod', zone: 'eu' } }), cluster('c1', { labels: { zone: 'eu' } }), cluster('c3', { labels: { env: 'prod' }, deleting: true })];
    expect(names(clustersOfSets(sets, cs))).toEqual(['c1', 'c2']);
  });
});

describe('predicates', () => {
  const cs = [
    cluster('a', { labels: { env: 'prod' }, claims: { region: 'eu' } }),
    cluster('b', { labels: { env: 'dev' }, claims: { region: 'us' } }),
    cluster('c', { labels: {} }),
  ];

  test('no predicate keeps all; several are ORed; label and claim selectors are ANDed', () => {
    expect(names(filterByPredicates(placement(), cs))).toEqual(['a', 'b', 'c']);
    const p = placement({
      predicates: [
        { requiredClusterSelector: { labelSelector: { matchLabels: { env: 'prod' } }, claimSelector: { matchExpressions: [{ key: 'region', operator: 'In', values: ['us'] }] } } },
        { requiredClusterSelector: { claimSelector: { matchExpressions: [{ key: 'region', operator: 'In', values: ['us'] }] } } },
      ],
    });
    expect(names(filterByPredicates(p, cs))).toEqual(['b']);
    const notProd = placement({ predicates: [{ requiredClusterSelector: { labelSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] } } }] });
    expect(names(filterByPredicates(notProd, cs))).toEqual(['b', 'c']);
  });

  test('invalid selectors and CEL are misconfigurations', () => {
    expect(predicatesError(placement({ predicates: [{ requiredClusterSelector: { labelSelector: { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] } } }] }))).toMatch(/^Predicate:values: Required value/);
    expect(predicatesError(placement({ predicates: [{ requiredClusterSelector: { claimSelector: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] } } }] }))).toMatch(/Forbidden/);
    expect(predicatesError(placement({ predicates: [{ requiredClusterSelector: { celSelector: { celExpressions: ['true'] } } }] }), placementCel)).toBeUndefined();
    expect(predicatesError(placement({ predicates: [{}, { requiredClusterSelector: { celSelector: { celExpressions: ['true', 'managedCluster.metadata.name =='] } } }] }), placementCel)).toMatch(
      /^Predicate:predicates\[1\]\.requiredClusterSelector\.celSelector\.celExpressions\[1\]: compilation failed: 1:\d+: /,
    );
    expect(predicatesError(placement({ predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { a: 'b' } } } }] }))).toBeUndefined();
  });
});

describe('taints and tolerations', () => {
  const now = Date.parse('2026-11-23T10:00:00Z');
  const added = '2026-11-23T09:59:30Z';
  const tainted = (effect: 'NoSelect' | 'PreferNoSelect' | 'NoSelectIfNew', value?: string) => cluster('t', { taints: [{ key: UNREACHABLE, effect, timeAdded: added, ...(value ? { value } : {}) }] });

  test('NoSelect filters unless tolerated; PreferNoSelect never; NoSelectIfNew only new clusters', () => {
    expect(taintVerdict(tainted('NoSelect'), [], false, now)).toEqual({ tolerated: false });
    expect(taintVerdict(tainted('NoSelect'), [{ key: UNREACHABLE, operator: 'Exists' }], false, now)).toEqual({ tolerated: true, until: undefined });
    expect(taintVerdict(tainted('PreferNoSelect'), [], false, now).tolerated).toBe(true);
    expect(taintVerdict(tainted('NoSelectIfNew'), [], false, now).tolerated).toBe(false);
    expect(taintVerdict(tainted('NoSelectIfNew'), [], true, now).tolerated).toBe(true);
  });

  test('Equal compares values; an empty key with Exists tolerates everything; effect must match when set', () => {
    expect(taintVerdict(tainted('NoSelect', 'v'), [{ key: UNREACHABLE, operator: 'Equal', value: 'v' }], false, now).tolerated).toBe(true);
    expect(taintVerdict(tainted('NoSelect', 'v'), [{ key: UNREACHABLE, value: 'w' }], false, now).tolerated).toBe(false);
    expect(taintVerdict(tainted('NoSelect'), [{ operator: 'Exists' }], false, now).tolerated).toBe(true);
    expect(taintVerdict(tainted('NoSelect'), [{ operator: 'Exists', effect: 'PreferNoSelect' }], false, now).tolerated).toBe(false);
  });

  test('tolerationSeconds lasts until timeAdded + seconds, and says when', () => {
    const tol = [{ key: UNREACHABLE, operator: 'Exists' as const, tolerationSeconds: 60 }];
    const until = Date.parse(added) + 60_000;
    expect(taintVerdict(tainted('NoSelect'), tol, false, now)).toEqual({ tolerated: true, until });
    expect(taintVerdict(tainted('NoSelect'), tol, false, until).tolerated).toBe(false);
    // A lapsed toleration does not hide another that still holds.
    expect(taintVerdict(tainted('NoSelect'), [{ ...tol[0]!, tolerationSeconds: 1 }, { key: UNREACHABLE, operator: 'Exists' }], false, now).tolerated).toBe(true);
    // Without timeAdded a timed toleration has already lapsed (Go's zero time).
    expect(taintVerdict(cluster('x', { taints: [{ key: UNREACHABLE, effect: 'NoSelect' }] }), tol, false, now).tolerated).toBe(false);
  });

  test('filterByTaints returns the earliest lapse among the kept clusters', () => {
    const a = cluster('a', { taints: [{ key: UNREACHABLE, effect: 'NoSelect', timeAdded: '2026-11-23T09:59:50Z' }] });
    const b = cluster('b', { taints: [{ key: UNREACHABLE, effect: 'NoSelect', timeAdded: '2026-11-23T09:59:40Z' }] });
    const c = cluster('c');
    const r = filterByTaints([a, b, c], [{ key: UNREACHABLE, operator: 'Exists', tolerationSeconds: 30 }], new Set(), now);
    expect(names(r.clusters)).toEqual(['a', 'b', 'c']);
    expect(r.recheckAt).toBe(Date.parse('2026-11-23T10:00:10Z'));
  });

  test('OCM validation of tolerations', () => {
    expect(tolerationsError([{ operator: 'Equal' }])).toBe('TaintToleration:If the key is empty, operator must be Exists.');
    expect(tolerationsError([{ key: 'k', operator: 'Exists', value: 'v' }])).toBe('TaintToleration:If the operator is Exists, the value should be empty.');
    expect(tolerationsError([{ operator: 'Exists' }])).toBeUndefined();
  });
});
