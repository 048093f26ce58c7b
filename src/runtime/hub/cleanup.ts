/**
 * Removal of a ManagedCluster (ocm-protocol.md §2 "Cleanup"), keyed by cluster name.
 * Live clusters carry finalizer `resource-cleanup`. Once one is deleting, in this order:
 * 1. GC: ManagedClusterAddOns (v1beta1), then ManifestWorks in ns <c>, lowest cleanup-priority tier
 *    first; condition `Deleting` False `ResourceRemaining` (counts) until none remain, then True
 *    `NoResource`; False `DeletingError` when a delete fails. Works are finished by the spoke's work
 *    agent (its finalizer), so their delete events bring the key back; a 5 s requeue backs that up.
 * 2. RBAC: the cluster's ClusterRole, ClusterRoleBinding and both RoleBindings; the work binding's
 *    finalizer is dropped once the namespace has no ManifestWorks.
 * 3. Finalizers `resource-cleanup` and `api-resource-cleanup` are removed. The namespace is kept.
 * A cluster gone without this (finalizers stripped by hand) still has its per-cluster RBAC removed.
 */
import type { KubeObject } from '../../kube/client.js';
import { describeError } from '../../kube/errors.js';
import type { ResourceRef } from '../../kube/resources.js';
import { ANNOTATION, COND, FINALIZER, LABEL, RBAC, REASON } from '../../api/names.js';
import { MANAGED_CLUSTERS, type ManagedCluster } from '../../api/index.js';
import type { Informer, Reconciler, ReconcileResult } from '../core/types.js';
import { hasCondition, setCondition, type Condition, type ConditionInput } from '../core/conditions.js';
import { addFinalizer, guardedMergePatch, patchStatus } from '../core/patch.js';
import { HUB_WATCHES, inNamespace, nsKey, type HubDeps } from './deps.js';
import { removeAgentRoleBindings } from './managedcluster.js';
import { deleteIfPresent, withoutFinalizers } from './write.js';

const W = HUB_WATCHES;
/** How often a deleting cluster is looked at again while its works are being finished. */
export const GC_REQUEUE_MS = 5_000;

/** The cleanup-priority of an object: 0–100, anything else (or missing) counts as 0. */
export function cleanupPriority(obj: KubeObject): number {
  const v = obj.metadata?.annotations?.[ANNOTATION.cleanupPriority];
  if (v === undefined || !/^-?\d+$/.test(v.trim())) return 0;
  const n = Number(v);
  return n >= 0 && n <= 100 ? n : 0;
}

/** The objects of the lowest priority tier: the only ones deleted in one pass. */
export function lowestTier<T extends KubeObject>(items: T[]): T[] {
  if (items.length === 0) return [];
  const min = Math.min(...items.map(cleanupPriority));
  return items.filter((o) => cleanupPriority(o) === min);
}

export function remainingCondition(resource: string, items: KubeObject[]): ConditionInput {
  const pending = items.filter((o) => (o.metadata?.finalizers ?? []).length > 0).length;
  return {
    type: COND.cluster.deleting,
    status: 'False',
    reason: REASON.cluster.resourceRemaining,
    message: `The resource ${resource} is remaining, the remaining count is ${items.length}, the finalizer pending count is ${pending}`,
  };
}

export const NO_RESOURCE: ConditionInput = {
  type: COND.cluster.deleting,
  status: 'True',
  reason: REASON.cluster.noResource,
  message: 'No cleaned resource in cluster ns.',
};

export const deletingError = (message: string): ConditionInput => ({
  type: COND.cluster.deleting,
  status: 'False',
  reason: REASON.cluster.deletingError,
  message,
});

/** The cluster-scoped per-cluster RBAC: where it is cached and where it is deleted. */
function clusterScopedRbac(c: string): { informer: 'clusterRoles' | 'clusterRoleBindings'; ref: ResourceRef }[] {
  return [
    { informer: 'clusterRoles', ref: { ...W.clusterRoles.ref, name: RBAC.clusterRole(c) } },
    { informer: 'clusterRoleBindings', ref: { ...W.clusterRoleBindings.ref, name: RBAC.clusterRoleBinding(c) } },
  ];
}

