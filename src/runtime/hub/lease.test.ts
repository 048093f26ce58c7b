import type { ManagedCluster } from '../../api/index.js';
import type { Lease } from '../../kube/core.js';
import { clockSynced, leaseExpired, leaseExpiresAt, leaseGraceMs, newClusterLease, renewalRecordedAt } from './lease.js';

const cluster = (leaseDurationSeconds?: number, annotations?: Record<string, string>): ManagedCluster => ({
  apiVersion: 'cluster.open-cluster-management.io/v1',
  kind: 'ManagedCluster',
  metadata: { name: 'c1', annotations },
  spec: { hubAcceptsClient: true, leaseDurationSeconds },
});

const renewedBy = (manager: string, time: string, renewTime: string): Lease => ({
  metadata: {
    name: 'managed-cluster-lease',
    namespace: 'c1',
    managedFields: [{ manager, operation: 'Update', time, fieldsV1: { 'f:spec': { 'f:renewTime': {} } } }],
  },
  spec: { renewTime },
});

describe('lease expiry', () => {
  test('grace is 5 × leaseDurationSeconds, 0 or missing meaning 60 s', () => {
    expect(leaseGraceMs(2)).toBe(10_000);
    expect(leaseGraceMs(60)).toBe(300_000);
    expect(leaseGraceMs(0)).toBe(300_000);
    expect(leaseGraceMs(undefined)).toBe(300_000);
  });

  test('expiry instant from a MicroTime renewTime', () => {
    expect(leaseExpiresAt('2026-01-01T00:00:00.250000Z', 2)).toBe(Date.parse('2026-01-01T00:00:10.250Z'));
    expect(leaseExpiresAt(undefined, 2)).toBeUndefined();
    expect(leaseExpiresAt('garbage', 2)).toBeUndefined();
  });

  test('expired exactly at renewTime + grace, not a millisecond before', () => {
    const at = Date.parse('2026-01-01T00:00:10Z');
    expect(leaseExpired(at, new Date(at - 1))).toBe(false);
    expect(leaseExpired(at, new Date(at))).toBe(true);
  });

  test('the hub-created lease: holder managed-cluster-lease, label, MicroTime with 6 digits, no duration', () => {
    expect(newClusterLease('c1', new Date('2026-01-02T03:04:05.678Z'))).toEqual({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'managed-cluster-lease', namespace: 'c1', labels: { 'open-cluster-management.io/cluster-name': 'c1' } },
      spec: { holderIdentity: 'managed-cluster-lease', renewTime: '2026-01-02T03:04:05.678000Z' },
    });
  });
});

describe('clock sync', () => {
  test('agent renewal recorded by the server close to its renewTime: synced', () => {
    expect(clockSynced(cluster(60), renewedBy('agent', '2026-01-01T00:10:00Z', '2026-01-01T00:09:59.500000Z'))).toBe(true);
  });

  test('renewTime a grace or more away from the server time: out of sync, either direction', () => {
    expect(clockSynced(cluster(2), renewedBy('agent', '2026-01-01T00:10:00Z', '2026-01-01T00:09:40.000000Z'))).toBe(false);
    expect(clockSynced(cluster(2), renewedBy('agent', '2026-01-01T00:10:00Z', '2026-01-01T00:10:30.000000Z'))).toBe(false);
  });

  test('the skip annotation always counts as synced', () => {
    const skip = cluster(2, { 'registration.open-cluster-management.io/skip-clock-sync-check': 'true' });
    expect(clockSynced(skip, renewedBy('agent', '2026-01-01T00:10:00Z', '2020-01-01T00:00:00.000000Z'))).toBe(true);
  });

  test('the hub writing the lease itself is not a renewal to judge', () => {
    const lease = renewedBy('ocmadm-hub-controller', '2026-01-01T00:10:00Z', '2020-01-01T00:00:00.000000Z');
    expect(renewalRecordedAt(lease)).toBeUndefined();
    expect(clockSynced(cluster(2), lease)).toBeUndefined();
  });
});
