/**
 * ManifestWorkReplicaSet controller (work.open-cluster-management.io/v1alpha1),
 * keyed "namespace/name":
 * - live: finalizer `work.open-cluster-management.io/manifest-work-cleanup` added; one ManifestWork
 *   per (placementRef, decided cluster) created (generateName `<set name>`, as OCM), brought back
 *   to the template when it drifts (PUT guarded by resourceVersion), deleted when its cluster is
 *   no longer decided or its placement left the spec; creates and updates only for the clusters
 *   the placementRef's rollout strategy lets in now (mwrs-rollout.ts), the key coming back at the
 *   next deadline or end of soak; status summary and conditions from the works' conditions
 *   (mwrs-plan.ts); a strategy that cannot be read: PlacementVerified False NotAsExpected;
 * - a placementRef whose Placement is missing: PlacementVerified False PlacementDecisionNotFound
 *   and its works are left alone;
 * - deleting: every work deleted; the finalizer goes at once (Background, the default) or once
 *   the works are gone (Foreground).
 * Works created by generateName reach the informer a moment later: until then the pair is
 * remembered as created, so a second pass cannot create a duplicate.
 */
import type { KubeObject } from '../../kube/client.js';
import { describeError, isConflict, isNotFound, isNamespaceTerminating } from '../../kube/errors.js';
import { resourcePath } from '../../kube/resources.js';
import { FINALIZER, LABEL } from '../../api/names.js';
import { MANIFEST_WORKS, MANIFEST_WORK_REPLICA_SETS, TYPE, type ManifestWork, type ManifestWorkReplicaSet, type PlacementDecision } from '../../api/index.js';
import type { KeysFn } from '../core/controller.js';
import type { Reconciler, ReconcileResult } from '../core/types.js';
import { forEachLimit } from '../core/limit.js';
import { addFinalizer, patchStatus, removeFinalizer } from '../core/patch.js';
import { nsKey, type HubDeps, type HubInformers } from './deps.js';
import { keyFromLabelValue, pairKey, planWorks, replicaSetLabelValue, replicaSetStatus, workIsCurrent, workLabels, type PlacementView } from './mwrs-plan.js';
import { planRollout, workRolloutStatus, type ClusterRollout, type Group } from './mwrs-rollout.js';
import { deleteIfPresent } from './write.js';

/** Work writes a pass sends at once (a set over many clusters need not wait for each in turn). */
export const WRITES_IN_FLIGHT = 8;
/** How long a created work is assumed on its way to the informer. */
export const CREATE_EXPECTATION_MS = 30_000;

export class ManifestWorkReplicaSetReconciler implements Reconciler {
  readonly name = 'manifestworkreplicaset';
  /** set key → pair → when its work was created (not yet seen by the informer). */
  private readonly created = new Map<string, Map<string, number>>();

