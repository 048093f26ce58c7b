/**
 * Rollout strategies of a ManifestWorkReplicaSet placementRef (All, Progressive,
 * ProgressivePerGroup), pure: which clusters get the current template now. The rules are OCM's
 * (sdk-go's rollout helpers, ocm's MWRS deploy reconciler):
 * - a cluster's status comes from its work at the template's spec: ToApply (no work, an old spec,
 *   or the agent has not reported Applied at this generation), Progressing, Succeeded, Failed
 *   (Progressing and Degraded, or Degraded without Progressing); Progressing and Failed become
 *   TimeOut after progressDeadline since their last transition;
 * - clusters are taken in name order (per decision group for ProgressivePerGroup, groups in index
 *   order); mandatory decision groups go first, all of them, tolerating no failure;
 * - Progressive: at most maxConcurrency clusters in flight (ToApply, Progressing, Failed before
 *   its deadline, or Succeeded within minSuccessTime); no new cluster once more than maxFailures
 *   have failed or timed out;
 * - ProgressivePerGroup: the next group starts only when the current one has nothing in flight;
 *   maxFailures counts per group.
 */
import type { ManifestWork } from '../../api/index.js';
import { COND } from '../../api/names.js';
import type { Condition } from '../core/conditions.js';
import { findCondition } from '../core/conditions.js';

export type ClusterStatus = 'ToApply' | 'Progressing' | 'Succeeded' | 'Failed' | 'TimeOut';

export interface ClusterRollout {
  cluster: string;
  status: ClusterStatus;
  /** ms since epoch of the condition that gave the status. */
  since?: number;
  /** When this cluster's state should be looked at again (deadline or end of soak). */
  recheckAt?: number;
}

export interface Group {
  index: number;
  name: string;
  clusters: string[];
}

export interface MandatoryGroup {
  groupName?: string;
  groupIndex?: number;
}

export interface RolloutSpec {
  type?: 'All' | 'Progressive' | 'ProgressivePerGroup';
  all?: { progressDeadline?: string; minSuccessTime?: string; maxFailures?: number | string };
  progressive?: {
    progressDeadline?: string;
    minSuccessTime?: string;
    maxFailures?: number | string;
    maxConcurrency?: number | string;
    mandatoryDecisionGroups?: MandatoryGroup[];
  };
  progressivePerGroup?: { progressDeadline?: string; minSuccessTime?: string; maxFailures?: number | string; mandatoryDecisionGroups?: MandatoryGroup[] };
}

export interface RolloutResult {
  /** Clusters in flight now; those with status ToApply get the template. */
  toRollout: ClusterRollout[];
  timedOut: ClusterRollout[];
  /** More clusters failed than maxFailures allows: the rollout stopped adding clusters. */
  maxFailureBreach: boolean;
  /** ms until the earliest deadline or end of soak among those in flight. */
  recheckAfterMs?: number;
}

/** Go's time.ParseDuration for what rollouts use: "0", "90s", "1h30m", "1.5h", "250ms". */
export function parseGoDuration(text: string): number {
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;
  let ms = 0;
  let m: RegExpExecArray | null;
  let end = 0;
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  while ((m = re.exec(text))) {
    ms += Number(m[1]) * unit[m[2]!]!;
    end = re.lastIndex;
  }
  if (end === 0 || end !== text.length) throw new Error(`"${text}" is not a duration (e.g. 30s, 5m, 1h30m)`);
  return ms;
}

/** progressDeadline: "None" or empty means no deadline (Infinity). */
export function parseDeadline(text: string | undefined): number {
  if (text === undefined || text === '' || text === 'None') return Infinity;
  if (!/^\d+[hms]/.test(text)) throw new Error(`progressDeadline "${text}" is not a duration or None`);
  return parseGoDuration(text);
}

