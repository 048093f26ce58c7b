/**
 * ManifestWorkReplicaSet, the pure part (ocm-protocol.md §4): which ManifestWorks should exist,
 * which are stale, and the status OCM reports.
 * - One work per (placement, decided cluster), in the cluster's namespace, labelled
 *   `work.open-cluster-management.io/manifestworkreplicaset=<ns>.<name>` and
 *   `…/placementname=<placement>` on top of the set's own labels; spec = manifestWorkTemplate.
 * - A work is current when its spec equals the template and it carries those labels.
 * - Summary: total = works that exist (a rollout under way counts only those it reached); applied/available/progressing/degraded count works
 *   whose condition of that type is True. ManifestworkApplied: AsExpected when all are available
 *   and none progresses or is degraded, Processing while some progress and none is degraded, else
 *   NotAsExpected (PlacementDecisionEmpty when nothing is decided).
 * - Rollout (strategy All): a work has succeeded once Applied is True at its generation and
 *   Progressing is False (or, without Progressing, Available is True) at its generation with no
 *   Degraded; PlacementRolledOut is Complete when every selected cluster's work has.
 */
import type { ManifestWork, ManifestWorkReplicaSet } from '../../api/index.js';
import { COND, LABEL, REASON } from '../../api/names.js';
import type { Condition, ConditionInput } from '../core/conditions.js';
import { findCondition, setCondition } from '../core/conditions.js';
import { deepEqual } from '../core/patch.js';

/** The label value naming a set: `<namespace>.<name>`. */
export const replicaSetLabelValue = (m: ManifestWorkReplicaSet) => `${m.metadata.namespace}.${m.metadata.name}`;

/** The "namespace/name" key from a label value (namespaces have no dots; names may). */
export function keyFromLabelValue(v: string | undefined): string | undefined {
  const i = v ? v.indexOf('.') : -1;
  return i > 0 && i < v!.length - 1 ? `${v!.slice(0, i)}/${v!.slice(i + 1)}` : undefined;
}

export const pairKey = (cluster: string, placement: string) => `${cluster}/${placement}`;

/** The labels a work of this set and placement carries. */
export function workLabels(m: ManifestWorkReplicaSet, placement: string): Record<string, string> {
  return { ...(m.metadata.labels ?? {}), [LABEL.mwrs]: replicaSetLabelValue(m), [LABEL.mwrsPlacement]: placement };
}

export function workIsCurrent(w: ManifestWork, m: ManifestWorkReplicaSet, placement: string): boolean {
  const labels = workLabels(m, placement);
  if (!Object.entries(labels).every(([k, v]) => w.metadata.labels?.[k] === v)) return false;
  return deepEqual(w.spec ?? {}, m.spec?.manifestWorkTemplate ?? {});
}

export interface WorkPlan {
  /** Pairs (cluster, placement) that should have a work and have none. */
  create: { cluster: string; placement: string }[];
  /** Works that exist for a wanted pair but differ from the template or labels. */
  update: { work: ManifestWork; placement: string }[];
  /** Works of no wanted pair, and duplicates of a pair. */
  remove: ManifestWork[];
  /** The one work kept per wanted pair. */
  kept: Map<string, ManifestWork>;
}

/**
 * Compares the wanted pairs (placement → decided clusters) with the set's works. A placement
 * mapped to undefined could not be read: its works are kept as they are.
 */
export function planWorks(m: ManifestWorkReplicaSet, wanted: Map<string, string[] | undefined>, works: ManifestWork[]): WorkPlan {
  const plan: WorkPlan = { create: [], update: [], remove: [], kept: new Map() };
  // Oldest first, so the survivor among duplicates is stable.
  const sorted = [...works].sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || a.metadata.name!.localeCompare(b.metadata.name!));
  for (const w of sorted) {
    if (w.metadata.deletionTimestamp) continue;
    const placement = w.metadata.labels?.[LABEL.mwrsPlacement] ?? '';
    const clusters = wanted.get(placement);
    const key = pairKey(w.metadata.namespace!, placement);
    const keep = wanted.has(placement) && (clusters === undefined || clusters.includes(w.metadata.namespace!)) && !plan.kept.has(key);
    if (!keep) {
      plan.remove.push(w);
      continue;
    }
    plan.kept.set(key, w);
    if (clusters !== undefined && !workIsCurrent(w, m, placement)) plan.update.push({ work: w, placement });
  }
  for (const [placement, clusters] of wanted) {
    for (const cluster of clusters ?? []) if (!plan.kept.has(pairKey(cluster, placement))) plan.create.push({ cluster, placement });
  }
  return plan;
}

export interface Summary {
  total: number;
  applied: number;
  available: number;
  progressing: number;
  degraded: number;
}

