/**
 * The cluster Lease (ocm-protocol.md §2 "Lease monitoring"). Keyed by cluster name.
 * - Creation (LeaseCreationReconciler): after the first accept the hub creates Lease
 *   `managed-cluster-lease` in ns <c>; the agent renews it.
 * - Expiry (LeaseReconciler): grace = 5 × leaseDurationSeconds (0 means 60). At now ≥ renewTime +
 *   grace the cluster's Available condition becomes Unknown `ManagedClusterLeaseUpdateStopped`.
 *   Before that the key is requeued for exactly the expiry instant; no polling. Its own queue with
 *   no other write than that verdict: behind 2,000 lease creations of a mass accept (a create is
 *   one API round each) an expired key waited 20-58 s at 3,000 clusters.
 * - Clock sync (ClockSyncReconciler, its own queue as OCM's ClockSyncController): the renewal's
 *   time as stamped by the API server (the lease's managedFields entry of whoever wrote renewTime)
 *   is compared with the renewTime the agent claims; apart by the grace or more means ClockSynced
 *   False. This is OCM's "hub now vs renewTime at renewal" made level-based, so a restart or a late
 *   reconcile cannot misjudge an old renewal. Kept apart from expiry because its first verdict is a
 *   write per cluster: at 3,000 clusters the shared queue held 300-3,000 keys for minutes with
 *   those writes among them, and an expiry key waits its turn in a FIFO.
 */
import type { Lease } from '../../kube/core.js';
import { isAlreadyExists } from '../../kube/errors.js';
import { resourcePath } from '../../kube/resources.js';
import { ANNOTATION, COND, FIELD_MANAGER, LABEL, LEASE, REASON } from '../../api/names.js';
import { MANAGED_CLUSTERS, type ManagedCluster } from '../../api/index.js';
import type { Reconciler, ReconcileResult } from '../core/types.js';
import { findCondition, hasCondition, setCondition, type Condition, type ConditionInput } from '../core/conditions.js';
import { patchStatus } from '../core/patch.js';
import { microTime } from '../core/leader.js';
import { HUB_WATCHES, nsKey, type HubDeps } from './deps.js';
import { recordClusterEvent } from './events.js';


export const LEASE_STOPPED: ConditionInput = {
  type: COND.cluster.available,
  status: 'Unknown',
  reason: REASON.cluster.leaseUpdateStopped,
  message: 'Registration agent stopped updating its lease.',
};
export const CLOCK_SYNCED: ConditionInput = {
  type: COND.cluster.clockSynced,
  status: 'True',
  reason: REASON.cluster.clockSynced,
  message: 'The clock of the managed cluster is synced with the hub.',
};
export const CLOCK_OUT_OF_SYNC: ConditionInput = {
  type: COND.cluster.clockSynced,
  status: 'False',
  reason: REASON.cluster.clockOutOfSync,
  message: 'The clock of hub and agent is out of sync. This may cause the Unknown status and affect agent functionalities.',
};

/** 5 × leaseDurationSeconds in ms; a zero or missing duration counts as 60 s. */
export function leaseGraceMs(leaseDurationSeconds: number | undefined): number {
  const d = leaseDurationSeconds && leaseDurationSeconds > 0 ? leaseDurationSeconds : LEASE.defaultDurationSeconds;
  return LEASE.graceMultiplier * d * 1000;
}

/** The instant (epoch ms) the lease counts as expired, or undefined without a renewTime. */
export function leaseExpiresAt(renewTime: string | null | undefined, leaseDurationSeconds: number | undefined): number | undefined {
  if (!renewTime) return undefined;
  const t = Date.parse(renewTime);
  return Number.isNaN(t) ? undefined : t + leaseGraceMs(leaseDurationSeconds);
}

/** Expired at `now` (inclusive, as OCM: !now.Before(renew+grace)). */
export const leaseExpired = (expiresAt: number, now: Date): boolean => now.getTime() >= expiresAt;

/**
 * When the API server last recorded an agent's change of spec.renewTime (managedFields times are
 * server-stamped). The hub's own write at creation is not a renewal and is not judged.
 */
