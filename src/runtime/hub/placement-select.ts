/**
 * Which clusters a Placement may choose (ocm-protocol.md §4), as OCM's scheduler filters them:
 * 1. bindings in the Placement's namespace whose name is an existing set (what `Bound` says),
 *    intersected with spec.clusterSets when that is set;
 * 2. the members of those sets that are not being deleted;
 * 3. predicates: a cluster passes when any predicate matches (label AND claim AND CEL selector,
 *    placement-cel.ts);
 * 4. taints: an untolerated NoSelect (or NoSelectIfNew, for clusters not yet decided) taint
 *    filters a cluster out; a toleration with tolerationSeconds lasts until timeAdded + seconds,
 *    and the earliest such instant is returned so the caller requeues exactly then.
 * Pure functions over objects; the reconciler feeds them from the informers.
 */
import type { ManagedCluster, ManagedClusterSet, ManagedClusterSetBinding, Placement } from '../../api/index.js';
import { TAINT } from '../../api/names.js';
import { inClusterSet } from './clusterset.js';
import type * as PlacementCelModule from './placement-cel.js';
import type { ScoreLookup } from './placement-cel.js';

/** placement-cel.ts, loaded by the controller only for placements with CEL expressions (`usesCel`). */
export type PlacementCel = typeof PlacementCelModule;
import { matchesSelector, type LabelSelector } from './selector.js';
import type { Taint } from './taints.js';

export type Toleration = NonNullable<Placement['spec']['tolerations']>[number];
type ClusterSelector = NonNullable<NonNullable<Placement['spec']['predicates']>[number]['requiredClusterSelector']>;

/** Names of the sets the Placement may select from, sorted. */
export function eligibleClusterSets(placement: Placement, bindings: ManagedClusterSetBinding[], setExists: (name: string) => boolean): string[] {
  // OCM keys a binding by its name (which must equal spec.clusterSet) and keeps it while that set exists.
  let names = new Set(bindings.map((b) => b.metadata.name!).filter(setExists));
  const wanted = placement.spec.clusterSets ?? [];
  if (wanted.length > 0) names = new Set(wanted.filter((s) => names.has(s)));
  return [...names].sort();
}

/** Members of the given sets that are not being deleted, each once, sorted by name. */
export function clustersOfSets(sets: ManagedClusterSet[], clusters: ManagedCluster[]): ManagedCluster[] {
  const out = new Map<string, ManagedCluster>();
  for (const set of sets) {
    for (const c of clusters) if (!c.metadata.deletionTimestamp && inClusterSet(set, c)) out.set(c.metadata.name!, c);
  }
  return [...out.values()].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
}

/** Why a label selector is invalid, as metav1.LabelSelectorAsSelector would refuse it; undefined when valid. */
export function selectorError(sel: LabelSelector | undefined): string | undefined {
  for (const r of sel?.matchExpressions ?? []) {
    const n = r.values?.length ?? 0;
    if ((r.operator === 'In' || r.operator === 'NotIn') && n === 0) return `values: Required value: for 'in', 'notin' operators, values set can't be empty`;
    if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && n > 0) return `values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`;
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(r.operator)) return `"${r.operator}" is not a valid label selector operator`;
  }
  return undefined;
}

/** Whether any predicate has CEL expressions: the CEL library (about 20 MiB of memory) is loaded only then. */
export function usesCel(placement: Placement): boolean {
  return (placement.spec.predicates ?? []).some((p) => (p.requiredClusterSelector?.celSelector?.celExpressions ?? []).length > 0);
}

function celFor(placement: Placement, cel: PlacementCel | undefined): PlacementCel | undefined {
  if (!cel && usesCel(placement)) throw new Error('a placement with CEL expressions needs placement-cel.ts');
  return cel;
}

/** Why the predicates cannot be evaluated (OCM's PlacementMisconfigured message); undefined when fine. */
export function predicatesError(placement: Placement, cel?: PlacementCel): string | undefined {
  for (const p of placement.spec.predicates ?? []) {
    const s = p.requiredClusterSelector;
    const err = selectorError(s?.labelSelector as LabelSelector | undefined) ?? selectorError(s?.claimSelector as LabelSelector | undefined);
    if (err) return `Predicate:${err}`;
  }
  return celFor(placement, cel)?.celSelectorError(placement);
}

