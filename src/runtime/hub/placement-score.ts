/**
 * Prioritizers and selection, with OCM's scores (each in [-100, 100], integer-truncated as Go does):
 * - Balance: 100 for a cluster no other placement chose; otherwise 2·trunc(100·(0.5 − n/max)),
 *   n being how many other placements' decisions name it and max the largest such n;
 * - Steady: 100 for a cluster in this placement's current decisions, else 0;
 * - ResourceAllocatable{CPU,Memory}: trunc(((a − min)/(max − min) − 0.5)·200) over the clusters that
 *   report both allocatable and capacity of the resource, 100 when all are equal; none for others;
 * - AddOn {resourceName, scoreName}: the value in AddOnPlacementScore <resourceName> in the
 *   cluster's namespace, 0 when missing or past validUntil (the caller rechecks at validUntil).
 * Weights: mode Additive (the default) starts from Balance 1 and Steady 1 and lets the
 * configurations override; Exact uses only the configurations. Weight 0 disables one. The total is
 * Σ score·weight; clusters sort by total (high first), then by name, and the first
 * numberOfClusters (all when unset) are chosen.
 */
import type { AddOnPlacementScore, ManagedCluster, Placement } from '../../api/index.js';
import { PLACEMENT, PRIORITIZER } from '../../api/names.js';
import { parseQuantity } from '../klusterlet/quantity.js';

const MAX = PLACEMENT.maxScore;
type Configurations = NonNullable<NonNullable<Placement['spec']['prioritizerPolicy']>['configurations']>;
type ScoreCoordinate = Configurations[number]['scoreCoordinate'];

/** Scores of one prioritizer by cluster name (a cluster may be absent: it adds nothing). */
export type Scores = Map<string, number>;

/** What the prioritizers read besides the clusters themselves. */
export interface ScoreInputs {
  /** Clusters in this placement's current decisions. */
  decided: ReadonlySet<string>;
  /** For each cluster, how many decisions of other placements name it. */
  otherDecisionCounts: ReadonlyMap<string, number>;
  /** AddOnPlacementScore <name> in namespace <cluster>, if any. */
  addOnScore?: (cluster: string, name: string) => AddOnPlacementScore | undefined;
  /** Epoch ms, for validUntil. */
  now?: number;
}

/** A stable key for a score coordinate (OCM keys its weight map by the whole coordinate). */
export function coordinateKey(sc: ScoreCoordinate): string {
  return sc.type === 'AddOn' ? `AddOn/${sc.addOn?.resourceName ?? ''}/${sc.addOn?.scoreName ?? ''}` : `BuiltIn/${sc.builtIn ?? ''}`;
}

export interface Weights {
  weights: Map<string, { coordinate: ScoreCoordinate; weight: number }>;
  error?: string;
}

/** The weight of each prioritizer for the placement (see the file comment). */
export function prioritizerWeights(placement: Placement): Weights {
  const policy = placement.spec.prioritizerPolicy;
  const mode = policy?.mode ?? 'Additive';
  const weights = new Map<string, { coordinate: ScoreCoordinate; weight: number }>();
  if (mode !== 'Additive' && mode !== 'Exact') return { weights, error: `incorrect prioritizer policy mode: ${mode as string}` };
  if (mode === 'Additive') {
    for (const builtIn of [PRIORITIZER.balance, PRIORITIZER.steady]) {
      const coordinate: ScoreCoordinate = { type: 'BuiltIn', builtIn };
      weights.set(coordinateKey(coordinate), { coordinate, weight: 1 });
    }
  }
  for (const c of policy?.configurations ?? []) {
    if (!c.scoreCoordinate) return { weights, error: 'scoreCoordinate field is required' };
    weights.set(coordinateKey(c.scoreCoordinate), { coordinate: c.scoreCoordinate, weight: c.weight ?? 1 });
  }
  for (const { coordinate, weight } of weights.values()) {
    if (weight === 0) continue;
    if (coordinate.type === 'AddOn') {
      if (!coordinate.addOn) return { weights, error: 'addOn should not be empty' };
      continue;
    }
    if (![PRIORITIZER.balance, PRIORITIZER.steady, PRIORITIZER.cpu, PRIORITIZER.memory].includes(coordinate.builtIn as never)) {
      return { weights, error: `incorrect builtin prioritizer: ${coordinate.builtIn ?? ''}` };
    }
  }
  return { weights };
}

export function balanceScores(clusters: ManagedCluster[], otherDecisionCounts: ReadonlyMap<string, number>): Scores {
  const max = Math.max(0, ...otherDecisionCounts.values());
  const out: Scores = new Map();
  for (const c of clusters) {
    const n = otherDecisionCounts.get(c.metadata.name!);
    out.set(c.metadata.name!, n === undefined || max === 0 ? MAX : 2 * Math.trunc(MAX * (0.5 - n / max)));
  }
  return out;
}

