/**
 * Accept and deny (ocm-protocol.md §2 "On accept"). Keyed by cluster name.
 * - never accepted (no HubAcceptedManagedCluster condition): nothing at all;
 * - accepted: namespace, `api-resource-cleanup` finalizer, per-cluster and shared RBAC, condition
 *   True `HubClusterAdminAccepted` (False `Error` with the failures when an apply fails);
 * - denied after an accept: read-only ClusterRole, RoleBindings deleted (the work one lingers on its
 *   finalizer until the namespace has no ManifestWorks), condition False `HubClusterAdminDenied`.
 * Deleting or deleted clusters belong to cleanup.ts. Every check reads the informers first, so a
 * reconcile of a cluster already in its wanted state sends nothing.
 */
import type { KubeObject } from '../../kube/client.js';
import { describeError } from '../../kube/errors.js';
import { COND, FINALIZER, LABEL, RBAC, REASON } from '../../api/names.js';
import { MANAGED_CLUSTERS, type ManagedCluster } from '../../api/index.js';
import type { Reconciler, ReconcileResult } from '../core/types.js';
import { findCondition, hasCondition, setCondition, type Condition, type ConditionInput } from '../core/conditions.js';
import { addFinalizer, guardedMergePatch, patchStatus } from '../core/patch.js';
import {
  clusterNamespace,
  clusterRole,
  clusterRoleBinding,
  registrationRoleBinding,
  sameRules,
  sharedClusterRoles,
  workRoleBinding,
  type ClusterRole,
  type RoleBinding,
} from './cluster-rbac.js';
import { HUB_WATCHES, inNamespace, nsKey, type HubDeps } from './deps.js';
import { applyOwned, deleteIfPresent, withoutFinalizers } from './write.js';

const W = HUB_WATCHES;

export const ACCEPTED: ConditionInput = {
  type: COND.cluster.hubAccepted,
  status: 'True',
  reason: REASON.cluster.adminAccepted,
  message: 'Accepted by hub cluster admin',
};
export const DENIED: ConditionInput = {
  type: COND.cluster.hubAccepted,
  status: 'False',
  reason: REASON.cluster.adminDenied,
  message: 'Denied by hub cluster admin',
};
export const acceptError = (message: string): ConditionInput => ({
  type: COND.cluster.hubAccepted,
  status: 'False',
  reason: REASON.cluster.acceptError,
  message,
});

/** What the hub should do for a live cluster, from its spec and conditions alone. */
export function acceptAction(cluster: ManagedCluster): 'none' | 'accept' | 'deny' {
  if (cluster.metadata.deletionTimestamp) return 'none';
  if (cluster.spec?.hubAcceptsClient) return 'accept';
  return findCondition(cluster.status?.conditions as Condition[] | undefined, COND.cluster.hubAccepted) ? 'deny' : 'none';
}

/** Whether a cached RBAC object already matches what we would apply (labels, rules, subjects). */
export function rbacUpToDate(cached: KubeObject | undefined, want: KubeObject): boolean {
  if (!cached || cached.metadata?.deletionTimestamp) return false;
  for (const [k, v] of Object.entries(want.metadata?.labels ?? {})) if (cached.metadata?.labels?.[k] !== v) return false;
  for (const f of want.metadata?.finalizers ?? []) if (!cached.metadata?.finalizers?.includes(f)) return false;
  if ('rules' in want && !sameRules((cached as ClusterRole).rules, (want as ClusterRole).rules)) return false;
  if ('roleRef' in want) {
    const c = cached as RoleBinding;
    const w = want as RoleBinding;
    if (c.roleRef?.name !== w.roleRef.name || c.roleRef?.kind !== w.roleRef.kind) return false;
    const names = (s: RoleBinding['subjects'] | undefined) => JSON.stringify((s ?? []).map((x) => `${x.kind}/${x.name}`).sort());
    if (names(c.subjects) !== names(w.subjects)) return false;
  }
  return true;
}

export class ManagedClusterReconciler implements Reconciler {
  readonly name = 'managedcluster';

