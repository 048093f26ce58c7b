/**
 * The ManagedCluster status the agent reports (ocm-protocol.md §1 "Status the agent reports"), in
 * OCM's order, and only after `HubAcceptedManagedCluster=True`:
 *  1. `ManagedClusterJoined=True`;
 *  2. `ManagedClusterConditionAvailable` from the spoke's /livez (/healthz on 404/403): True at
 *     once, False only after failures lasting 20 s (meanwhile the condition is left as it is);
 *  3. `version.kubernetes` (spoke /version), `capacity` (all Nodes; entries others added are
 *     kept) and `allocatable` (schedulable Nodes);
 *  4. `clusterClaims` from ClusterClaims (plus `id.k8s.io`, created on the spoke when absent);
 * plus the registration's `ClusterCertificateRotated`. Written as OCM writes: a merge patch of
 * /status guarded by uid and resourceVersion, only when something changed, never while the hub
 * says `ManagedClusterConditionClockSynced=False`. Runs on hub ManagedCluster, Node and
 * ClusterClaim events and every 60 s.
 */
import type { KubeClient } from '../../kube/client.js';
import { describeError, isAlreadyExists } from '../../kube/errors.js';
import { resourcePath } from '../../kube/resources.js';
import { NAMESPACES } from '../../kube/core.js';
import { CLUSTER_CLAIMS, MANAGED_CLUSTERS, TYPE, type ClusterClaim, type ManagedCluster } from '../../api/index.js';
import { CLAIM, COND, LABEL, MANAGED_BY, REASON } from '../../api/names.js';
import { isFalse, isTrue, setCondition, type Condition, type ConditionInput } from '../core/conditions.js';
import { patchStatus, retryOnConflict } from '../core/patch.js';
import type { Informer, Logger, ReconcileResult, Reconciler } from '../core/types.js';
import { clusterClaimsForStatus, type ClaimOptions, type ClaimValue } from './claims.js';
import { sumNodeResources, type NodeLike, type ResourceList } from './node-resources.js';
import type { SpokeProbe } from './spoke-probe.js';

export const FAILURE_THRESHOLD_MS = 20_000;
/** While the spoke apiserver fails but not yet for 20 s, look again this soon. */
const RECHECK_MS = 5_000;

export interface HubSession {
  client: KubeClient;
  /** The agent's own ManagedCluster (field selector on its name). */
  clusters: Informer<ManagedCluster>;
}

export interface StatusDeps {
  cluster: string;
  /** The hub session of the identity in use (it changes on certificate rotation). */
  hub: () => HubSession | undefined;
  spoke: KubeClient;
  nodes: Informer<NodeLike>;
  claims: Informer<ClusterClaim>;
  probe: SpokeProbe;
  certCondition: () => ConditionInput | undefined;
  log: Logger;
  claimOptions?: ClaimOptions;
  /** Resync period (default 60 s). */
  resyncMs?: number;
  now?: () => number;
}

/** What the spoke looks like now; undefined parts are left untouched in the status. */
interface Observed {
  available?: ConditionInput;
  resources?: { version: string; capacity: ResourceList; allocatable: ResourceList };
  claims?: ClaimValue[];
  requeueAfterMs: number;
}

export class ClusterStatusReconciler implements Reconciler {
  readonly name = 'managed-cluster-status';
  private firstFailure: number | undefined;
  private idClaimDone = false;
  private clockWarned = false;
  private truncatedWarned = -1;
  private readonly now: () => number;
  private readonly resyncMs: number;

  constructor(private readonly deps: StatusDeps) {
    this.now = deps.now ?? Date.now;
    this.resyncMs = deps.resyncMs ?? 60_000;
  }

  async reconcile(): Promise<ReconcileResult> {
    try {
      return await this.reconcileStatus();
    } finally {
      // After the status write, so a slow spoke never delays it; the new claim comes back as an event.
      await this.ensureIdClaim();
    }
  }

  private async reconcileStatus(): Promise<ReconcileResult> {
    const session = this.deps.hub();
    if (!session?.clusters.synced) return {}; // the session's first list enqueues again
    const mc = session.clusters.get(this.deps.cluster);
    if (!mc || !isTrue(mc.status?.conditions as Condition[] | undefined, COND.cluster.hubAccepted)) return {};
    const observed = await this.observe();
    if (isFalse(mc.status?.conditions as Condition[] | undefined, COND.cluster.clockSynced)) {
      if (!this.clockWarned) this.deps.log.warn("the hub says this cluster's clock is out of sync; not updating the managed cluster status");
      this.clockWarned = true;
      return { requeueAfterMs: this.resyncMs };
    }
    this.clockWarned = false;
    const ref = { ...MANAGED_CLUSTERS, name: this.deps.cluster };
    await retryOnConflict(async (attempt) => {
      const base = attempt === 0 ? mc : await session.client.get<ManagedCluster>(resourcePath(ref));
      const written = await patchStatus(session.client, MANAGED_CLUSTERS, base, this.statusFor(base, observed));
      if (written !== base) this.deps.log.debug('managed cluster status updated', { resourceVersion: written.metadata?.resourceVersion });
    });
    return { requeueAfterMs: observed.requeueAfterMs };
  }

