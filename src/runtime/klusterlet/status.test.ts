import type { ManagedCluster } from '../../api/index.js';
import { nullLogger } from '../core/log.js';
import type { ConditionInput } from '../core/conditions.js';
import { ClusterStatusReconciler, type StatusDeps } from './status.js';
import { leaseDurationSeconds, nextRenewalDelayMs } from './lease.js';
import { agentAnnotations, managedClusterObject, mergeClientConfigs } from './managed-cluster.js';
import { Changes } from './changes.js';
import { ManualClock } from '../core/manual-clock.js';

const NOW = Date.UTC(2026, 10, 23, 10, 0, 0);

/** statusFor is pure: it only reads the certificate condition and the clock from its deps. */
function reconciler(cert?: ConditionInput): ClusterStatusReconciler {
  return new ClusterStatusReconciler({ cluster: 'c1', certCondition: () => cert, log: nullLogger, now: () => NOW } as unknown as StatusDeps);
}

const mc = (status: Record<string, unknown>): ManagedCluster => ({ metadata: { name: 'c1', resourceVersion: '1' }, status }) as ManagedCluster;
const accepted = { type: 'HubAcceptedManagedCluster', status: 'True', reason: 'HubClusterAdminAccepted', message: '', lastTransitionTime: '2026-11-23T09:00:00Z' };

describe('status patch', () => {
  test('keeps hub conditions, adds Joined, the certificate condition and Available; lists are written whole', () => {
    const cert: ConditionInput = { type: 'ClusterCertificateRotated', status: 'True', reason: 'ClientCertificateUpdated', message: 'm' };
    const status = reconciler(cert).statusFor(mc({ conditions: [accepted] }), {
      available: { type: 'ManagedClusterConditionAvailable', status: 'True', reason: 'ManagedClusterAvailable', message: 'Managed cluster is available' },
      requeueAfterMs: 60_000,
    });
    expect((status.conditions as { type: string; status: string; reason: string }[]).map((c) => [c.type, c.status, c.reason])).toEqual([
      ['HubAcceptedManagedCluster', 'True', 'HubClusterAdminAccepted'],
      ['ManagedClusterJoined', 'True', 'ManagedClusterJoined'],
      ['ClusterCertificateRotated', 'True', 'ClientCertificateUpdated'],
      ['ManagedClusterConditionAvailable', 'True', 'ManagedClusterAvailable'],
    ]);
    expect(status).not.toHaveProperty('capacity');
    expect(status).not.toHaveProperty('clusterClaims');
  });

  test('Joined already True is left as it is (its time and message)', () => {
    const joined = { type: 'ManagedClusterJoined', status: 'True', reason: 'ManagedClusterJoined', message: 'old', lastTransitionTime: '2026-11-23T09:00:00Z' };
    const status = reconciler().statusFor(mc({ conditions: [accepted, joined] }), { requeueAfterMs: 1 });
    expect(status.conditions).toEqual([accepted, joined]);
  });

  test('capacity keeps entries others added; allocatable drops resources no node has any more', () => {
    const status = reconciler().statusFor(
      mc({ conditions: [accepted], capacity: { cpu: '2', 'example.com/licences': '5' }, allocatable: { cpu: '2', 'nvidia.com/gpu': '1' } }),
      { resources: { version: 'v1.36.3', capacity: { cpu: '4' }, allocatable: { cpu: '4' } }, claims: [{ name: 'id.k8s.io', value: 'x' }], requeueAfterMs: 1 },
    );
    expect(status.version).toEqual({ kubernetes: 'v1.36.3' });
    expect(status.capacity).toEqual({ cpu: '4', 'example.com/licences': '5' });
    expect(status.allocatable).toEqual({ cpu: '4', 'nvidia.com/gpu': null });
    expect(status.clusterClaims).toEqual([{ name: 'id.k8s.io', value: 'x' }]);
  });
});

describe('lease timing', () => {
  test('0 or unset means 60 s; renewals wait the period plus up to 25 %', () => {
    expect(leaseDurationSeconds(undefined)).toBe(60);
    expect(leaseDurationSeconds({ spec: { leaseDurationSeconds: 0 } } as ManagedCluster)).toBe(60);
    expect(leaseDurationSeconds({ spec: { leaseDurationSeconds: 5 } } as ManagedCluster)).toBe(5);
    expect(nextRenewalDelayMs(60, () => 0)).toBe(60_000);
    expect(nextRenewalDelayMs(60, () => 1)).toBe(75_000);
  });
});

describe('the ManagedCluster the agent creates', () => {
  test('client configs and only agent-prefixed annotations; never hubAcceptsClient', () => {
    const obj = managedClusterObject('c1', [{ url: 'https://spoke:6443', caBundle: 'Q0E=' }], {
      'agent.open-cluster-management.io/owner': 'team-a',
      'other.io/x': 'y',
    });
    expect(obj).toEqual({
      apiVersion: 'cluster.open-cluster-management.io/v1',
      kind: 'ManagedCluster',
      metadata: { name: 'c1', annotations: { 'agent.open-cluster-management.io/owner': 'team-a' } },
      spec: { managedClusterClientConfigs: [{ url: 'https://spoke:6443', caBundle: 'Q0E=' }] },
    });
    expect(managedClusterObject('c1', []).metadata).toEqual({ name: 'c1' });
    expect(agentAnnotations({ 'x/y': '1' })).toEqual({});
  });

  test('client configs merge by URL', () => {
    const a = { url: 'https://a' };
    expect(mergeClientConfigs([a], [{ url: 'https://a', caBundle: 'X' }, { url: 'https://b' }])).toEqual([a, { url: 'https://b' }]);
  });
});

describe('Changes', () => {
  test('a change between reading the version and waiting is not lost; timeouts and aborts resolve false', async () => {
    const clock = new ManualClock();
    const c = new Changes(clock);
    const v = c.version;
    c.notify();
    await expect(c.after(v)).resolves.toBe(true);
    const timed = c.after(c.version, undefined, 1000);
    clock.advance(1000);
    await expect(timed).resolves.toBe(false);
    const ctrl = new AbortController();
    const p = c.after(c.version, ctrl.signal);
    ctrl.abort();
    await expect(p).resolves.toBe(false);
    const q = c.after(c.version);
    c.notify();
    await expect(q).resolves.toBe(true);
  });
});
