/**
 * Lease monitoring on the real hub: expiry at exactly 5 × leaseDurationSeconds, the taints that
 * follow the Available condition, and the clock-sync condition. The test plays the agent: it
 * renews the lease with PUT and reports Available through /status, as OCM's agent does.
 */
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { MANAGED_CLUSTERS } from '../../src/api/index.js';
import { retryOnConflict } from '../../src/runtime/core/patch.js';
import { eventually } from '../support/clusters.js';
import {
  LEASES,
  clusterRef,
  conditionOf,
  createCluster,
  setAccepted,
  startHubSuite,
  stopHubSuite,
  unique,
  until,
  type HubProcess,
} from './support.js';

type Obj = KubeObject & { spec?: Record<string, unknown> };

let client: KubeClient;
let ctl: HubProcess;
const clusters: string[] = [];

beforeAll(async () => {
  ({ client, ctl } = await startHubSuite());
});

afterAll(() => stopHubSuite(ctl, client, clusters));

const micro = (d: Date) => d.toISOString().replace(/Z$/, '000Z');
const leaseRef = (c: string) => ({ ...LEASES, namespace: c, name: 'managed-cluster-lease' });

/** The agent's renewal: GET, set renewTime, PUT under its own field manager. Returns the time sent. */
async function renew(c: string, at = new Date()): Promise<Date> {
  const lease = await client.get<Obj>(resourcePath(leaseRef(c)));
  await client.replace(resourcePath(leaseRef(c)), { ...lease, spec: { ...lease.spec, renewTime: micro(at) } }, { fieldManager: 'e2e-agent' });
  return at;
}

/**
 * The agent's Available report through /status (a merge patch of the whole conditions list),
 * guarded by the resourceVersion it read; re-read on a conflict, as the agent's controller does
 * (the hub's controllers may still be writing the just-accepted cluster).
 */
async function reportAvailable(c: string, status: 'True' | 'False'): Promise<void> {
  await retryOnConflict(() => writeAvailable(c, status));
}