export function steadyScores(clusters: ManagedCluster[], decided: ReadonlySet<string>): Scores {
  return new Map(clusters.map((c) => [c.metadata.name!, decided.has(c.metadata.name!) ? MAX : 0]));
}

/** A resource quantity as a float; undefined when absent or unparsable. */
function amount(list: Record<string, string | number> | undefined, resource: string): number | undefined {
  const v = list?.[resource];
  if (v === undefined) return undefined;
  try {
    return Number(parseQuantity(String(v)).nanos) / 1e9;
  } catch {
    return undefined;
  }
}

export function allocatableScores(clusters: ManagedCluster[], resource: 'cpu' | 'memory'): Scores {
  const known = new Map<string, number>();
  for (const c of clusters) {
    const alloc = amount(c.status?.allocatable as Record<string, string> | undefined, resource);
    // OCM scores only clusters that report both numbers.
    if (alloc !== undefined && amount(c.status?.capacity as Record<string, string> | undefined, resource) !== undefined) known.set(c.metadata.name!, alloc);
  }
  const values = [...known.values()];
  const min = Math.min(...values);
  const max = Math.max(...values);
  const out: Scores = new Map();
  for (const [name, a] of known) out.set(name, max === min ? MAX : Math.trunc(((a - min) / (max - min) - 0.5) * 2 * MAX));
  return out;
}

/** Scores from AddOnPlacementScores, and the earliest future validUntil among those used. */
export function addOnScores(clusters: ManagedCluster[], resourceName: string, scoreName: string, inputs: ScoreInputs): { scores: Scores; validUntil?: number } {
  const scores: Scores = new Map();
  let validUntil: number | undefined;
  const now = inputs.now ?? Date.now();
  for (const c of clusters) {
    scores.set(c.metadata.name!, 0);
    const s = inputs.addOnScore?.(c.metadata.name!, resourceName);
    if (!s) continue;
    const until = s.status?.validUntil ? Date.parse(s.status.validUntil) : undefined;
    if (until !== undefined && now > until) continue;
    if (until !== undefined && (validUntil === undefined || until < validUntil)) validUntil = until;
    const v = s.status?.scores?.find((x) => x.name === scoreName);
    if (v) scores.set(c.metadata.name!, v.value);
  }
  return { scores, validUntil };
}

function scoresOf(builtIn: string, clusters: ManagedCluster[], inputs: ScoreInputs): Scores {
  switch (builtIn) {
    case PRIORITIZER.balance:
      return balanceScores(clusters, inputs.otherDecisionCounts);
    case PRIORITIZER.steady:
      return steadyScores(clusters, inputs.decided);
    case PRIORITIZER.cpu:
      return allocatableScores(clusters, 'cpu');
    case PRIORITIZER.memory:
      return allocatableScores(clusters, 'memory');
    default:
      return new Map();
  }
}

/** Σ score·weight per cluster (every cluster starts at 0), and when an add-on score used lapses. */
export function totalScores(clusters: ManagedCluster[], weights: Weights['weights'], inputs: ScoreInputs): { total: Scores; recheckAt?: number } {
  const total: Scores = new Map(clusters.map((c) => [c.metadata.name!, 0]));
  let recheckAt: number | undefined;
  for (const { coordinate, weight } of weights.values()) {
    if (weight === 0) continue;
    let scores: Scores;
    if (coordinate.type === 'AddOn') {
      const r = addOnScores(clusters, coordinate.addOn?.resourceName ?? '', coordinate.addOn?.scoreName ?? '', inputs);
      scores = r.scores;
      if (r.validUntil !== undefined && (recheckAt === undefined || r.validUntil < recheckAt)) recheckAt = r.validUntil;
    } else scores = scoresOf(coordinate.builtIn ?? '', clusters, inputs);
    for (const [name, s] of scores) total.set(name, (total.get(name) ?? 0) + s * weight);
  }
  return { total, recheckAt };
}

/** Clusters by total score (high first), then name; the first numberOfClusters of them. */
export function selectClusters(clusters: ManagedCluster[], total: Scores, numberOfClusters: number | undefined): ManagedCluster[] {
  const sorted = [...clusters].sort((a, b) => {
    const d = (total.get(b.metadata.name!) ?? 0) - (total.get(a.metadata.name!) ?? 0);
    return d !== 0 ? d : a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0;
  });
  return numberOfClusters === undefined || numberOfClusters === null ? sorted : sorted.slice(0, numberOfClusters);
}