  constructor(private readonly deps: HubDeps) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    let m = this.deps.informers.replicaSets.get(key);
    if (!m) return void this.created.delete(key);
    const works = this.deps.informers.works.list((w) => w.metadata.labels?.[LABEL.mwrs] === replicaSetLabelValue(m!));
    try {
      if (m.metadata.deletionTimestamp) return await this.finalize(m, works);
      m = await addFinalizer(this.deps.client, MANIFEST_WORK_REPLICA_SETS, m, FINALIZER.mwrsCleanup);
      return await this.deploy(key, m, works);
    } catch (e) {
      // The cache showed a set that has just been deleted: nothing left to do for it.
      if (!isNotFound(e)) throw e;
    }
  }

  private async finalize(m: ManifestWorkReplicaSet, works: ManifestWork[]): Promise<void> {
    if (!m.metadata.finalizers?.includes(FINALIZER.mwrsCleanup)) return;
    for (const w of works) if (!w.metadata.deletionTimestamp) await this.deleteWork(w);
    // Foreground keeps the set until its works are gone; their delete events bring the key back.
    if (m.spec?.cascadeDeletionPolicy === 'Foreground' && works.length > 0) return;
    await removeFinalizer(this.deps.client, MANIFEST_WORK_REPLICA_SETS, m, FINALIZER.mwrsCleanup);
    this.created.delete(nsKey(m.metadata.namespace!, m.metadata.name!));
  }

  private async deploy(key: string, m: ManifestWorkReplicaSet, works: ManifestWork[]): Promise<ReconcileResult | void> {
    const inf = this.deps.informers;
    const ns = m.metadata.namespace!;
    const wanted = new Map<string, string[] | undefined>();
    const groups = new Map<string, Group[]>();
    const placements: Omit<PlacementView, 'existing'>[] = [];
    for (const ref of m.spec?.placementRefs ?? []) {
      const p = inf.placements.get(nsKey(ns, ref.name));
      if (!p) {
        wanted.set(ref.name, undefined);
        continue;
      }
      placements.push({ name: ref.name, selected: p.status?.numberOfSelectedClusters ?? 0, groups: (p.status?.decisionGroups ?? []).length });
      const decisions = inf.placementDecisions.list((d) => d.metadata.namespace === ns && d.metadata.labels?.[LABEL.placement] === ref.name);
      wanted.set(ref.name, [...new Set(decisions.flatMap((d) => (d.status?.decisions ?? []).map((x) => x.clusterName)))].sort());
      groups.set(ref.name, decisionGroups(decisions));
    }
    const missing = [...wanted.values()].includes(undefined);

    const plan = planWorks(m, wanted, works);
    const pending = this.pendingCreates(key, plan.kept);
    const rollout = this.rollout(m, groups, plan, pending);
    const errors: { what: string; err: unknown }[] = [];
    const attempt = async (what: string, fn: () => Promise<unknown>) =>
      fn().catch((err: unknown) => {
        // A cluster namespace being deleted takes no new work: its cluster is leaving, not an error.
        if (isNamespaceTerminating(err)) return;
        errors.push({ what, err });
      });
    await forEachLimit(plan.remove, WRITES_IN_FLIGHT, (w) => attempt(`delete ${nsKey(w.metadata.namespace!, w.metadata.name!)}`, () => this.deleteWork(w)));
    // With a placement missing OCM stops before touching the works of the others.
    if (!missing) {
      plan.update = plan.update.filter((u) => rollout.allowed.has(pairKey(u.work.metadata.namespace!, u.placement)));
      plan.create = plan.create.filter((c) => rollout.allowed.has(pairKey(c.cluster, c.placement)));
      await forEachLimit(plan.update, WRITES_IN_FLIGHT, (u) => attempt(`update ${u.work.metadata.name}`, () => this.updateWork(m, u.work, u.placement)));
      const creates = plan.create.filter((c) => !pending.has(pairKey(c.cluster, c.placement)));
      await forEachLimit(creates, WRITES_IN_FLIGHT, (c) => attempt(`create in ${c.cluster}`, () => this.createWork(m, c.cluster, c.placement, pending)));
    }

    const kept = [...plan.kept.values()];
    const existing = (p: string) =>
      kept.filter((w) => w.metadata.labels?.[LABEL.mwrsPlacement] === p).length + (wanted.get(p) ?? []).filter((c) => pending.has(pairKey(c, p))).length;
    const status = replicaSetStatus(
      m,
      {
        missing,
        strategyError: rollout.error,
        existing: m.spec?.placementRefs?.reduce((n, r) => n + existing(r.name), 0),
        total: [...wanted.values()].reduce((n, c) => n + (c?.length ?? 0), 0),
        kept,
        updated: new Set(plan.update.map((u) => u.work)),
        placements: placements.map((p) => ({ ...p, existing: existing(p.name) })),
      },
      this.deps.now(),
    );
    await patchStatus(this.deps.client, MANIFEST_WORK_REPLICA_SETS, m, status);
    if (errors.length === 0) return rollout.recheckAfterMs !== undefined ? { requeueAfterMs: rollout.recheckAfterMs } : undefined;
    // Only stale-cache conflicts: rethrow one as is, so the controller retries at once, quietly.
    if (errors.every((e) => isConflict(e.err))) throw errors[0]!.err;
    throw new Error(errors.map((e) => `${e.what}: ${describeError(e.err)}`).join('; '));
  }

  /**
   * Per placementRef, the pairs its rollout strategy lets in now: works at the template are judged
   * by their conditions, a create still on its way counts as in flight.
   */
  private rollout(
    m: ManifestWorkReplicaSet,
    groups: Map<string, Group[]>,
    plan: ReturnType<typeof planWorks>,
    pending: Map<string, number>,
  ): { allowed: Set<string>; recheckAfterMs?: number; error?: string } {
    const allowed = new Set<string>();
    let recheck: number | undefined;
    let error: string | undefined;
    const stale = new Set(plan.update.map((u) => u.work));
    for (const ref of m.spec?.placementRefs ?? []) {
      const g = groups.get(ref.name);
      if (!g) continue;
      const known = new Map<string, ClusterRollout>();
      for (const c of g.flatMap((x) => x.clusters)) {
        const w = plan.kept.get(pairKey(c, ref.name));
        if (w && !stale.has(w) && workIsCurrent(w, m, ref.name)) known.set(c, workRolloutStatus(c, w));
        else if (!w && pending.has(pairKey(c, ref.name))) known.set(c, { cluster: c, status: 'ToApply' });
      }
      try {
        const r = planRollout(ref.rolloutStrategy as never, g, known, this.deps.now().getTime());
        for (const c of r.toRollout) if (c.status === 'ToApply') allowed.add(pairKey(c.cluster, ref.name));
        if (r.recheckAfterMs !== undefined) recheck = Math.min(recheck ?? Infinity, r.recheckAfterMs);
      } catch (e) {
        error = `placementRef ${ref.name}: ${(e as Error).message}`;
      }
    }
    return { allowed, recheckAfterMs: recheck, error };
  }

  /** Pairs created earlier whose work the informer has not shown yet (expired ones forgotten). */
  private pendingCreates(key: string, kept: Map<string, ManifestWork>): Map<string, number> {
    let pending = this.created.get(key);
    if (!pending) this.created.set(key, (pending = new Map()));
    const now = this.deps.now().getTime();
    for (const [pair, at] of pending) if (kept.has(pair) || now - at > CREATE_EXPECTATION_MS) pending.delete(pair);
    return pending;
  }

  private async createWork(m: ManifestWorkReplicaSet, cluster: string, placement: string, pending: Map<string, number>): Promise<void> {
    const body = {
      ...TYPE.manifestWork,
      metadata: { generateName: m.metadata.name, namespace: cluster, labels: workLabels(m, placement) },
      spec: m.spec?.manifestWorkTemplate ?? {},
    };
    const w = await this.deps.client.create<ManifestWork>(resourcePath({ ...MANIFEST_WORKS, namespace: cluster }), body);
    pending.set(pairKey(cluster, placement), this.deps.now().getTime());
    this.deps.log.info('manifestwork created', { set: nsKey(m.metadata.namespace!, m.metadata.name!), work: nsKey(cluster, w.metadata.name!) });
  }

  private async updateWork(m: ManifestWorkReplicaSet, w: ManifestWork, placement: string): Promise<void> {
    // A PUT of the cached object: a stale cache fails with 409 and the key is retried.
    const body = { ...w, metadata: { ...w.metadata, labels: { ...(w.metadata.labels ?? {}), ...workLabels(m, placement) } }, spec: m.spec?.manifestWorkTemplate ?? {} };
    await this.deps.client.replace(resourcePath({ ...MANIFEST_WORKS, namespace: w.metadata.namespace!, name: w.metadata.name! }), body);
    this.deps.log.info('manifestwork updated to the template', { work: nsKey(w.metadata.namespace!, w.metadata.name!) });
  }

  private async deleteWork(w: ManifestWork): Promise<void> {
    if (await deleteIfPresent(this.deps.client, { ...MANIFEST_WORKS, namespace: w.metadata.namespace!, name: w.metadata.name! })) {
      this.deps.log.info('manifestwork deleted', { work: nsKey(w.metadata.namespace!, w.metadata.name!) });
    }
  }
}