  /** The status merge patch for `mc`: full conditions list, and the observed parts. */
  statusFor(mc: ManagedCluster, o: Observed): Record<string, unknown> {
    const now = new Date(this.now());
    const current = (mc.status?.conditions ?? []) as Condition[];
    let conditions: Condition[] = current;
    if (!isTrue(current, COND.cluster.joined)) {
      conditions = setCondition(conditions, { type: COND.cluster.joined, status: 'True', reason: REASON.cluster.joined, message: 'Managed cluster joined' }, now);
    }
    const cert = this.deps.certCondition();
    if (cert) conditions = setCondition(conditions, cert, now);
    if (o.available) conditions = setCondition(conditions, o.available, now);
    const status: Record<string, unknown> = { conditions };
    if (o.resources) {
      status.version = { kubernetes: o.resources.version };
      status.capacity = { ...(mc.status?.capacity ?? {}), ...o.resources.capacity };
      const allocatable: Record<string, string | null> = { ...o.resources.allocatable };
      for (const k of Object.keys(mc.status?.allocatable ?? {})) if (!(k in allocatable)) allocatable[k] = null;
      status.allocatable = allocatable;
    }
    if (o.claims) status.clusterClaims = o.claims;
    return status;
  }

  private async observe(): Promise<Observed> {
    const probe = await this.deps.probe.check();
    const now = this.now();
    if (!probe.ok) {
      this.firstFailure ??= now;
      const failingFor = now - this.firstFailure;
      if (failingFor < FAILURE_THRESHOLD_MS) {
        this.deps.log.debug('spoke kube-apiserver check failed', { status: probe.status, path: probe.path, failingForMs: failingFor });
        return { requeueAfterMs: Math.min(RECHECK_MS, FAILURE_THRESHOLD_MS - failingFor) };
      }
      return {
        available: {
          type: COND.cluster.available,
          status: 'False',
          reason: REASON.cluster.kubeApiServerUnavailable,
          message: `The kube-apiserver is not ok, status code: ${probe.status}, ${probe.detail}`,
        },
        requeueAfterMs: this.resyncMs,
      };
    }
    this.firstFailure = undefined;
    const out: Observed = {
      available: { type: COND.cluster.available, status: 'True', reason: REASON.cluster.available, message: 'Managed cluster is available' },
      requeueAfterMs: this.resyncMs,
    };
    try {
      const version = await this.deps.spoke.get<{ gitVersion?: string }>('/version');
      if (this.deps.nodes.synced) out.resources = { version: version.gitVersion ?? '', ...sumNodeResources(this.deps.nodes.list()) };
    } catch (err) {
      this.deps.log.warn('cannot read the spoke version', { error: describeError(err) });
      return { ...out, requeueAfterMs: RECHECK_MS };
    }
    if (this.deps.claims.synced) {
      const { claims, truncated } = clusterClaimsForStatus(this.deps.claims.list(), this.deps.claimOptions);
      if (truncated > 0 && truncated !== this.truncatedWarned) {
        this.deps.log.warn('too many custom cluster claims; some are not reported', { truncated });
      }
      this.truncatedWarned = truncated;
      out.claims = claims;
    }
    return out;
  }

  /** ClusterClaim `id.k8s.io` = the spoke's kube-system namespace UID, created when absent. */
  private async ensureIdClaim(): Promise<void> {
    if (this.idClaimDone || !this.deps.claims.synced) return;
    if (this.deps.claims.get(CLAIM.id)) {
      this.idClaimDone = true;
      return;
    }
    try {
      const ns = await this.deps.spoke.get<{ metadata?: { uid?: string } }>(resourcePath({ ...NAMESPACES, name: 'kube-system' }));
      const uid = ns.metadata?.uid;
      if (!uid) return;
      await this.deps.spoke.create(resourcePath(CLUSTER_CLAIMS), {
        ...TYPE.clusterClaim,
        metadata: { name: CLAIM.id, labels: { [LABEL.managedBy]: MANAGED_BY } },
        spec: { value: uid },
      });
      this.deps.log.info('created cluster claim', { claim: CLAIM.id, value: uid });
      this.idClaimDone = true;
    } catch (err) {
      if (isAlreadyExists(err)) this.idClaimDone = true;
      else this.deps.log.warn('cannot create the id.k8s.io cluster claim', { error: describeError(err) });
    }
  }
}
