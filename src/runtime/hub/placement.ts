/**
 * The placement scheduler (ocm-protocol.md §4), keyed "namespace/name". Level-based: every pass
 * recomputes the whole answer from the informers (bindings → sets → clusters → predicates →
 * taints → scores → groups) and writes only the difference:
 * - PlacementDecisions `<placement>-decision-<N>` owned by the Placement (controller ownerRef, so
 *   GC deletes them with it): created when missing, labels and status.decisions patched when they
 *   differ, surplus ones deleted;
 * - Placement status (numberOfSelectedClusters, decisionGroups, PlacementSatisfied,
 *   PlacementMisconfigured) patched through /status when it differs.
 * Nothing is sent when nothing changed, so decisions keep their resourceVersion. A timed
 * toleration requeues the key for the instant it lapses; everything else arrives by watch.
 */
import type { KubeObject, OwnerReference } from '../../kube/client.js';
import { isNamespaceTerminating, isNotFound } from '../../kube/errors.js';
import { getOrUndefined, resourcePath } from '../../kube/resources.js';
import { ANNOTATION, LABEL } from '../../api/names.js';
import { PLACEMENTS, PLACEMENT_DECISIONS, TYPE, type Placement, type PlacementDecision } from '../../api/index.js';
import type { Reconciler, ReconcileResult } from '../core/types.js';
import { setCondition, type Condition } from '../core/conditions.js';
import { deepEqual, guardedMergePatch, patchStatus } from '../core/patch.js';
import { inNamespace, nsKey, type HubDeps } from './deps.js';
import { decisionGroups, desiredDecisions, misconfiguredCondition, satisfiedCondition, type DesiredDecision } from './placement-decisions.js';
import { prioritizerWeights, selectClusters, totalScores } from './placement-score.js';
import { clustersOfSets, eligibleClusterSets, filterByPredicates, filterByTaints, predicatesError, tolerationsError, usesCel } from './placement-select.js';
import { deleteIfPresent } from './write.js';

type Decision = { clusterName: string; reason: string };

/** The decisions an object carries, in the shape we write (OCM leaves reason empty, no score). */
const decisionsOf = (d: PlacementDecision | undefined): Decision[] => (d?.status?.decisions ?? []).map((x) => ({ clusterName: x.clusterName, reason: x.reason ?? '' }));

