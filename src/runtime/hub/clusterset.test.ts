import type { ManagedCluster, ManagedClusterSet } from '../../api/index.js';
import { boundCondition, builtInSelectorPatch, emptyCondition, hasBuiltInSelector, inClusterSet } from './clusterset.js';

const set = (name: string, clusterSelector?: NonNullable<ManagedClusterSet['spec']>['clusterSelector']): ManagedClusterSet => ({
  apiVersion: 'cluster.open-cluster-management.io/v1beta2',
  kind: 'ManagedClusterSet',
  metadata: { name },
  spec: clusterSelector ? { clusterSelector } : {},
});
const cluster = (labels: Record<string, string>): ManagedCluster => ({ apiVersion: 'cluster.open-cluster-management.io/v1', kind: 'ManagedCluster', metadata: { name: 'c', labels } });

describe('built-in cluster sets', () => {
  test('default is exclusive-label, global selects everything', () => {
    expect(hasBuiltInSelector('default', { selectorType: 'ExclusiveClusterSetLabel' })).toBe(true);
    expect(hasBuiltInSelector('default', undefined)).toBe(true);
    expect(hasBuiltInSelector('default', { selectorType: 'LabelSelector', labelSelector: {} })).toBe(false);
    expect(hasBuiltInSelector('global', { selectorType: 'LabelSelector', labelSelector: {} })).toBe(true);
    expect(hasBuiltInSelector('global', { selectorType: 'LabelSelector', labelSelector: { matchLabels: { a: 'b' } } })).toBe(false);
    expect(hasBuiltInSelector('global', { selectorType: 'ExclusiveClusterSetLabel' })).toBe(false);
    expect(hasBuiltInSelector('mine', { selectorType: 'LabelSelector', labelSelector: { matchLabels: { a: 'b' } } })).toBe(true);
  });

  test('the restoring merge patch clears what a user added', () => {
    expect(builtInSelectorPatch('global')).toEqual({ clusterSelector: { selectorType: 'LabelSelector', labelSelector: { matchLabels: null, matchExpressions: null } } });
    expect(builtInSelectorPatch('default')).toEqual({ clusterSelector: { selectorType: 'ExclusiveClusterSetLabel', labelSelector: null } });
  });
});

describe('membership and status', () => {
  test('exclusive sets select by the clusterset label; selector sets by labels', () => {
    const label = 'cluster.open-cluster-management.io/clusterset';
    expect(inClusterSet(set('default'), cluster({ [label]: 'default' }))).toBe(true);
    expect(inClusterSet(set('default'), cluster({ [label]: 'other' }))).toBe(false);
    expect(inClusterSet(set('global', { selectorType: 'LabelSelector', labelSelector: {} }), cluster({}))).toBe(true);
    expect(inClusterSet(set('gpu', { selectorType: 'LabelSelector', labelSelector: { matchLabels: { gpu: 'yes' } } }), cluster({ gpu: 'no' }))).toBe(false);
  });

  test('ClusterSetEmpty and Bound as OCM words them', () => {
    expect(emptyCondition(0)).toEqual({ type: 'ClusterSetEmpty', status: 'True', reason: 'NoClusterMatched', message: 'No ManagedCluster selected' });
    expect(emptyCondition(3)).toEqual({ type: 'ClusterSetEmpty', status: 'False', reason: 'ClustersSelected', message: '3 ManagedClusters selected' });
    expect(boundCondition(true)).toEqual({ type: 'Bound', status: 'True', reason: 'ClusterSetBound', message: '' });
    expect(boundCondition(false)).toEqual({ type: 'Bound', status: 'False', reason: 'ClusterSetNotFound', message: '' });
  });
});