async function writeAvailable(c: string, status: 'True' | 'False'): Promise<void> {
  const mc = await client.get<Obj>(resourcePath(clusterRef(c)));
  const others = ((mc.status as { conditions?: { type: string }[] })?.conditions ?? []).filter((x) => x.type !== 'ManagedClusterConditionAvailable');
  const cond = {
    type: 'ManagedClusterConditionAvailable',
    status,
    reason: status === 'True' ? 'ManagedClusterAvailable' : 'ManagedClusterKubeAPIServerUnavailable',
    message: 'reported by the e2e agent',
    lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
  await client.patch(
    resourcePath({ ...MANAGED_CLUSTERS, name: c, subresource: 'status' }),
    { metadata: { resourceVersion: mc.metadata!.resourceVersion }, status: { conditions: [...others, cond] } },
    'merge',
  );
}

const taintKeys = (o: Obj | undefined) => ((o?.spec?.taints as { key: string }[] | undefined) ?? []).map((t) => t.key).sort();

async function acceptedCluster(leaseDurationSeconds: number): Promise<string> {
  const c = unique('lease');
  clusters.push(c);
  await createCluster(client, c, { leaseDurationSeconds });
  await setAccepted(client, c, true);
  await until(client, leaseRef(c), (o) => !!o, `lease of ${c}`);
  return c;
}

test('an unrenewed lease makes the cluster Unknown at exactly renewTime + 5 × leaseDurationSeconds, then tainted unreachable', async () => {
  const c = await acceptedCluster(1);
  await reportAvailable(c, 'True');
  await until<Obj>(client, clusterRef(c), (o) => taintKeys(o).length === 0, 'no taints while available');
  const renewedAt = await renew(c);
  const expiry = renewedAt.getTime() + 5_000;

  const mc = await until<Obj>(client, clusterRef(c), (o) => conditionOf(o, 'ManagedClusterConditionAvailable')?.status === 'Unknown', 'availability unknown', 30_000);
  const seenAt = Date.now();
  expect(conditionOf(mc, 'ManagedClusterConditionAvailable')).toMatchObject({
    reason: 'ManagedClusterLeaseUpdateStopped',
    message: 'Registration agent stopped updating its lease.',
  });
  // Not before the expiry instant (lastTransitionTime has second precision), and promptly after it.
  const transition = Date.parse((mc!.status as { conditions: { type: string; lastTransitionTime: string }[] }).conditions.find((x) => x.type === 'ManagedClusterConditionAvailable')!.lastTransitionTime);
  expect(transition).toBeGreaterThanOrEqual(Math.floor(expiry / 1000) * 1000);
  const lateMs = seenAt - expiry;
  expect(lateMs).toBeGreaterThanOrEqual(0);
  expect(lateMs).toBeLessThan(2_000);
  process.stderr.write(`lease expiry observed ${lateMs} ms after renewTime + grace\n`);

  const tainted = await until<Obj>(client, clusterRef(c), (o) => taintKeys(o).includes('cluster.open-cluster-management.io/unreachable'), 'unreachable taint');
  expect(tainted!.spec!.taints).toEqual([{ key: 'cluster.open-cluster-management.io/unreachable', effect: 'NoSelect', timeAdded: expect.any(String) }]);

  // The hub records the event after its status write, and the taint comes from another controller:
  // wait for the event itself (with a deadline), not for either of those.
  const recorded = async () => {
    const events = await client.list<KubeObject & { reason?: string; regarding?: { name?: string } }>(`/apis/events.k8s.io/v1/namespaces/${c}/events`);
    return events.items.some((e) => e.reason === 'AvailableUnknown' && e.regarding?.name === c);
  };
  await eventually(recorded, { ms: 15_000, describe: () => `no AvailableUnknown event for ${c}` });
});

test('taints follow Available: False gives unavailable, True clears both', async () => {
  const c = await acceptedCluster(60);
  await until<Obj>(client, clusterRef(c), (o) => taintKeys(o).join() === 'cluster.open-cluster-management.io/unreachable', 'unreachable before any report');
  await reportAvailable(c, 'False');
  await until<Obj>(client, clusterRef(c), (o) => taintKeys(o).join() === 'cluster.open-cluster-management.io/unavailable', 'unavailable taint');
  await reportAvailable(c, 'True');
  await until<Obj>(client, clusterRef(c), (o) => taintKeys(o).length === 0, 'no taints');
});

test('renewals keep the cluster available; a renewTime far from the server clock is out of sync unless skipped', async () => {
  const c = await acceptedCluster(60);
  await renew(c);
  const synced = await until(client, clusterRef(c), (o) => conditionOf(o, 'ManagedClusterConditionClockSynced') !== undefined, 'clock sync judged');
  expect(conditionOf(synced, 'ManagedClusterConditionClockSynced')).toMatchObject({ status: 'True', reason: 'ManagedClusterClockSynced' });

  // An agent whose clock is 10 minutes behind the hub (grace is 300 s).
  await renew(c, new Date(Date.now() - 600_000));
  const skewed = await until(client, clusterRef(c), (o) => conditionOf(o, 'ManagedClusterConditionClockSynced')?.status === 'False', 'clock out of sync');
  expect(conditionOf(skewed, 'ManagedClusterConditionClockSynced')?.reason).toBe('ManagedClusterClockOutOfSync');

  await client.patch(resourcePath(clusterRef(c)), { metadata: { annotations: { 'registration.open-cluster-management.io/skip-clock-sync-check': 'true' } } }, 'merge');
  await until(client, clusterRef(c), (o) => conditionOf(o, 'ManagedClusterConditionClockSynced')?.status === 'True', 'skip annotation counts as synced');
});

test('a deleted lease is made again, and expiry is judged on the new one', async () => {
  const c = await acceptedCluster(1);
  const first = await client.get<Obj>(resourcePath(leaseRef(c)));
  await client.delete(resourcePath(leaseRef(c)));
  const again = await until<Obj>(client, leaseRef(c), (o) => !!o && o.metadata!.uid !== first.metadata!.uid, 'lease made again');
  expect(again!.spec).toMatchObject({ holderIdentity: 'managed-cluster-lease' });
  expect(again!.metadata!.labels).toMatchObject({ 'open-cluster-management.io/cluster-name': c });
  // Nobody renews the new lease: 5 × 1 s after its renewTime the cluster is Unknown.
  const mc = await until<Obj>(client, clusterRef(c), (o) => conditionOf(o, 'ManagedClusterConditionAvailable')?.status === 'Unknown', 'availability unknown', 30_000);
  expect(conditionOf(mc, 'ManagedClusterConditionAvailable')?.reason).toBe('ManagedClusterLeaseUpdateStopped');
});

test('/metrics on the health port shows the lease queue and its reconciles (Prometheus text)', async () => {
  const res = await fetch(`http://127.0.0.1:${ctl.healthPort}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  const value = (line: string) => Number(text.split('\n').find((l) => l.startsWith(`${line} `))?.slice(line.length + 1));
  // The tests above accepted clusters: the lease queue took keys, and each live lease has its expiry timer.
  expect(value('workqueue_adds_total{name="lease"}')).toBeGreaterThan(0);
  expect(value('controller_runtime_reconcile_total{controller="lease",result="requeue_after"}')).toBeGreaterThan(0);
  expect(value('workqueue_queue_duration_seconds_count{name="lease-create"}')).toBeGreaterThan(0);
  expect(value('process_resident_memory_bytes')).toBeGreaterThan(0);
});