/** A count or a percentage of `total` (rounded up); out of range gives `fallback`, as OCM. */
export function rolloutSize(v: number | string | undefined, total: number, fallback: number): number {
  if (v === undefined) return fallback;
  let n: number;
  if (typeof v === 'number') n = v;
  else {
    const m = /^(\d+(?:\.\d+)?)%$/.exec(v);
    if (!m) throw new Error(`"${v}" is neither a count nor a percentage`);
    n = Math.ceil((Number(m[1]) / 100) * total);
  }
  return n <= 0 || n > total ? fallback : n;
}

const ts = (c: Condition | undefined) => (c?.lastTransitionTime ? Date.parse(c.lastTransitionTime) : undefined);

/** A cluster's status from its work, which carries the current template (OCM's rules). */
export function workRolloutStatus(cluster: string, w: ManifestWork): ClusterRollout {
  const gen = w.metadata.generation;
  const conds = w.status?.conditions as Condition[] | undefined;
  const applied = findCondition(conds, COND.work.applied);
  const progressing = findCondition(conds, COND.work.progressing);
  const available = findCondition(conds, COND.work.available);
  const degraded = findCondition(conds, COND.work.degraded);
  const ready = (c: Condition | undefined) => !!c && c.observedGeneration === gen;
  if (!ready(applied) || applied!.status !== 'True') return { cluster, status: 'ToApply' };
  if (!ready(progressing) && !ready(available)) return { cluster, status: 'ToApply' };
  if (degraded && degraded.observedGeneration !== gen) return { cluster, status: 'ToApply' };
  if (!ready(progressing)) {
    if (degraded?.status === 'True') return { cluster, status: 'Failed', since: ts(degraded) };
    return { cluster, status: available!.status === 'True' ? 'Succeeded' : 'Progressing', since: ts(available) };
  }
  if (progressing!.status === 'True' && degraded?.status === 'True') return { cluster, status: 'Failed', since: ts(degraded) };
  if (progressing!.status === 'False') return { cluster, status: 'Succeeded', since: ts(progressing) };
  return { cluster, status: 'Progressing', since: ts(progressing) };
}

/** Whether the cluster stays in flight (and its recheck time), or has timed out. */
function judge(s: ClusterRollout, minSuccessMs: number, deadlineMs: number, now: number): 'flight' | 'done' | 'timeout' {
  if (s.status === 'ToApply') return 'flight';
  if (s.status === 'TimeOut') return 'done';
  if (s.status === 'Succeeded') {
    const end = (s.since ?? now) + minSuccessMs;
    if (now < end) return (s.recheckAt = end), 'flight';
    return 'done';
  }
  if (deadlineMs === Infinity) return 'flight';
  const end = (s.since ?? now) + deadlineMs;
  s.recheckAt = end;
  if (now < end) return 'flight';
  s.status = 'TimeOut';
  return 'timeout';
}

function result(toRollout: ClusterRollout[], timedOut: ClusterRollout[], breach: boolean, now: number): RolloutResult {
  const next = toRollout.map((c) => c.recheckAt).filter((t): t is number => t !== undefined && t > now);
  return { toRollout, timedOut, maxFailureBreach: breach, recheckAfterMs: next.length ? Math.min(...next) - now : undefined };
}

/** OCM's progressivePerCluster: name order, up to `size` in flight, stop past `maxFailures`. */
function perCluster(clusters: string[], size: number, maxFailures: number, minSuccessMs: number, deadlineMs: number, known: Map<string, ClusterRollout>, now: number): RolloutResult {
  const inFlight: ClusterRollout[] = [];
  const timedOut: ClusterRollout[] = [];
  let failures = 0;
  let breach = false;
  const existing = [...clusters].filter((c) => known.has(c)).sort();
  for (const c of existing) {
    const s = { ...known.get(c)! };
    if (!breach || s.status !== 'ToApply') {
      const j = judge(s, minSuccessMs, deadlineMs, now);
      if (j === 'flight') inFlight.push(s);
      if (j === 'timeout') timedOut.push(s);
    }
    if (s.status === 'TimeOut' || s.status === 'Failed') breach = ++failures > maxFailures;
    if (inFlight.length >= size) return result(inFlight, timedOut, breach, now);
  }
  if (breach) return result(inFlight, timedOut, breach, now);
  for (const c of [...clusters].sort()) {
    if (known.has(c)) continue;
    inFlight.push({ cluster: c, status: 'ToApply' });
    if (inFlight.length >= size) break;
  }
  return result(inFlight, timedOut, false, now);
}