export function renewalRecordedAt(lease: Lease): number | undefined {
  let latest: number | undefined;
  for (const mf of (lease.metadata?.managedFields as { manager?: string; time?: string; fieldsV1?: unknown }[] | undefined) ?? []) {
    const spec = (mf.fieldsV1 as Record<string, Record<string, unknown>> | undefined)?.['f:spec'];
    if (mf.manager === FIELD_MANAGER.hub || !mf.time || !spec || !('f:renewTime' in spec)) continue;
    const t = Date.parse(mf.time);
    if (!Number.isNaN(t) && (latest === undefined || t > latest)) latest = t;
  }
  return latest;
}

/**
 * Clock sync verdict: undefined when there is nothing to judge. The server time has second
 * precision, so one second of slack is allowed on top of the grace.
 */
export function clockSynced(cluster: ManagedCluster, lease: Lease): boolean | undefined {
  if (cluster.metadata.annotations?.[ANNOTATION.skipClockSync] === 'true') return true;
  const renew = lease.spec?.renewTime ? Date.parse(lease.spec.renewTime) : NaN;
  const recorded = renewalRecordedAt(lease);
  if (Number.isNaN(renew) || recorded === undefined) return undefined;
  return Math.abs(recorded - renew) < leaseGraceMs(cluster.spec?.leaseDurationSeconds) + 1000;
}

export function newClusterLease(c: string, now: Date): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: LEASE.managedCluster, namespace: c, labels: { [LABEL.clusterName]: c } },
    spec: { holderIdentity: LEASE.managedCluster, renewTime: microTime(now) },
  };
}

/** Makes the cluster's Lease once it is accepted (and again if someone deletes it). */
export class LeaseCreationReconciler implements Reconciler {
  readonly name = 'lease-create';

  constructor(private readonly deps: HubDeps) {}

  async reconcile(c: string): Promise<ReconcileResult | void> {
    const { client, informers: inf, now } = this.deps;
    const cluster = inf.clusters.get(c);
    if (!cluster || cluster.metadata.deletionTimestamp || !findCondition(cluster.status?.conditions as Condition[], COND.cluster.hubAccepted)) return;
    if (inf.leases.get(nsKey(c, LEASE.managedCluster))) return;
    // The namespace comes from the managedcluster reconciler; its add event requeues this key.
    const ns = inf.namespaces.get(c);
    if (!ns || ns.metadata?.deletionTimestamp) return;
    await client
      .create(resourcePath({ ...HUB_WATCHES.leases.ref, namespace: c }), newClusterLease(c, now()), { fieldManager: FIELD_MANAGER.hub })
      .catch((e: unknown) => {
        if (!isAlreadyExists(e)) throw e;
      });
  }
}

/**
 * Judges the Lease's expiry (see the file's header); writes only the Unknown verdict.
 * A renewal needs no reconcile of its own when a requeue is already pending for an instant no
 * later than its new expiry: that requeue runs first, sees the renewal in the cache and requeues
 * for the new expiry. So a cluster renewing every minute costs one reconcile per grace period
 * (5 minutes), not one per renewal, and expiry is still judged at its instant.
 */
export class LeaseReconciler implements Reconciler {
  readonly name = 'lease';
  /** Cluster → the expiry instant of the requeue this reconciler asked for and that has not run yet. */
  private readonly pending = new Map<string, number>();

  constructor(private readonly deps: HubDeps) {}

  /** Whether a lease change can wait for the pending requeue (it does not bring its expiry closer). */
  covered(c: string, lease: Lease): boolean {
    const at = this.pending.get(c);
    if (at === undefined) return false;
    const expiresAt = leaseExpiresAt(lease.spec?.renewTime, this.deps.informers.clusters.get(c)?.spec?.leaseDurationSeconds);
    return expiresAt !== undefined && at <= expiresAt;
  }

  async reconcile(c: string): Promise<ReconcileResult | void> {
    // Running now: whatever requeue was pending is spent or superseded, until a new one is asked for.
    this.pending.delete(c);
    const { informers: inf, now: clock } = this.deps;
    const cluster = inf.clusters.get(c);
    // Never accepted: no lease, no monitoring.
    if (!cluster || !findCondition(cluster.status?.conditions as Condition[], COND.cluster.hubAccepted)) return;
    const lease = inf.leases.get(nsKey(c, LEASE.managedCluster)) as Lease | undefined;
    if (!lease) {
      // Not made yet (LeaseCreationReconciler's job), unless the cluster is going away.
      if (cluster.metadata.deletionTimestamp) return this.markUnknown(cluster);
      return;
    }
    const expiresAt = leaseExpiresAt(lease.spec?.renewTime, cluster.spec?.leaseDurationSeconds);
    const now = clock();
    const expired = expiresAt === undefined || leaseExpired(expiresAt, now);
    if (expired) await this.markExpired(cluster, now, expiresAt);
    // Renewals arrive through the lease watch; only the expiry instant needs a timer.
    else {
      this.pending.set(c, expiresAt);
      return { requeueAfterMs: Math.max(1, expiresAt - now.getTime()) };
    }
  }

