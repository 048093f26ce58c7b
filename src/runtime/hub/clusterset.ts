/**
 * Cluster sets (ocm-protocol.md §2 "Cluster sets and bindings"):
 * - the built-in sets `default` (ExclusiveClusterSetLabel) and `global` (LabelSelector {}) exist and
 *   keep their selector, unless annotated `cluster.open-cluster-management.io/autoupdate: "false"`;
 * - every set's status has `ClusterSetEmpty` (True `NoClusterMatched` / False `ClustersSelected`);
 * - a cluster without the set label gets `default` (OCM's mutating webhook does this at admission);
 * - a binding is `Bound` True `ClusterSetBound` when its set exists, else False `ClusterSetNotFound`.
 */
import { ANNOTATION, CLUSTERSET, COND, LABEL, REASON } from '../../api/names.js';
import {
  MANAGED_CLUSTERS,
  MANAGED_CLUSTER_SETS,
  MANAGED_CLUSTER_SET_BINDINGS,
  TYPE,
  type ManagedCluster,
  type ManagedClusterSet,
} from '../../api/index.js';
import { isAlreadyExists } from '../../kube/errors.js';
import { resourcePath } from '../../kube/resources.js';
import type { Reconciler, ReconcileResult } from '../core/types.js';
import { hasCondition, setCondition, type Condition, type ConditionInput } from '../core/conditions.js';
import { guardedMergePatch, patchStatus } from '../core/patch.js';
import type { HubDeps } from './deps.js';
import { matchesSelector, type LabelSelector } from './selector.js';

type ClusterSelector = NonNullable<NonNullable<ManagedClusterSet['spec']>['clusterSelector']>;

/** The selectors OCM defines for the built-in sets. */
export const BUILT_IN_SELECTORS: Readonly<Record<string, ClusterSelector>> = Object.freeze({
  [CLUSTERSET.default]: { selectorType: 'ExclusiveClusterSetLabel' },
  [CLUSTERSET.global]: { selectorType: 'LabelSelector', labelSelector: {} },
});

const isEmptySelector = (s: LabelSelector | undefined) =>
  !!s && Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;

/** Whether a set's selector is the built-in one (an absent selector defaults to exclusive). */
export function hasBuiltInSelector(name: string, sel: ClusterSelector | undefined): boolean {
  const want = BUILT_IN_SELECTORS[name];
  if (!want) return true;
  const type = sel?.selectorType ?? 'ExclusiveClusterSetLabel';
  if (type !== want.selectorType) return false;
  return want.labelSelector ? isEmptySelector(sel?.labelSelector) : !sel?.labelSelector;
}

/** Merge patch that restores a built-in selector (nulls clear whatever a user added). */
export function builtInSelectorPatch(name: string): Record<string, unknown> {
  const want = BUILT_IN_SELECTORS[name]!;
  const labelSelector = want.labelSelector ? { matchLabels: null, matchExpressions: null } : null;
  return { clusterSelector: { selectorType: want.selectorType, labelSelector } };
}

/** Whether `cluster` is a member of `set`. */
export function inClusterSet(set: ManagedClusterSet, cluster: ManagedCluster): boolean {
  const sel = set.spec?.clusterSelector;
  if ((sel?.selectorType ?? 'ExclusiveClusterSetLabel') === 'ExclusiveClusterSetLabel') {
    return cluster.metadata.labels?.[LABEL.clusterSet] === set.metadata.name;
  }
  return matchesSelector((sel?.labelSelector ?? {}) as LabelSelector, cluster.metadata.labels);
}

export function emptyCondition(count: number): ConditionInput {
  return count === 0
    ? { type: COND.clusterSet.empty, status: 'True', reason: REASON.clusterSet.noneMatched, message: 'No ManagedCluster selected' }
    : { type: COND.clusterSet.empty, status: 'False', reason: REASON.clusterSet.selected, message: `${count} ManagedClusters selected` };
}

export function boundCondition(setExists: boolean): ConditionInput {
  return setExists
    ? { type: COND.binding.bound, status: 'True', reason: REASON.binding.bound, message: '' }
    : { type: COND.binding.bound, status: 'False', reason: REASON.binding.notFound, message: '' };
}

export class ClusterSetReconciler implements Reconciler {
  /** Keys to reconcile at start even when no object exists yet. */
  static readonly SEED_KEYS = [CLUSTERSET.default, CLUSTERSET.global];
  readonly name = 'clusterset';

  constructor(private readonly deps: HubDeps) {}

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const { client, informers: inf, log } = this.deps;
    let set = inf.clusterSets.get(name);
    const builtIn = BUILT_IN_SELECTORS[name];
    if (!set) {
      if (!builtIn) return;
      const body = { ...TYPE.managedClusterSet, metadata: { name }, spec: { clusterSelector: builtIn } };
      const created = await client.create(resourcePath(MANAGED_CLUSTER_SETS), body).catch((e: unknown) => {
        if (!isAlreadyExists(e)) throw e;
      });
      if (created) log.info('created built-in cluster set', { set: name });
      return; // its add event brings the status pass
    }
    if (set.metadata.deletionTimestamp) return;
    if (builtIn && set.metadata.annotations?.[ANNOTATION.clusterSetAutoUpdate] !== 'false' && !hasBuiltInSelector(name, set.spec?.clusterSelector)) {
      set = await guardedMergePatch<ManagedClusterSet>(client, MANAGED_CLUSTER_SETS, set, { spec: builtInSelectorPatch(name) });
      log.info('restored the selector of a built-in cluster set', { set: name });
    }
    const count = inf.clusters.list((c) => inClusterSet(set, c)).length;
    const cond = emptyCondition(count);
    const conditions = set.status?.conditions as Condition[] | undefined;
    if (hasCondition(conditions, cond)) return;
    await patchStatus(client, MANAGED_CLUSTER_SETS, set, { conditions: setCondition(conditions, cond, this.deps.now()) });
  }
}

/** Puts clusters without a (non-empty) set label into `default`, keyed by cluster name. */
export class ClusterSetLabelReconciler implements Reconciler {
  readonly name = 'clusterset-label';

  constructor(private readonly deps: HubDeps) {}

  async reconcile(c: string): Promise<ReconcileResult | void> {
    const cluster = this.deps.informers.clusters.get(c);
    // As OCM's mutating webhook: a missing or empty set label means `default`.
    if (!cluster || cluster.metadata.deletionTimestamp || cluster.metadata.labels?.[LABEL.clusterSet]) return;
    // A merge patch: the other labels stay.
    await guardedMergePatch(this.deps.client, MANAGED_CLUSTERS, cluster, { metadata: { labels: { [LABEL.clusterSet]: CLUSTERSET.default } } });
    this.deps.log.info('cluster joined the default set', { cluster: c });
  }
}

/** Binding status, keyed "namespace/name". */
export class ClusterSetBindingReconciler implements Reconciler {
  readonly name = 'clustersetbinding';

  constructor(private readonly deps: HubDeps) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { client, informers: inf } = this.deps;
    const binding = inf.clusterSetBindings.get(key);
    if (!binding || binding.metadata.deletionTimestamp) return;
    const set = inf.clusterSets.get(binding.spec.clusterSet);
    const cond = boundCondition(!!set);
    const conditions = binding.status?.conditions as Condition[] | undefined;
    if (hasCondition(conditions, cond)) return;
    await patchStatus(client, MANAGED_CLUSTER_SET_BINDINGS, binding, { conditions: setCondition(conditions, cond, this.deps.now()) });
  }
}