/** Counts over the works (those being deleted do not count), with `total` given. */
export function summarize(total: number, works: ManifestWork[]): Summary {
  const s: Summary = { total, applied: 0, available: 0, progressing: 0, degraded: 0 };
  for (const w of works) {
    if (w.metadata.deletionTimestamp) continue;
    const c = w.status?.conditions as Condition[] | undefined;
    if (findCondition(c, COND.work.applied)?.status === 'True') s.applied++;
    if (findCondition(c, COND.work.available)?.status === 'True') s.available++;
    if (findCondition(c, COND.work.progressing)?.status === 'True') s.progressing++;
    if (findCondition(c, COND.work.degraded)?.status === 'True') s.degraded++;
  }
  return s;
}

const cond = (type: string, reason: string, trueReason: string): ConditionInput => ({ type, status: reason === trueReason ? 'True' : 'False', reason, message: '' });

export const placementVerified = (reason: string) => cond(COND.mwrs.placementVerified, reason, REASON.mwrs.asExpected);
export const rolledOut = (complete: boolean) =>
  cond(COND.mwrs.rolledOut, complete ? REASON.mwrs.complete : REASON.mwrs.progressing, REASON.mwrs.complete);

export function manifestworkApplied(s: Summary, verifiedReason: string | undefined): ConditionInput {
  const R = REASON.mwrs;
  let reason: string;
  if (s.total === 0) reason = verifiedReason === R.decisionEmpty ? R.decisionEmpty : R.notAsExpected;
  else if (s.available === s.total && s.progressing === 0 && s.degraded === 0) reason = R.asExpected;
  else if (s.progressing > 0 && s.degraded === 0) reason = R.processing;
  else reason = R.notAsExpected;
  return cond(COND.mwrs.applied, reason, R.asExpected);
}

/** Whether a work has rolled out at its current generation (strategy All's "Succeeded"). */
export function workSucceeded(w: ManifestWork): boolean {
  const gen = w.metadata.generation;
  const c = w.status?.conditions as Condition[] | undefined;
  const at = (type: string) => {
    const x = findCondition(c, type);
    return x && x.observedGeneration === gen ? x : undefined;
  };
  if (at(COND.work.applied)?.status !== 'True') return false;
  const progressing = at(COND.work.progressing);
  const available = at(COND.work.available);
  if (!progressing && !available) return false;
  // A Degraded condition must have caught up too, or its verdict is stale.
  const degraded = findCondition(c, COND.work.degraded);
  if (degraded && degraded.observedGeneration !== gen) return false;
  if (progressing) return progressing.status === 'False';
  return degraded?.status !== 'True' && available!.status === 'True';
}

/** What the status needs to know of one placementRef whose Placement exists. */
export interface PlacementView {
  name: string;
  /** status.numberOfSelectedClusters */
  selected: number;
  /** status.decisionGroups length */
  groups: number;
  /** Works that exist (or were just created) for it. */
  existing: number;
}

export interface StatusInput {
  /** A placementRef names no Placement: only PlacementVerified changes. */
  missing: boolean;
  /** A rollout strategy could not be read: PlacementVerified False NotAsExpected with this message. */
  strategyError?: string;
  /** Works that should exist. */
  total: number;
  /** Works that exist (or were just created); OCM's summary.total. Defaults to `total`. */
  existing?: number;
  /** Works kept for wanted pairs, as the cache shows them. */
  kept: ManifestWork[];
  /** Of those, the ones just brought back to the template (their conditions are of the old spec). */
  updated: ReadonlySet<ManifestWork>;
  placements: PlacementView[];
}

/** The set's status: summary, placementSummary and conditions, as OCM words them. */
export function replicaSetStatus(m: ManifestWorkReplicaSet, s: StatusInput, now: Date): Record<string, unknown> {
  const R = REASON.mwrs;
  const verified = s.missing ? R.decisionNotFound : s.total === 0 ? R.decisionEmpty : R.asExpected;
  const verifiedCond = s.strategyError && !s.missing ? { ...placementVerified(R.notAsExpected), message: s.strategyError } : placementVerified(verified);
  let conditions = setCondition(m.status?.conditions as Condition[] | undefined, verifiedCond, now);
  if (s.missing) return { conditions };
  // As OCM: the summary counts the works that exist, so a rollout under way shows its progress.
  const summary = summarize(s.existing ?? s.total, s.kept);
  const selected = s.placements.reduce((n, p) => n + p.selected, 0);
  const succeeded = s.kept.filter((w) => !s.updated.has(w) && workSucceeded(w)).length;
  conditions = setCondition(conditions, rolledOut(selected === succeeded), now);
  conditions = setCondition(conditions, manifestworkApplied(summary, verified), now);
  const placementSummary = s.placements.map((p) => ({
    name: p.name,
    availableDecisionGroups: `${p.groups} (${p.existing} / ${p.selected} clusters applied)`,
    // OCM fills only the total here; Go writes the other counts as 0.
    summary: { total: p.existing, applied: 0, available: 0, degraded: 0, progressing: 0 },
  }));
  return { conditions, summary, placementSummary };
}