  private async markExpired(cluster: ManagedCluster, now: Date, expiresAt: number | undefined): Promise<void> {
    const conditions = (cluster.status?.conditions ?? []) as Condition[];
    if (findCondition(conditions, COND.cluster.available)?.status === 'Unknown') return;
    await patchStatus(this.deps.client, MANAGED_CLUSTERS, cluster, { conditions: setCondition(conditions, LEASE_STOPPED, now) });
    // How late the reconcile ran after the expiry instant and how long the write took: a late
    // Unknown is either a queue that ran behind or an API server that answered slowly.
    const timing: Record<string, number> = expiresAt === undefined ? {} : { reconcileLateMs: now.getTime() - expiresAt, patchMs: this.deps.now().getTime() - now.getTime() };
    await this.availableUnknownEvent(cluster, timing);
  }

  private async markUnknown(cluster: ManagedCluster): Promise<void> {
    const conditions = (cluster.status?.conditions ?? []) as Condition[];
    if (findCondition(conditions, COND.cluster.available)?.status === 'Unknown' || hasCondition(conditions, LEASE_STOPPED)) return;
    await patchStatus(this.deps.client, MANAGED_CLUSTERS, cluster, { conditions: setCondition(conditions, LEASE_STOPPED, this.deps.now()) });
    await this.availableUnknownEvent(cluster);
  }

  private async availableUnknownEvent(cluster: ManagedCluster, timing: Record<string, number> = {}): Promise<void> {
    this.deps.log.info('lease expired: availability unknown', { cluster: cluster.metadata.name, ...timing });
    await recordClusterEvent(this.deps.client, this.deps.log, this.name, cluster, {
      type: 'Warning',
      reason: 'AvailableUnknown',
      note: `The ${cluster.metadata.name} is successfully imported. However, the connection check from the managed cluster to the hub cluster has failed`,
    }, this.deps.now());
  }
}

/**
 * Whether a lease change can change the cluster's ClockSynced status, as the reconcile below
 * judges it (from the caches; a cluster change wakes the reconcile by itself): a renewal that
 * keeps the verdict is no work for the queue.
 */
export function clockSyncNews(cluster: ManagedCluster | undefined, lease: Lease): boolean {
  if (!cluster) return false;
  const synced = clockSynced(cluster, lease);
  if (synced === undefined) return false;
  const want = synced ? CLOCK_SYNCED : CLOCK_OUT_OF_SYNC;
  return findCondition(cluster.status?.conditions as Condition[], want.type)?.status !== want.status;
}

/**
 * ClockSynced from each renewal (see the file's header), keyed by cluster name. One write per
 * change of verdict; nothing for a renewal that keeps it (clockSyncNews keeps those out of its queue).
 */
export class ClockSyncReconciler implements Reconciler {
  readonly name = 'clock-sync';

  constructor(private readonly deps: HubDeps) {}

  async reconcile(c: string): Promise<ReconcileResult | void> {
    const { informers: inf } = this.deps;
    const cluster = inf.clusters.get(c);
    if (!cluster || cluster.metadata.deletionTimestamp || !findCondition(cluster.status?.conditions as Condition[], COND.cluster.hubAccepted)) return;
    const lease = inf.leases.get(nsKey(c, LEASE.managedCluster)) as Lease | undefined;
    const synced = lease && clockSynced(cluster, lease);
    if (synced === undefined) return;
    const want = synced ? CLOCK_SYNCED : CLOCK_OUT_OF_SYNC;
    const conditions = (cluster.status?.conditions ?? []) as Condition[];
    if (findCondition(conditions, want.type)?.status === want.status) return;
    await patchStatus(this.deps.client, MANAGED_CLUSTERS, cluster, { conditions: setCondition(conditions, want, this.deps.now()) });
    this.deps.log.info('clock sync changed', { cluster: c, synced });
  }
}