export function ownerRef(p: Placement): OwnerReference {
  return { ...TYPE.placement, name: p.metadata.name!, uid: p.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

export class PlacementReconciler implements Reconciler {
  readonly name = 'placement';

  constructor(private readonly deps: HubDeps) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const inf = this.deps.informers;
    const placement = inf.placements.get(key);
    if (!placement || placement.metadata.deletionTimestamp) return;
    if (placement.metadata.annotations?.[ANNOTATION.placementSchedulingDisable] === 'true') return;
    const ns = placement.metadata.namespace!;
    const name = placement.metadata.name!;
    const now = this.deps.now().getTime();

    const own = inf.placementDecisions.list((d) => d.metadata.namespace === ns && d.metadata.labels?.[LABEL.placement] === name);
    const decided = new Set(own.flatMap((d) => decisionsOf(d).map((x) => x.clusterName)));

    const bindings = inNamespace(inf.clusterSetBindings, ns).filter((b) => !!inf.clusterSets.get(b.metadata.name!));
    const sets = eligibleClusterSets(placement, bindings, (s) => !!inf.clusterSets.get(s));
    const available = clustersOfSets(sets.map((s) => inf.clusterSets.get(s)!), inf.clusters.list());

    const weights = prioritizerWeights(placement);
    const cel = usesCel(placement) ? await import('./placement-cel.js') : undefined;
    let problem = predicatesError(placement, cel) ?? tolerationsError(placement.spec.tolerations) ?? (weights.error && `:${weights.error}`);
    let chosen: typeof available = [];
    let recheckAt: number | undefined;
    if (!problem) {
      const addOnScore = (cluster: string, score: string) => inf.addOnScores.get(nsKey(cluster, score));
      const tolerated = filterByTaints(filterByPredicates(placement, available, addOnScore, cel), placement.spec.tolerations, decided, now);
      recheckAt = tolerated.recheckAt;
      const scored = totalScores(tolerated.clusters, weights.weights, {
        decided,
        otherDecisionCounts: this.otherDecisionCounts(ns, name),
        addOnScore,
        now,
      });
      // validUntil is an instant like a toleration's end: one more reason to look again then.
      if (scored.recheckAt !== undefined) recheckAt = Math.min(recheckAt ?? Infinity, scored.recheckAt + 1);
      chosen = selectClusters(tolerated.clusters, scored.total, placement.spec.numberOfClusters);
    }
    const grouped = decisionGroups(placement, problem ? [] : chosen);
    problem ??= grouped.error && `:${grouped.error}`;
    if (grouped.error) chosen = [];
    const { decisions, status: groupStatus } = desiredDecisions(name, grouped.groups);

    // In a namespace being deleted nothing can be created; the placement goes with it. A decision
    // that vanished under a write was collected with a placement deleted since the cache saw it:
    // nothing more to do then; any other 404 (a decision deleted by hand) needs another pass.
    const wrote = await this.writeDecisions(placement, decisions, own).catch(async (e: unknown) => {
      if (isNotFound(e) && (await this.placementGone(placement))) return false;
      throw e;
    });
    if (!wrote) return;

    const n = placement.spec.numberOfClusters;
    const satisfied = satisfiedCondition({
      clusterSetsInSpec: placement.spec.clusterSets ?? [],
      eligibleSets: sets,
      bindings: bindings.length,
      available: available.length,
      chosen: chosen.length,
      unscheduled: n === undefined || n === null ? 0 : n - chosen.length,
    });
    const at = this.deps.now();
    let conditions = setCondition(placement.status?.conditions as Condition[] | undefined, misconfiguredCondition(problem), at);
    conditions = setCondition(conditions, satisfied, at);
    const status = { numberOfSelectedClusters: chosen.length, decisionGroups: groupStatus, conditions };
    // A placement deleted since the cache saw it needs nothing more (GC takes its decisions).
    const written = await patchStatus(this.deps.client, PLACEMENTS, placement, status).catch((e: unknown) => {
      if (isNotFound(e)) return placement;
      throw e;
    });
    if (written !== placement) this.deps.log.info('placement scheduled', { placement: key, selected: chosen.length, reason: satisfied.reason });
    if (recheckAt !== undefined) return { requeueAfterMs: Math.max(1, recheckAt - now) };
  }

  private async placementGone(p: Placement): Promise<boolean> {
    const path = resourcePath({ ...PLACEMENTS, namespace: p.metadata.namespace!, name: p.metadata.name! });
    const now = await getOrUndefined<Placement>(this.deps.client, path);
    return !now || !!now.metadata.deletionTimestamp || now.metadata.uid !== p.metadata.uid;
  }

  /** For Balance: how many decisions of other placements name each cluster. */
  private otherDecisionCounts(ns: string, name: string): Map<string, number> {
    const counts = new Map<string, number>();
    for (const d of this.deps.informers.placementDecisions.list()) {
      if (d.metadata.namespace === ns && d.metadata.labels?.[LABEL.placement] === name) continue;
      for (const x of d.status?.decisions ?? []) counts.set(x.clusterName, (counts.get(x.clusterName) ?? 0) + 1);
    }
    return counts;
  }

  /** Creates, patches and deletes decision objects; false when the namespace is terminating. */
  private async writeDecisions(placement: Placement, want: DesiredDecision[], own: PlacementDecision[]): Promise<boolean> {
    const { client, log } = this.deps;
    const ns = placement.metadata.namespace!;
    const byName = new Map(own.map((d) => [d.metadata.name!, d]));
    for (const d of want) {
      let cur = byName.get(d.name);
      if (!cur) {
        const body = { ...TYPE.placementDecision, metadata: { name: d.name, namespace: ns, labels: d.labels, ownerReferences: [ownerRef(placement)] } };
        try {
          cur = await client.create<PlacementDecision>(resourcePath({ ...PLACEMENT_DECISIONS, namespace: ns }), body);
        } catch (e) {
          if (!isNamespaceTerminating(e)) throw e;
          log.debug('namespace terminating, not scheduling', { placement: nsKey(ns, placement.metadata.name!) });
          return false;
        }
        log.info('placement decision created', { decision: nsKey(ns, d.name) });
      } else if (!labelsMatch(cur, d.labels)) {
        cur = await guardedMergePatch<PlacementDecision>(client, PLACEMENT_DECISIONS, cur, { metadata: { labels: d.labels } });
      }
      const decisions: Decision[] = d.clusters.map((clusterName) => ({ clusterName, reason: '' }));
      // An empty decision is written as [] too, so readers see "none" rather than "not yet".
      if (!cur.status?.decisions || !deepEqual(decisionsOf(cur), decisions)) {
        await guardedMergePatch(client, PLACEMENT_DECISIONS, cur, { status: { decisions } }, 'status');
      }
    }
    const wanted = new Set(want.map((d) => d.name));
    for (const d of own) {
      if (wanted.has(d.metadata.name!) || d.metadata.deletionTimestamp) continue;
      await deleteIfPresent(client, { ...PLACEMENT_DECISIONS, namespace: ns, name: d.metadata.name! });
      log.info('placement decision deleted', { decision: nsKey(ns, d.metadata.name!) });
    }
    return true;
  }
}

const labelsMatch = (o: KubeObject, labels: Record<string, string>) => Object.entries(labels).every(([k, v]) => o.metadata?.labels?.[k] === v);
