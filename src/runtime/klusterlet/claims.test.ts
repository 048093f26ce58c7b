import type { ClusterClaim } from '../../api/index.js';
import { clusterClaimsForStatus, isReservedClaim } from './claims.js';
import { sumNodeResources, type NodeLike } from './node-resources.js';

const claim = (name: string, value = `v-${name}`, labels?: Record<string, string>): ClusterClaim =>
  ({ apiVersion: 'cluster.open-cluster-management.io/v1alpha1', kind: 'ClusterClaim', metadata: { name, labels }, spec: { value } }) as ClusterClaim;

describe('cluster claims', () => {
  test('reserved names first, sorted; then custom claims, sorted', () => {
    const got = clusterClaimsForStatus([
      claim('zeta.example'),
      claim('product.open-cluster-management.io'),
      claim('alpha.example'),
      claim('id.k8s.io'),
      claim('kubeversion.open-cluster-management.io'),
    ]);
    expect(got.claims.map((c) => c.name)).toEqual([
      'id.k8s.io',
      'kubeversion.open-cluster-management.io',
      'product.open-cluster-management.io',
      'alpha.example',
      'zeta.example',
    ]);
    expect(got.claims[0]).toEqual({ name: 'id.k8s.io', value: 'v-id.k8s.io' });
    expect(got.truncated).toBe(0);
  });

  test('spoke-only claims are not reported, whatever the label value', () => {
    const got = clusterClaimsForStatus([claim('a', 'x', { 'open-cluster-management.io/spoke-only': '' }), claim('b')]);
    expect(got.claims.map((c) => c.name)).toEqual(['b']);
  });

  test('at most 20 custom claims (the first 20 by name); reserved ones are never cut', () => {
    const custom = Array.from({ length: 25 }, (_, i) => claim(`c${String(i).padStart(2, '0')}.example`));
    const got = clusterClaimsForStatus([...custom.reverse(), claim('id.k8s.io'), claim('platform.open-cluster-management.io')]);
    expect(got.claims).toHaveLength(22);
    expect(got.claims.slice(0, 2).map((c) => c.name)).toEqual(['id.k8s.io', 'platform.open-cluster-management.io']);
    expect(got.claims.at(-1)!.name).toBe('c19.example');
    expect(got.truncated).toBe(5);
    expect(clusterClaimsForStatus(custom, { maxCustom: 3 }).claims.map((c) => c.name)).toEqual(['c00.example', 'c01.example', 'c02.example']);
  });

  test('configured reserved suffixes', () => {
    expect(isReservedClaim('region.mycorp.io', ['.mycorp.io'])).toBe(true);
    expect(isReservedClaim('region.mycorp.io')).toBe(false);
    const got = clusterClaimsForStatus([claim('a.example'), claim('region.mycorp.io')], { reservedSuffixes: ['.mycorp.io'] });
    expect(got.claims.map((c) => c.name)).toEqual(['region.mycorp.io', 'a.example']);
  });
});

describe('node resources', () => {
  const node = (capacity: Record<string, string>, allocatable = capacity, unschedulable?: boolean): NodeLike => ({
    metadata: { name: 'n' },
    spec: unschedulable === undefined ? {} : { unschedulable },
    status: { capacity, allocatable },
  });

  test('capacity over all nodes, allocatable over schedulable ones, every resource name', () => {
    const got = sumNodeResources([
      node({ cpu: '4', memory: '8Gi', pods: '110' }),
      node({ cpu: '2', memory: '16318644Ki', pods: '110', 'nvidia.com/gpu': '1' }, { cpu: '1500m', memory: '15Gi', pods: '100', 'nvidia.com/gpu': '1' }),
      node({ cpu: '8', memory: '32Gi', pods: '250' }, { cpu: '8', memory: '32Gi', pods: '250' }, true),
    ]);
    expect(got.capacity).toEqual({ cpu: '14', memory: '58261684Ki', 'nvidia.com/gpu': '1', pods: '470' });
    expect(got.allocatable).toEqual({ cpu: '5500m', memory: '23Gi', 'nvidia.com/gpu': '1', pods: '210' });
  });

  test('no nodes: empty lists', () => {
    expect(sumNodeResources([])).toEqual({ capacity: {}, allocatable: {} });
  });
});
