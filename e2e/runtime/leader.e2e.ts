/**
 * Lease leader election on a real API server: of two electors exactly one leads; a graceful stop
 * releases the Lease so the other leads at once; a leader that vanishes without releasing is
 * replaced once its lease duration has passed; Lease times are MicroTime.
 */
import { waitForObject } from '../../src/kube/wait.js';
import { resourcePath } from '../../src/kube/resources.js';
import { LeaderElector, renewIntervalMs, type ElectionOutcome } from '../../src/runtime/core/leader.js';
import { LEASES, type Lease } from '../../src/kube/core.js';
import { createLogger } from '../../src/runtime/core/log.js';
import { Notifier, adminEnv, createNamespace, deleteNamespace, uniqueName, type AdminEnv } from './support.js';

let env: AdminEnv;
let ns: string;
const log = createLogger({ component: 'e2e-leader', level: process.env.OCMADM_E2E_DEBUG ? 'debug' : 'error' });

beforeAll(async () => {
  env = await adminEnv();
  ns = await createNamespace(env.client, 'core-lead');
});

afterAll(async () => {
  await deleteNamespace(env.client, ns);
  await env.client.close();
});

// Short timings keep the suite fast; the rule leaseDuration > renewDeadline > retryPeriod holds.
const TIMING = { leaseDurationSeconds: 4, renewDeadlineSeconds: 3, retryPeriodSeconds: 1 };
const RENEW_INTERVAL_MS = renewIntervalMs(TIMING.renewDeadlineSeconds * 1000, TIMING.retryPeriodSeconds * 1000);
const MICRO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

interface Candidate {
  id: string;
  elector: LeaderElector;
  abort: AbortController;
  outcome: Promise<ElectionOutcome>;
  ledAt?: number;
  stoppedAt?: number;
}

function candidates(lease: string, ids: string[], opts: { releaseOnStop?: boolean } = {}) {
  const changed = new Notifier();
  let leading = 0;
  let maxLeading = 0;
  const list: Candidate[] = ids.map((id) => {
    const abort = new AbortController();
    const c = { id, abort } as Candidate;
    c.elector = new LeaderElector({
      client: env.client,
      lease: { namespace: ns, name: lease },
      identity: id,
      log: log.child({ candidate: id }),
      ...TIMING,
      releaseOnStop: opts.releaseOnStop,
      onStartedLeading: (signal) => {
        c.ledAt = Date.now();
        leading++;
        maxLeading = Math.max(maxLeading, leading);
        changed.notify();
        return new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => {
            leading--;
            resolve();
          }),
        );
      },
      onNewLeader: () => changed.notify(),
      onStoppedLeading: () => {
        c.stoppedAt = Date.now();
        changed.notify();
      },
    });
    c.outcome = c.elector.run(abort.signal);
    return c;
  });
  return { list, changed, maxLeading: () => maxLeading };
}

const getLease = (name: string) => env.client.get<Lease>(resourcePath({ ...LEASES, namespace: ns, name }));

test('two electors: one leads; a graceful stop releases the Lease and the other leads at once', async () => {
  const name = uniqueName('lease');
  const { list, changed, maxLeading } = candidates(name, ['a', 'b']);
  try {
    await changed.until(() => list.some((c) => c.elector.isLeader), 'a leader');
    const leader = list.find((c) => c.elector.isLeader)!;
    const standby = list.find((c) => c !== leader)!;
    expect(standby.elector.isLeader).toBe(false);

    const lease = await getLease(name);
    expect(lease.spec).toMatchObject({ holderIdentity: leader.id, leaseDurationSeconds: 4, leaseTransitions: 0 });
    expect(lease.spec!.renewTime).toMatch(MICRO);
    expect(lease.spec!.acquireTime).toMatch(MICRO);
    // The standby knows who leads without holding anything.
    await changed.until(() => standby.elector.leader === leader.id, 'the standby to see the leader');

    // The leader renews: renewTime moves on, the holder stays.
    const renewed = await waitForObject<Lease>(
      env.client,
      { ...LEASES, namespace: ns, name },
      (l) => !!l?.spec?.renewTime && l.spec.renewTime !== lease.spec!.renewTime,
      { deadline: Date.now() + 10_000, what: 'a renewal' },
    );
    expect(renewed!.spec!.holderIdentity).toBe(leader.id);
    expect(renewed!.spec!.renewTime).toMatch(MICRO);
    // Halfway through the renew deadline (1.5 s here), not every retry period (1 s).
    expect(Date.parse(renewed!.spec!.renewTime!) - Date.parse(lease.spec!.renewTime!)).toBeGreaterThanOrEqual(RENEW_INTERVAL_MS);

    const stopAt = Date.now();
    leader.abort.abort();
    await expect(leader.outcome).resolves.toBe('stopped');
    await changed.until(() => standby.elector.isLeader, 'the standby to lead');
    // Well within the lease duration: the release made the Lease free at once.
    expect(standby.ledAt! - stopAt).toBeLessThan(TIMING.leaseDurationSeconds * 1000);
    expect(maxLeading()).toBe(1);
    const handed = await getLease(name);
    expect(handed.spec).toMatchObject({ holderIdentity: standby.id, leaseTransitions: 1, leaseDurationSeconds: 4 });
  } finally {
    for (const c of list) c.abort.abort();
    await Promise.all(list.map((c) => c.outcome));
  }
});

test('a leader that vanishes without releasing is replaced after its lease duration', async () => {
  const name = uniqueName('lease');
  const { list, changed, maxLeading } = candidates(name, ['x', 'y'], { releaseOnStop: false });
  try {
    await changed.until(() => list.some((c) => c.elector.isLeader), 'a leader');
    const leader = list.find((c) => c.elector.isLeader)!;
    const standby = list.find((c) => c !== leader)!;
    // Stopping without release leaves the Lease held: like a crashed process.
    leader.abort.abort();
    await leader.outcome;
    const stoppedAt = Date.now();
    expect((await getLease(name)).spec!.holderIdentity).toBe(leader.id);
    await changed.until(() => standby.elector.isLeader, 'the standby to take over', 15_000);
    const waited = standby.ledAt! - stoppedAt;
    // Not before the last renewal plus the duration (at most one renew interval before the stop).
    expect(waited).toBeGreaterThanOrEqual(TIMING.leaseDurationSeconds * 1000 - RENEW_INTERVAL_MS - 100);
    expect(waited).toBeLessThan((TIMING.leaseDurationSeconds + 2 * TIMING.retryPeriodSeconds) * 1000);
    expect(maxLeading()).toBe(1);
    expect((await getLease(name)).spec).toMatchObject({ holderIdentity: standby.id, leaseTransitions: 1 });
  } finally {
    for (const c of list) c.abort.abort();
    await Promise.all(list.map((c) => c.outcome));
  }
});

test('a leader whose Lease is taken by someone else steps down', async () => {
  const name = uniqueName('lease');
  const { list, changed } = candidates(name, ['solo']);
  const [solo] = list;
  try {
    await changed.until(() => solo!.elector.isLeader, 'solo to lead');
    const lease = await getLease(name);
    // Another writer takes the Lease outright (e.g. an operator, or a split brain).
    await env.client.replace(resourcePath({ ...LEASES, namespace: ns, name }), {
      ...lease,
      spec: { ...lease.spec, holderIdentity: 'intruder', leaseDurationSeconds: 60 },
    });
    await expect(solo!.outcome).resolves.toBe('lost');
    expect(solo!.elector.isLeader).toBe(false);
    expect(solo!.stoppedAt).toBeDefined();
  } finally {
    solo!.abort.abort();
    await solo!.outcome;
  }
});
