import type { KubeClient, KubeObject } from '../../kube/client.js';
import type { Lease } from '../../kube/core.js';
import type { ManagedCluster } from '../../api/index.js';
import { COND } from '../../api/names.js';
import { nullLogger } from '../core/log.js';
import type { Informer } from '../core/types.js';
import { hubControllers, type KeyFn } from './controllers.js';
import type { HubDeps, HubInformers } from './deps.js';
import { clockSyncNews, LeaseReconciler } from './lease.js';

/** An informer over a map: what the key functions and the lease reconcilers read. */
function mapInformer<T extends KubeObject>(items: Map<string, T>): Informer<T> {
  return {
    get: (k: string) => items.get(k),
    list: (f?: (o: T) => boolean) => [...items.values()].filter((o) => !f || f(o)),
    on: () => undefined,
    start: async () => undefined,
    stop: () => undefined,
    synced: true,
  } as unknown as Informer<T>;
}

const T0 = Date.parse('2026-01-01T00:10:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');
const accepted = { type: COND.cluster.hubAccepted, status: 'True', reason: 'HubClusterAdminAccepted', message: '', lastTransitionTime: '2026-01-01T00:00:00Z' };

function cluster(clockSynced?: 'True' | 'False'): ManagedCluster {
  const conditions = [accepted, ...(clockSynced ? [{ type: COND.cluster.clockSynced, status: clockSynced, reason: 'x', message: '', lastTransitionTime: '2026-01-01T00:00:00Z' }] : [])];
  return { apiVersion: 'cluster.open-cluster-management.io/v1', kind: 'ManagedCluster', metadata: { name: 'c1' }, spec: { hubAcceptsClient: true, leaseDurationSeconds: 60 }, status: { conditions } } as ManagedCluster;
}

/** The agent's renewal at `renewMs`, recorded by the API server at `serverMs`. */
function lease(renewMs: number, serverMs = renewMs): Lease {
  return {
    metadata: {
      name: 'managed-cluster-lease',
      namespace: 'c1',
      labels: { 'open-cluster-management.io/cluster-name': 'c1' },
      managedFields: [{ manager: 'agent', operation: 'Update', time: new Date(serverMs).toISOString().replace(/\.\d+Z$/, 'Z'), fieldsV1: { 'f:spec': { 'f:renewTime': {} } } }],
    },
    spec: { renewTime: iso(renewMs) },
  };
}

function setup(now: number, c: ManagedCluster = cluster()) {
  const clusters = new Map<string, ManagedCluster>([['c1', c]]);
  const leases = new Map<string, KubeObject>();
  const informers = new Proxy({ clusters: mapInformer(clusters), leases: mapInformer(leases) } as Partial<HubInformers>, {
    get: (t, k: string) => t[k as keyof HubInformers] ?? mapInformer(new Map()),
  }) as HubInformers;
  const deps: HubDeps = { client: {} as KubeClient, log: nullLogger, informers, now: () => new Date(now) };
  return { deps, clusters, leases };
}

describe('LeaseReconciler.covered: renewals that can wait for the pending requeue', () => {
  test('covered only while a requeue is pending for an instant no later than the new expiry', async () => {
    const { deps, leases } = setup(T0 + 1000);
    const r = new LeaseReconciler(deps);
    leases.set('c1/managed-cluster-lease', lease(T0));
    expect(r.covered('c1', lease(T0 + 60_000))).toBe(false); // nothing pending before a reconcile
    expect(await r.reconcile('c1')).toEqual({ requeueAfterMs: 299_000 });
    expect(r.covered('c1', lease(T0 + 60_000))).toBe(true); // expiry moves later: the requeue comes first
    expect(r.covered('c1', lease(T0))).toBe(true);
    expect(r.covered('c1', lease(T0 - 1))).toBe(false); // an earlier expiry must be judged again
    expect(r.covered('c1', { metadata: { name: 'managed-cluster-lease', namespace: 'c1' }, spec: {} })).toBe(false);
  });

  test('a reconcile that finds nothing to wait for (cluster gone) leaves nothing covered', async () => {
    const { deps, leases, clusters } = setup(T0 + 1000);
    const r = new LeaseReconciler(deps);
    leases.set('c1/managed-cluster-lease', lease(T0));
    await r.reconcile('c1');
    clusters.delete('c1');
    expect(await r.reconcile('c1')).toBeUndefined();
    expect(r.covered('c1', lease(T0 + 60_000))).toBe(false);
  });
});

describe('clockSyncNews: renewals that can change ClockSynced', () => {
  test('a renewal that keeps the verdict is no news; a new or changed verdict is', () => {
    expect(clockSyncNews(cluster('True'), lease(T0))).toBe(false);
    expect(clockSyncNews(cluster(), lease(T0))).toBe(true);
    expect(clockSyncNews(cluster('True'), lease(T0 - 400_000, T0))).toBe(true);
    expect(clockSyncNews(cluster('False'), lease(T0))).toBe(true);
    expect(clockSyncNews(cluster('False'), lease(T0 - 400_000, T0))).toBe(false);
    expect(clockSyncNews(undefined, lease(T0))).toBe(false);
  });
});

describe('hub wiring: lease events into the lease and clock-sync queues', () => {
  const leaseKeys = (controllers: ReturnType<typeof hubControllers>, name: string): KeyFn => controllers.find((c) => c.reconciler.name === name)!.sources.find((s) => s.informer === 'leases')!.keys;

  test('a renewal is no key for either queue once the expiry requeue is pending and the clock verdict stands', async () => {
    const { deps, leases } = setup(T0 + 1000, cluster('True'));
    const controllers = hubControllers(deps);
    const expiry = controllers.find((c) => c.reconciler.name === 'lease')!;
    const expiryKeys = leaseKeys(controllers, 'lease');
    const clockKeys = leaseKeys(controllers, 'clock-sync');
    const before = lease(T0);
    const renewed = lease(T0 + 60_000);
    leases.set('c1/managed-cluster-lease', before);
    // Creation and deletion always wake both; a renewal before any requeue wakes expiry.
    expect(expiryKeys(before, undefined, 'add')).toEqual(['c1']);
    expect(clockKeys(before, undefined, 'add')).toEqual(['c1']);
    expect(expiryKeys(renewed, before, 'update')).toEqual(['c1']);
    await expiry.reconciler.reconcile('c1', new AbortController().signal);
    expect(expiryKeys(renewed, before, 'update')).toEqual([]);
    expect(clockKeys(renewed, before, 'update')).toEqual([]);
    expect(expiryKeys(renewed, before, 'delete')).toEqual(['c1']);
    // A renewal whose clock is off is news for clock sync.
    expect(clockKeys(lease(T0 + 60_000, T0 + 500_000), before, 'update')).toEqual(['c1']);
  });
});