/** A cluster's claims as a map (status.clusterClaims name → value). */
export function claimsOf(cluster: ManagedCluster): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of cluster.status?.clusterClaims ?? []) out[c.name] = c.value;
  return out;
}

export function matchesClusterSelector(sel: ClusterSelector | undefined, cluster: ManagedCluster): boolean {
  // An absent selector is the empty one (Go value types), which matches everything.
  if (!matchesSelector((sel?.labelSelector ?? {}) as LabelSelector, cluster.metadata.labels)) return false;
  return matchesSelector({ matchExpressions: sel?.claimSelector?.matchExpressions ?? [] } as LabelSelector, claimsOf(cluster));
}

/**
 * Clusters passing any predicate (labels AND claims AND CEL); all of them when there is none.
 * `scores` feeds the CEL function managedCluster.scores(name).
 */
export function filterByPredicates(placement: Placement, clusters: ManagedCluster[], scores: ScoreLookup = () => undefined, cel?: PlacementCel): ManagedCluster[] {
  const preds = placement.spec.predicates ?? [];
  if (preds.length === 0) return clusters;
  const passes = celFor(placement, cel)?.celPredicates(placement, scores) ?? (() => true);
  return clusters.filter((c) => preds.some((p, i) => matchesClusterSelector(p.requiredClusterSelector, c) && passes(i, c)));
}

/** OCM's validation of tolerations (PlacementMisconfigured message); undefined when fine. */
export function tolerationsError(tolerations: Toleration[] | undefined): string | undefined {
  for (const t of tolerations ?? []) {
    if (!t.key && t.operator !== 'Exists') return 'TaintToleration:If the key is empty, operator must be Exists.';
    if (t.operator === 'Exists' && t.value) return 'TaintToleration:If the operator is Exists, the value should be empty.';
  }
  return undefined;
}

/** When a matching toleration stops tolerating the taint: epoch ms, Infinity for never. */
function toleratedUntil(taint: Taint, t: Toleration): number | undefined {
  if (t.effect && t.effect !== taint.effect) return undefined;
  if (t.key && t.key !== taint.key) return undefined;
  const matched = t.operator === 'Exists' ? true : (t.value ?? '') === (taint.value ?? '');
  if (!matched) return undefined;
  if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) return Infinity;
  // A taint without timeAdded counts from the zero time (Go's), so a timed toleration has lapsed.
  const added = taint.timeAdded ? Date.parse(taint.timeAdded) : Number.NEGATIVE_INFINITY;
  return added + t.tolerationSeconds * 1000;
}

export interface TaintVerdict {
  tolerated: boolean;
  /** Epoch ms when a timed toleration this verdict rests on runs out (undefined: never). */
  until?: number;
}

/** Whether `cluster` passes the taint filter at `now`; `decided`: it is in the current decisions. */
export function taintVerdict(cluster: ManagedCluster, tolerations: Toleration[] | undefined, decided: boolean, now: number): TaintVerdict {
  let until: number | undefined;
  for (const taint of cluster.spec?.taints ?? []) {
    if (taint.effect === TAINT.effectPreferNoSelect) continue;
    if (taint.effect === TAINT.effectNoSelectIfNew && decided) continue;
    // As OCM: any toleration that matches and has not lapsed tolerates the taint.
    let verdict: number | undefined;
    for (const t of tolerations ?? []) {
      verdict = toleratedUntil(taint, t);
      if (verdict !== undefined && now < verdict) break;
      verdict = undefined;
    }
    if (verdict === undefined) return { tolerated: false };
    if (verdict !== Infinity && (until === undefined || verdict < until)) until = verdict;
  }
  return { tolerated: true, until };
}

/** The clusters whose taints are tolerated, and the earliest instant a toleration among them lapses. */
export function filterByTaints(
  clusters: ManagedCluster[],
  tolerations: Toleration[] | undefined,
  decided: ReadonlySet<string>,
  now: number,
): { clusters: ManagedCluster[]; recheckAt?: number } {
  let recheckAt: number | undefined;
  const out = clusters.filter((c) => {
    const v = taintVerdict(c, tolerations, decided.has(c.metadata.name!), now);
    if (v.tolerated && v.until !== undefined && (recheckAt === undefined || v.until < recheckAt)) recheckAt = v.until;
    return v.tolerated;
  });
  return { clusters: out, recheckAt };
}
