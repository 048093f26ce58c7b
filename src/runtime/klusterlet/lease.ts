/**
 * Renewing Lease `managed-cluster-lease` in hub namespace `<cluster>` (ocm-protocol.md §1 "The
 * Lease"): only while `HubAcceptedManagedCluster=True`; GET it and PUT `spec.renewTime` (MicroTime)
 * at once on acceptance and then every `leaseDurationSeconds` (0 means 60) plus up to 25 % jitter,
 * each wait timed from the end of the previous renewal. The hub creates the Lease; the agent never
 * does (a failed renewal is retried sooner, with backoff up to the period but at most
 * RECONNECT_MAX_MS: after a hub outage the lease is renewed within seconds of the hub's return).
 */
import type { KubeClient } from '../../kube/client.js';
import { describeError, isNotFound } from '../../kube/errors.js';
import { resourcePath } from '../../kube/resources.js';
import type { ManagedCluster } from '../../api/index.js';
import { COND, LEASE } from '../../api/names.js';
import { RECONNECT_MAX_MS, backoffDelay } from '../core/backoff.js';
import { MAX_TIMER_MS, systemClock, type Clock, type TimerHandle } from '../core/clock.js';
import { isTrue, type Condition } from '../core/conditions.js';
import { microTime } from '../core/leader.js';
import { LEASES, type Lease } from '../../kube/core.js';
import { retryOnConflict } from '../core/patch.js';
import type { Logger } from '../core/types.js';

export const LEASE_JITTER = 0.25;

export interface LeaseUpdaterOptions {
  cluster: string;
  /** The hub client of the identity in use (it changes on certificate rotation). */
  client: () => KubeClient | undefined;
  log: Logger;
  clock?: Clock;
  random?: () => number;
}

/** The period after a renewal: duration × (1 + 0.25 × random), as wait.JitterUntil computes it. */
export function nextRenewalDelayMs(durationSeconds: number, random: () => number = Math.random): number {
  return durationSeconds * 1000 * (1 + LEASE_JITTER * random());
}

/**
 * The wait before retry number `failures` of a failed renewal: 1 s doubling, +20 % jitter, at most
 * RECONNECT_MAX_MS and never beyond the period (a hub back from a long outage gets the lease
 * renewed within seconds, not up to a whole period later).
 */
export function leaseRetryDelayMs(failures: number, durationSeconds: number, random: () => number = Math.random): number {
  const period = durationSeconds * 1000;
  return Math.min(backoffDelay(failures, { initialMs: 1000, maxMs: Math.min(period, RECONNECT_MAX_MS), jitter: 0.2, random }), period);
}

/** The renewal period for a cluster: spec.leaseDurationSeconds, 0 (or unset) meaning 60. */
export function leaseDurationSeconds(mc: ManagedCluster | undefined): number {
  const d = mc?.spec?.leaseDurationSeconds;
  return typeof d === 'number' && d > 0 ? d : LEASE.defaultDurationSeconds;
}

export class LeaseUpdater {
  private duration: number | undefined;
  private timer: TimerHandle | undefined;
  private running = false;
  private generation = 0;
  private failures = 0;
  private readonly clock: Clock;
  private readonly random: () => number;
  /** Completed renewals (for tests and diagnostics). */
  renewals = 0;

  constructor(private readonly opts: LeaseUpdaterOptions) {
    this.clock = opts.clock ?? systemClock;
    this.random = opts.random ?? Math.random;
  }

  /** Feed every change of the agent's ManagedCluster; starts, restarts or stops renewing. */
  observe(mc: ManagedCluster | undefined): void {
    const accepted = !!mc && isTrue(mc.status?.conditions as Condition[] | undefined, COND.cluster.hubAccepted);
    if (!accepted) {
      if (this.running) this.opts.log.info('lease updates stopped: the cluster is not accepted');
      this.halt();
      return;
    }
    const duration = leaseDurationSeconds(mc);
    if (this.running && duration === this.duration) return;
    this.halt();
    this.duration = duration;
    this.running = true;
    this.opts.log.info('lease updates started', { lease: `${this.opts.cluster}/${LEASE.managedCluster}`, leaseDurationSeconds: duration });
    void this.tick(this.generation);
  }

  stop(): void {
    this.halt();
  }

  private halt(): void {
    this.running = false;
    this.generation++;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(gen: number, ms: number): void {
    if (gen !== this.generation) return;
    this.timer = this.clock.setTimeout(() => void this.tick(gen), Math.min(ms, MAX_TIMER_MS));
  }

  private async tick(gen: number): Promise<void> {
    if (gen !== this.generation) return;
    const duration = this.duration ?? LEASE.defaultDurationSeconds;
    try {
      await this.renew();
      this.failures = 0;
      this.renewals++;
      this.schedule(gen, nextRenewalDelayMs(duration, this.random));
    } catch (err) {
      this.failures++;
      const retryInMs = leaseRetryDelayMs(this.failures, duration, this.random);
      this.opts.log.warn(isNotFound(err) ? 'the cluster lease does not exist on the hub yet' : 'cannot renew the cluster lease', {
        error: describeError(err),
        retryInMs,
      });
      this.schedule(gen, retryInMs);
    }
  }

  private async renew(): Promise<void> {
    const client = this.opts.client();
    if (!client) throw new Error('no hub identity yet');
    const path = resourcePath({ ...LEASES, namespace: this.opts.cluster, name: LEASE.managedCluster });
    await retryOnConflict(async () => {
      const lease = await client.get<Lease>(path);
      await client.replace(path, { ...lease, spec: { ...lease.spec, renewTime: microTime(new Date(this.clock.now())) } });
    });
  }
}