  constructor(private readonly deps: HubDeps) {}

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const cluster = this.deps.informers.clusters.get(name);
    if (!cluster) return;
    const action = acceptAction(cluster);
    if (action === 'accept') await this.accept(cluster);
    else if (action === 'deny') await this.deny(cluster);
  }

  private async accept(observed: ManagedCluster): Promise<void> {
    const { client, informers: inf, log } = this.deps;
    const c = observed.metadata.name!;
    const errors: string[] = [];
    const ns = inf.namespaces.get(c);
    // A terminating namespace takes nothing new; its delete event brings this key back.
    const nsGoing = !!ns?.metadata?.deletionTimestamp;
    if (nsGoing) errors.push(`namespace ${c} is being deleted; the accept completes once it is gone`);
    const apply = async (obj: KubeObject, kind: keyof typeof W) => {
      const key = obj.metadata?.namespace ? nsKey(obj.metadata.namespace, obj.metadata.name!) : obj.metadata!.name!;
      const cached = inf[kind].get(key);
      if (rbacUpToDate(cached, obj)) return;
      // A binding still terminating after a deny comes back through its delete event.
      if (cached?.metadata?.deletionTimestamp) return;
      await applyOwned(client, W[kind].ref, obj).catch((e: unknown) => errors.push(`${obj.kind} ${obj.metadata?.name}: ${describeError(e)}`));
    };
    // The writes that need nothing of each other go out together (each cluster is about six
    // writes; one after another they made the accept of 1,000 clusters queue behind round trips):
    // the namespace, the finalizer and the roles first, then the bindings, since a binding may
    // only be made to a role that exists (we hold its rules, not `bind`: rbac.ts) and the
    // namespaced ones need the namespace.
    const namespace = async () => {
      if (nsGoing || (ns && ns.metadata?.labels?.[LABEL.clusterName] === c)) return;
      await applyOwned(client, W.namespaces.ref, clusterNamespace(c)).catch((e: unknown) => errors.push(`namespace ${c}: ${describeError(e)}`));
    };
    const [cluster] = await Promise.all([
      addFinalizer(client, MANAGED_CLUSTERS, observed, FINALIZER.apiResourceCleanup),
      namespace(),
      ...sharedClusterRoles().map((r) => apply(r, 'clusterRoles')),
      apply(clusterRole(c, true), 'clusterRoles'),
    ]);
    // Skipped (and reported) when the namespace or a role failed.
    if (!errors.length) {
      await Promise.all([
        apply(clusterRoleBinding(c), 'clusterRoleBindings'),
        apply(registrationRoleBinding(c), 'roleBindings'),
        apply(workRoleBinding(c), 'roleBindings'),
      ]);
    }
    const condition = errors.length ? acceptError(errors.join('; ')) : ACCEPTED;
    await this.setAccepted(cluster, condition);
    if (nsGoing && errors.length === 1) return;
    if (errors.length) throw new Error(`accepting cluster ${c}: ${errors.join('; ')}`);
    if (!hasCondition(observed.status?.conditions as Condition[], ACCEPTED)) log.info('cluster accepted', { cluster: c });
  }

  private async deny(cluster: ManagedCluster): Promise<void> {
    const { client, informers: inf, log } = this.deps;
    const c = cluster.metadata.name!;
    const readOnly = clusterRole(c, false);
    if (!rbacUpToDate(inf.clusterRoles.get(readOnly.metadata!.name!), readOnly)) await applyOwned(client, W.clusterRoles.ref, readOnly);
    const crb = clusterRoleBinding(c);
    if (!rbacUpToDate(inf.clusterRoleBindings.get(crb.metadata!.name!), crb)) await applyOwned(client, W.clusterRoleBindings.ref, crb);
    await removeAgentRoleBindings(this.deps, c);
    if (!hasCondition(cluster.status?.conditions as Condition[], DENIED)) {
      await this.setAccepted(cluster, DENIED);
      log.info('cluster denied: agent permissions reduced to reading its ManagedCluster', { cluster: c });
    }
  }

  private async setAccepted(cluster: ManagedCluster, condition: ConditionInput): Promise<void> {
    const conditions = cluster.status?.conditions as Condition[] | undefined;
    if (hasCondition(conditions, condition)) return;
    await patchStatus(this.deps.client, MANAGED_CLUSTERS, cluster, { conditions: setCondition(conditions, condition, this.deps.now()) });
  }
}

/**
 * Deletes the registration and work RoleBindings of cluster `c`. The work binding keeps its
 * finalizer while ManifestWorks remain in the namespace (the work agent still needs it to finish
 * them), and loses it once there are none. Returns true when nothing is left.
 */
export async function removeAgentRoleBindings(deps: HubDeps, c: string): Promise<boolean> {
  const { client, informers: inf } = deps;
  const reg = inf.roleBindings.get(nsKey(c, RBAC.registrationRoleBinding(c)));
  if (reg && !reg.metadata?.deletionTimestamp) {
    await deleteIfPresent(client, { ...W.roleBindings.ref, namespace: c, name: RBAC.registrationRoleBinding(c) });
  }
  const work = inf.roleBindings.get(nsKey(c, RBAC.workRoleBinding(c)));
  if (!work) return !reg;
  if (!work.metadata?.deletionTimestamp) {
    await deleteIfPresent(client, { ...W.roleBindings.ref, namespace: c, name: RBAC.workRoleBinding(c) });
    return false;
  }
  if (inNamespace(inf.works, c).length > 0) return false;
  if (work.metadata.finalizers?.includes(FINALIZER.manifestWorkCleanup)) {
    await guardedMergePatch(client, W.roleBindings.ref, work, {
      metadata: { finalizers: withoutFinalizers(work.metadata.finalizers, FINALIZER.manifestWorkCleanup) },
    });
  }
  return false;
}

/**
 * The shared agent ClusterRoles exist while at least one ManagedCluster does (single key).
 * Deleting them when the last cluster goes keeps a clean hub clean.
 */
export class SharedClusterRolesReconciler implements Reconciler {
  static readonly KEY = 'shared-clusterroles';
  readonly name = 'shared-clusterroles';

  constructor(private readonly deps: HubDeps) {}

  async reconcile(): Promise<ReconcileResult | void> {
    const { client, informers: inf } = this.deps;
    const any = inf.clusters.list().length > 0;
    for (const role of sharedClusterRoles()) {
      const cached = inf.clusterRoles.get(role.metadata!.name!);
      if (any && !rbacUpToDate(cached, role)) await applyOwned(client, W.clusterRoles.ref, role);
      if (!any && cached) await deleteIfPresent(client, { ...W.clusterRoles.ref, name: role.metadata!.name! });
    }
  }
}
