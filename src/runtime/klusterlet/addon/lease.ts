/**
 * Lease health of add-ons (OCM's klusterlet add-on lease controller): for every add-on of this
 * cluster whose health check mode is Lease (the default), the Lease named after the add-on in its
 * install namespace on the spoke sets Available: True (ManagedClusterAddOnLeaseUpdated) while renewed
 * within 5 × 60 s, False (ManagedClusterAddOnLeaseUpdateStopped) after, Unknown
 * (ManagedClusterAddOnLeaseNotFound) without one. Checked when the add-on or its lease changes (a
 * watch) and again exactly when the current verdict would expire.
 */
import type { KubeClient, KubeObject } from '../../../kube/client.js';
import { MANAGED_CLUSTER_ADDONS_V1BETA1, type ManagedClusterAddOn } from '../../../api/index.js';
import { ADDON_COND, ADDON_REASON } from '../../../api/names.js';
import { setCondition, type Condition, type ConditionInput } from '../../core/conditions.js';
import { Controller } from '../../core/controller.js';
import type { ListWatchInformer } from '../../core/informer.js';
import { patchStatus } from '../../core/patch.js';
import type { Logger, Reconciler, ReconcileResult } from '../../core/types.js';
import { installNamespace } from './credentials.js';

export const ADDON_LEASE_GRACE_MS = 5 * 60_000;
const RESYNC_MS = 60_000;

/** The Available condition for a lease renewed at `renew` (undefined: no lease), and when to look again. */
export function leaseVerdict(addon: string, renew: Date | undefined, now: Date): { condition: ConditionInput; recheckMs: number } {
  const type = ADDON_COND.available;
  if (!renew) return { condition: { type, status: 'Unknown', reason: ADDON_REASON.leaseNotFound, message: `The status of ${addon} add-on is unknown.` }, recheckMs: RESYNC_MS };
  const left = renew.getTime() + ADDON_LEASE_GRACE_MS - now.getTime();
  if (left > 0) return { condition: { type, status: 'True', reason: ADDON_REASON.leaseUpdated, message: `${addon} add-on is available.` }, recheckMs: left };
  return { condition: { type, status: 'False', reason: ADDON_REASON.leaseUpdateStopped, message: `${addon} add-on is not available.` }, recheckMs: RESYNC_MS };
}

class LeaseReconciler implements Reconciler {
  readonly name = 'addon-lease';
  constructor(private readonly o: AddonLeaseOptions) {}

  async reconcile(addon: string): Promise<ReconcileResult | void> {
    const mca = this.o.addons.get(`${this.o.cluster}/${addon}`);
    if (!mca || mca.metadata.deletionTimestamp) return;
    if ((mca.status?.healthCheck?.mode ?? 'Lease') !== 'Lease') return;
    const ns = installNamespace(mca);
    const lease = this.o.leases.get(`${ns}/${addon}`) as { spec?: { renewTime?: string } } | undefined;
    const renew = lease?.spec?.renewTime ? new Date(lease.spec.renewTime) : undefined;
    const v = leaseVerdict(addon, renew, new Date());
    const conditions = setCondition(mca.status?.conditions as Condition[] | undefined, v.condition);
    if (conditions.changed) await patchStatus(this.o.hub(), MANAGED_CLUSTER_ADDONS_V1BETA1, mca, { conditions });
    return { requeueAfterMs: v.recheckMs };
  }
}

export interface AddonLeaseOptions {
  cluster: string;
  hub: () => KubeClient;
  spoke: KubeClient;
  addons: ListWatchInformer<ManagedClusterAddOn>;
  /** Leases on the spoke (all namespaces): an add-on's is named after it, in its install namespace. */
  leases: ListWatchInformer<KubeObject>;
  log: Logger;
}

export class AddonLeaseReporter {
  private readonly controller: Controller;
  constructor(o: AddonLeaseOptions) {
    this.controller = new Controller({ reconciler: new LeaseReconciler(o) }, o.log.child({ controller: 'addon-lease' }));
    // A lease renewed, stopped or removed is news at once (only leases named after an add-on of this cluster).
    this.controller.watches(o.leases, (l) => (o.addons.get(`${o.cluster}/${l.metadata?.name}`) ? [l.metadata!.name!] : []));
    this.controller.watches(o.addons, (a, old, e) => (e === 'delete' || (old && old.status?.healthCheck?.mode === a.status?.healthCheck?.mode && old.status?.namespace === a.status?.namespace) ? [] : [a.metadata?.name ?? '']));
  }

  run(signal: AbortSignal): Promise<void> {
    return this.controller.run(signal);
  }
}
