import type { KubeObject } from '../../kube/client.js';
import { binding, cluster, labelSet, placement } from '../../../test/hub/placement-fixtures.js';
import type { Informer } from '../core/types.js';
import type { HubInformers } from './deps.js';
import { placementKeyFns } from './placement-keys.js';

/** An informer holding fixed objects (only list/get are read by the key functions). */
function fixed<T extends KubeObject>(items: T[]): Informer<T> {
  return { list: (f?: (o: T) => boolean) => (f ? items.filter(f) : items), get: () => undefined } as unknown as Informer<T>;
}

const inf = {
  clusterSets: fixed([labelSet('prod', { env: 'prod' }), labelSet('dev', { env: 'dev' })]),
  clusterSetBindings: fixed([binding('prod', 'ns1'), binding('dev', 'ns1'), binding('prod', 'ns2')]),
  placements: fixed([
    placement({}, 'all', 'ns1'),
    placement({ clusterSets: ['dev'] }, 'dev-only', 'ns1'),
    placement({}, 'p2', 'ns2'),
    placement({}, 'unbound', 'ns3'),
  ]),
} as unknown as HubInformers;
const keys = placementKeyFns(inf);

describe('which placements a change wakes', () => {
  test('a cluster: placements using a set it is or was in, in namespaces bound to that set', () => {
    expect(keys.cluster(cluster('c', { labels: { env: 'prod' } }), undefined, 'add').sort()).toEqual(['ns1/all', 'ns2/p2']);
    // Moving from prod to dev wakes both sides.
    const moved = keys.cluster(cluster('c', { labels: { env: 'dev' } }), cluster('c', { labels: { env: 'prod' } }), 'update');
    expect(moved.sort()).toEqual(['ns1/all', 'ns1/dev-only', 'ns2/p2']);
  });

  test('a cluster update placement does not read (a condition heartbeat) wakes nobody', () => {
    const before = cluster('c', { labels: { env: 'prod' } });
    const after = { ...before, status: { ...before.status, conditions: [{ type: 'X', status: 'True' as const, reason: 'R', message: '', lastTransitionTime: '2026-01-01T00:00:00Z' }] } };
    expect(keys.cluster(after, before, 'update')).toEqual([]);
    const tainted = { ...before, spec: { taints: [{ key: 'k', effect: 'NoSelect' as const }] } };
    expect(keys.cluster(tainted, before, 'update').sort()).toEqual(['ns1/all', 'ns2/p2']);
  });

  test('a set, a binding, a decision', () => {
    expect(keys.clusterSet(labelSet('dev', {}), undefined, 'update').sort()).toEqual(['ns1/all', 'ns1/dev-only']);
    expect(keys.binding(binding('prod', 'ns2'), undefined, 'add')).toEqual(['ns2/p2']);
    const d = { metadata: { name: 'x-decision-1', namespace: 'ns1', labels: { 'cluster.open-cluster-management.io/placement': 'x' } } };
    expect(keys.decision(d, undefined, 'delete')).toEqual(['ns1/x']);
  });
});
