/**
 * Availability taints (ocm-protocol.md §2 "Taints"), keyed by cluster name: NoSelect
 * `…/unavailable` while Available is False, `…/unreachable` while it is Unknown or missing, none
 * while True. OCM's mutating webhook stamps timeAdded; without a webhook the hub stamps it when it
 * adds a taint, and keeps the stamp of a taint that stays.
 */
import { COND, TAINT } from '../../api/names.js';
import { MANAGED_CLUSTERS, type ManagedCluster } from '../../api/index.js';
import type { Reconciler, ReconcileResult } from '../core/types.js';
import type { HubDeps } from './deps.js';
import { findCondition, type Condition } from '../core/conditions.js';
import { guardedMergePatch } from '../core/patch.js';

export type Taint = NonNullable<NonNullable<ManagedCluster['spec']>['taints']>[number];

const AVAILABILITY_KEYS: string[] = [TAINT.unavailable, TAINT.unreachable];

/** RFC 3339 with second precision, as metav1.Time serializes. */
export const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The availability taint a cluster should carry for its Available condition status. */
export function wantedAvailabilityTaint(available: string | undefined): string | undefined {
  if (available === 'True') return undefined;
  if (available === 'False') return TAINT.unavailable;
  return TAINT.unreachable;
}

/**
 * The cluster's taints with the availability taints corrected; undefined when nothing changes.
 * Other taints are kept as they are, in order.
 */
export function desiredTaints(current: Taint[] | undefined, available: string | undefined, now: Date): Taint[] | undefined {
  const list = current ?? [];
  const want = wantedAvailabilityTaint(available);
  // OCM matches taints by key, value and effect; ours carry no value.
  const isOurs = (t: Taint, key: string) => t.key === key && t.effect === TAINT.effectNoSelect && !t.value;
  const keep = list.filter((t) => !AVAILABILITY_KEYS.some((k) => k !== want && isOurs(t, k)));
  const hasWanted = !want || keep.some((t) => isOurs(t, want));
  if (keep.length === list.length && hasWanted) return undefined;
  if (!hasWanted) keep.push({ key: want!, effect: TAINT.effectNoSelect, timeAdded: rfc3339(now) });
  return keep;
}

export class TaintReconciler implements Reconciler {
  readonly name = 'taints';

  constructor(private readonly deps: HubDeps) {}

  async reconcile(c: string): Promise<ReconcileResult | void> {
    const cluster = this.deps.informers.clusters.get(c);
    if (!cluster || cluster.metadata.deletionTimestamp) return;
    const available = findCondition(cluster.status?.conditions as Condition[], COND.cluster.available)?.status;
    const taints = desiredTaints(cluster.spec?.taints, available, this.deps.now());
    if (!taints) return;
    await guardedMergePatch(this.deps.client, MANAGED_CLUSTERS, cluster, { spec: { taints } });
    this.deps.log.info('availability taints updated', { cluster: c, available: available ?? 'missing', taints: taints.map((t) => t.key) });
  }
}