export class CleanupReconciler implements Reconciler {
  readonly name = 'cleanup';

  constructor(private readonly deps: HubDeps) {}

  async reconcile(c: string): Promise<ReconcileResult | void> {
    const { client } = this.deps;
    const cluster = this.deps.informers.clusters.get(c);
    if (!cluster) {
      await this.removeRbac(c);
      return;
    }
    if (!cluster.metadata.deletionTimestamp) {
      await addFinalizer(client, MANAGED_CLUSTERS, cluster, FINALIZER.resourceCleanup);
      return;
    }
    const gc = await this.collectGarbage(cluster);
    if (gc.remaining) return { requeueAfterMs: GC_REQUEUE_MS };
    if (!(await this.removeRbac(c))) return; // RBAC delete events bring the key back
    const ours: string[] = [FINALIZER.resourceCleanup, FINALIZER.apiResourceCleanup];
    if (gc.cluster.metadata.finalizers?.some((f) => ours.includes(f))) {
      await guardedMergePatch(client, MANAGED_CLUSTERS, gc.cluster, { metadata: { finalizers: withoutFinalizers(gc.cluster.metadata.finalizers, ...ours) } });
      this.deps.log.info('cluster cleanup finished, finalizers removed', { cluster: c });
    }
  }

  /** One GC pass: deletes the lowest tier of the first kind that still has objects. */
  private async collectGarbage(cluster: ManagedCluster): Promise<{ remaining: boolean; cluster: ManagedCluster }> {
    const { client, informers: inf } = this.deps;
    const c = cluster.metadata.name!;
    const kinds: [string, Informer<KubeObject>, keyof typeof W][] = [
      ['managedclusteraddons', inf.addons, 'addons'],
      ['manifestworks', inf.works as unknown as Informer<KubeObject>, 'works'],
    ];
    for (const [resource, informer, watch] of kinds) {
      const items = inNamespace(informer, c);
      if (items.length === 0) continue;
      let condition = remainingCondition(resource, items);
      try {
        for (const o of lowestTier(items)) {
          if (o.metadata?.deletionTimestamp) continue;
          await deleteIfPresent(client, { ...W[watch].ref, namespace: c, name: o.metadata!.name! });
        }
      } catch (err) {
        condition = deletingError(`failed to clean up ${resource}: ${describeError(err)}`);
        await this.setDeleting(cluster, condition);
        throw err;
      }
      await this.setDeleting(cluster, condition);
      return { remaining: true, cluster };
    }
    return { remaining: false, cluster: await this.setDeleting(cluster, NO_RESOURCE) };
  }

  private async setDeleting(cluster: ManagedCluster, condition: ConditionInput): Promise<ManagedCluster> {
    const conditions = cluster.status?.conditions as Condition[] | undefined;
    if (hasCondition(conditions, condition)) return cluster;
    return patchStatus(this.deps.client, MANAGED_CLUSTERS, cluster, { conditions: setCondition(conditions, condition, this.deps.now()) });
  }

  /** Deletes the cluster's RBAC; true once none of it is left in the caches. */
  private async removeRbac(c: string): Promise<boolean> {
    const { client, informers: inf } = this.deps;
    let left = false;
    for (const { informer, ref } of clusterScopedRbac(c)) {
      const cached = inf[informer].get(ref.name!);
      // Only objects we labelled for this cluster are ours to delete.
      if (!cached || cached.metadata?.labels?.[LABEL.clusterName] !== c) continue;
      left = true;
      if (!cached.metadata?.deletionTimestamp) await deleteIfPresent(client, ref);
    }
    const bindingsLeft =
      !!inf.roleBindings.get(nsKey(c, RBAC.registrationRoleBinding(c))) || !!inf.roleBindings.get(nsKey(c, RBAC.workRoleBinding(c)));
    if (bindingsLeft) {
      await removeAgentRoleBindings(this.deps, c);
      left = true;
    }
    return !left;
  }
}
