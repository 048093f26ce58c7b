import type { AddOnPlacementScore } from '../../api/index.js';
import { cluster, placement } from '../../../test/hub/placement-fixtures.js';
import * as placementCel from './placement-cel.js';
import { filterByPredicates as filterWith, predicatesError } from './placement-select.js';

const { celPredicates, celSelectorError } = placementCel;

/** The controller's call: the CEL module given, as it loads it for placements with expressions. */
const filterByPredicates = (p: Parameters<typeof filterWith>[0], clusters: Parameters<typeof filterWith>[1], scores?: Parameters<typeof filterWith>[2]) => filterWith(p, clusters, scores, placementCel);

const names = (cs: { metadata: { name?: string } }[]) => cs.map((c) => c.metadata.name);
const cs = [
  cluster('a', { labels: { env: 'prod', version: '1.30.2' }, claims: { 'platform.open-cluster-management.io': 'AWS' }, allocatable: { cpu: '8' } }),
  cluster('b', { labels: { env: 'dev', version: '1.29.0' }, claims: { 'platform.open-cluster-management.io': 'GCP' } }),
  cluster('c'),
];
const cel = (...celExpressions: string[]) => placement({ predicates: [{ requiredClusterSelector: { celSelector: { celExpressions } } }] });
const score = (clusterName: string, scores: { name: string; value: number }[]): AddOnPlacementScore =>
  ({ apiVersion: 'cluster.open-cluster-management.io/v1alpha1', kind: 'AddOnPlacementScore', metadata: { name: 'usage', namespace: clusterName }, status: { scores } }) as AddOnPlacementScore;

describe('celSelector', () => {
  test('managedCluster: labels, claims, status; every expression must hold', () => {
    expect(names(filterByPredicates(cel('managedCluster.metadata.labels["env"] == "prod"'), cs))).toEqual(['a']);
    expect(names(filterByPredicates(cel('managedCluster.status.clusterClaims.exists(c, c.name == "platform.open-cluster-management.io" && c.value in ["AWS", "GCP"])'), cs))).toEqual(['a', 'b']);
    expect(names(filterByPredicates(cel('managedCluster.metadata.labels.version.startsWith("1.")', 'managedCluster.metadata.labels["env"] != "prod"'), cs))).toEqual(['b']);
    expect(names(filterByPredicates(cel('has(managedCluster.status.allocatable) && managedCluster.status.allocatable.cpu == "8"'), cs))).toEqual(['a']);
  });

  test('an evaluation error or a non-bool result does not select the cluster', () => {
    // c has no labels: the lookup fails for it only.
    expect(names(filterByPredicates(cel('managedCluster.metadata.labels.env.endsWith("v")'), cs))).toEqual(['b']);
    expect(names(filterByPredicates(cel('managedCluster.metadata.name'), cs))).toEqual([]);
  });

  test('CEL is ANDed with the label selector of the same predicate; predicates are ORed', () => {
    const p = placement({
      predicates: [
        { requiredClusterSelector: { labelSelector: { matchLabels: { env: 'prod' } }, celSelector: { celExpressions: ['managedCluster.metadata.name == "b"'] } } },
        { requiredClusterSelector: { celSelector: { celExpressions: ['managedCluster.metadata.name == "c"'] } } },
      ],
    });
    expect(names(filterByPredicates(p, cs))).toEqual(['c']);
  });

  test('managedCluster.scores(name): the AddOnPlacementScore in the cluster namespace; a missing one fails', () => {
    const lookup = (c: string, n: string) => (n !== 'usage' ? undefined : c === 'a' ? score('a', [{ name: 'cpu', value: 70 }]) : c === 'b' ? score('b', [{ name: 'cpu', value: 20 }]) : undefined);
    const p = cel('managedCluster.scores("usage").filter(s, s.name == "cpu").all(s, s.value > 50)');
    expect(names(filterByPredicates(p, cs, lookup))).toEqual(['a']);
    expect(names(filterByPredicates(cel('size(managedCluster.scores("usage")) == 1'), cs, lookup))).toEqual(['a', 'b']);
    expect(celPredicates(cel('size(managedCluster.scores("other")) == 0'), lookup)(0, cs[0]!)).toBe(false);
  });

  test('the Kubernetes CEL libraries and OCM parseJSON: semver labels, allocatable quantities, JSON claims', () => {
    const gpu = cluster('g', { claims: { gpus: '{"H100": 4, "A100": 2}' }, allocatable: { memory: '64Gi' } });
    const all = [...cs, gpu];
    expect(names(filterByPredicates(cel('semver(managedCluster.metadata.labels.version).isGreaterThan(semver("1.30.0"))'), all))).toEqual(['a']);
    expect(names(filterByPredicates(cel("quantity(managedCluster.status.allocatable.memory).isGreaterThan(quantity('32Gi'))"), all))).toEqual(['g']);
    expect(names(filterByPredicates(cel('managedCluster.status.clusterClaims.exists(c, c.name == "gpus" && c.value.parseJSON().H100 >= 4.0)'), all))).toEqual(['g']);
    // A claim that is not JSON is an evaluation error: not selected.
    expect(names(filterByPredicates(cel('managedCluster.status.clusterClaims.exists(c, c.value.parseJSON() == 1.0)'), all))).toEqual([]);
  });

  test('an expression that does not compile is named with its position', () => {
    expect(celSelectorError(cel('managedCluster.metadata.labels["env"] == "prod"'))).toBeUndefined();
    expect(celSelectorError(cel('true', 'managedCluster.metadata.labels[ == 1'))).toBe(
      'Predicate:predicates[0].requiredClusterSelector.celSelector.celExpressions[1]: compilation failed: 1:31: found [ but expecting end of input',
    );
    expect(celSelectorError(cel('cluster.metadata.name == "a"'))).toBe("Predicate:predicates[0].requiredClusterSelector.celSelector.celExpressions[0]: compilation failed: 1:1: undeclared reference 'cluster'");
    expect(celSelectorError(cel('managedCluster.metadata.name.toSemver() == 1'))).toMatch(/1:\d+: undeclared reference to function 'toSemver'$/);
  });
});

test('a placement with CEL expressions is refused without the CEL module, not silently unfiltered', () => {
  const p = placement({ predicates: [{ requiredClusterSelector: { celSelector: { celExpressions: ['true'] } } }] });
  expect(() => filterWith(p, cs)).toThrow('needs placement-cel.ts');
  expect(() => predicatesError(p)).toThrow('needs placement-cel.ts');
  expect(predicatesError(p, placementCel)).toBeUndefined();
});