/** Which sets a change wakes: a work by its label, a placement or its decisions by name. */
export function replicaSetKeyFns(inf: HubInformers) {
  const usingPlacement = (ns: string, placement: string) =>
    inf.replicaSets
      .list((m) => m.metadata.namespace === ns && (m.spec?.placementRefs ?? []).some((r) => r.name === placement))
      .map((m) => nsKey(ns, m.metadata.name!));
  const work: KeysFn<KubeObject> = (o) => {
    const k = keyFromLabelValue(o.metadata?.labels?.[LABEL.mwrs]);
    return k ? [k] : [];
  };
  const placement: KeysFn<KubeObject> = (o) => usingPlacement(o.metadata!.namespace!, o.metadata!.name!);
  const decision: KeysFn<KubeObject> = (o) => {
    const p = o.metadata?.labels?.[LABEL.placement];
    return p ? usingPlacement(o.metadata!.namespace!, p) : [];
  };
  return { work, placement, decision };
}

/** The placement's decision groups, from the group labels its scheduler puts on each decision. */
export function decisionGroups(decisions: PlacementDecision[]): Group[] {
  const byIndex = new Map<number, Group>();
  for (const d of decisions) {
    const index = Number(d.metadata.labels?.[LABEL.decisionGroupIndex] ?? 0);
    const g = byIndex.get(index) ?? { index, name: d.metadata.labels?.[LABEL.decisionGroupName] ?? '', clusters: [] };
    byIndex.set(index, g);
    for (const x of d.status?.decisions ?? []) if (!g.clusters.includes(x.clusterName)) g.clusters.push(x.clusterName);
  }
  return [...byIndex.values()].sort((a, b) => a.index - b.index);
}