/** OCM's progressivePerGroup: group by group; the next only when this one has nothing in flight. */
function perGroup(groups: Group[], maxFailures: number | string | undefined, minSuccessMs: number, deadlineMs: number, known: Map<string, ClusterRollout>, now: number): RolloutResult {
  const inFlight: ClusterRollout[] = [];
  const timedOut: ClusterRollout[] = [];
  const status = new Map<string, ClusterStatus>();
  for (const [c, s0] of known) {
    if (s0.status === 'ToApply') continue;
    const s = { ...s0 };
    const j = judge(s, minSuccessMs, deadlineMs, now);
    if (j === 'flight') inFlight.push(s);
    if (j === 'timeout') timedOut.push(s);
    status.set(c, s.status);
  }
  let failures = 0;
  let breach = false;
  for (const g of [...groups].sort((a, b) => a.index - b.index)) {
    const allowed = rolloutSize(maxFailures, g.clusters.length, 0);
    let groupFailures = 0;
    for (const c of [...g.clusters].sort()) {
      const s = status.get(c);
      if (s !== undefined) {
        if (s === 'TimeOut' || s === 'Failed') breach = ++groupFailures > allowed;
        continue;
      }
      inFlight.push({ cluster: c, status: 'ToApply' });
    }
    failures += groupFailures;
    if (inFlight.length - failures > 0 || breach) return result(inFlight, timedOut, breach, now);
  }
  return result(inFlight, timedOut, breach, now);
}

const isMandatory = (g: Group, keys: MandatoryGroup[]) => keys.some((k) => (k.groupName ? k.groupName === g.name : k.groupIndex === g.index));

/**
 * The clusters to roll out now for one placementRef. `known` holds the status of every cluster
 * whose work carries the current template (others are ToApply by absence).
 */
export function planRollout(spec: RolloutSpec | undefined, groups: Group[], known: Map<string, ClusterRollout>, now: number): RolloutResult {
  const type = spec?.type ?? 'All';
  const all = groups.flatMap((g) => g.clusters);
  // Clusters no longer decided are the caller's to remove; they take no part here.
  const current = new Set(all);
  known = new Map([...known].filter(([c]) => current.has(c)));
  if (type === 'All') {
    const deadline = parseDeadline(spec?.all?.progressDeadline);
    return perCluster(all, all.length, all.length, 0, deadline, known, now);
  }
  const o = type === 'Progressive' ? spec?.progressive : spec?.progressivePerGroup;
  const minSuccess = o?.minSuccessTime ? parseGoDuration(o.minSuccessTime) : 0;
  const deadline = parseDeadline(o?.progressDeadline);
  const mandatoryKeys = o?.mandatoryDecisionGroups ?? [];
  const mandatory = groups.filter((g) => isMandatory(g, mandatoryKeys));
  const rest = groups.filter((g) => !isMandatory(g, mandatoryKeys));
  if (mandatory.length) {
    const r = perGroup(mandatory, 0, minSuccess, deadline, known, now);
    if (r.toRollout.length || r.timedOut.length) return r;
  }
  if (type === 'ProgressivePerGroup') {
    rolloutSize(o?.maxFailures, 1, 0); // the format is checked once, as OCM does
    return perGroup(rest, o?.maxFailures, minSuccess, deadline, known, now);
  }
  const restClusters = rest.flatMap((g) => g.clusters);
  const maxFailures = rolloutSize(o?.maxFailures, all.length, 0);
  const size = rolloutSize((o as RolloutSpec['progressive'])?.maxConcurrency, restClusters.length, restClusters.length);
  return perCluster(restClusters, size, maxFailures, minSuccess, deadline, known, now);
}
