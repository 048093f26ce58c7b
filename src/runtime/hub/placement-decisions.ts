/**
 * From chosen clusters to PlacementDecision objects and Placement status, as OCM writes them:
 * - decision groups: each spec.decisionStrategy.groupStrategy.decisionGroups[] entry takes the
 *   chosen clusters its selector matches (not yet taken), the rest form an unnamed group; a group
 *   larger than clustersPerDecisionGroup (count, or "N%" of all chosen, rounded up) is split;
 *   there is always at least one (possibly empty) group;
 * - each group's clusters, sorted by name, fill objects of at most 100 decisions named
 *   `<placement>-decision-<N>`, N counting from 1 across groups; labels name the placement and
 *   the group index (from 0) and name;
 * - PlacementSatisfied and PlacementMisconfigured with OCM's reasons and messages.
 */
import type { ManagedCluster, Placement } from '../../api/index.js';
import { COND, LABEL, PLACEMENT, REASON } from '../../api/names.js';
import type { ConditionInput } from '../core/conditions.js';
import { matchesClusterSelector } from './placement-select.js';

export interface DesiredDecision {
  name: string;
  labels: Record<string, string>;
  clusters: string[];
}

export interface DecisionGroupStatus {
  decisionGroupIndex: number;
  decisionGroupName: string;
  decisions: string[];
  clusterCount: number;
}

interface Group {
  name: string;
  clusters: string[];
}

export const decisionName = (placement: string, n: number) => `${placement}-decision-${n}`;

/** Clusters per group: OCM's calculateLength (an error text when the value is not usable). */
export function groupLength(value: number | string | undefined, total: number): { length: number; error?: string } {
  let length = total;
  if (typeof value === 'number') length = value;
  else if (typeof value === 'string') {
    // OCM takes only percentages in the string form.
    const f = value.endsWith('%') ? Number(value.slice(0, -1)) : NaN;
    if (Number.isNaN(f)) return { length: total, error: `${value} invalid type: string is not a percentage` };
    length = Math.ceil((f / 100) * total);
  }
  if (length <= 0 || length > total) length = total;
  return { length };
}

function divide(name: string, clusters: string[], length: number): Group[] {
  const sorted = [...clusters].sort();
  const out: Group[] = [];
  for (let i = 0; i < sorted.length; i += length) out.push({ name, clusters: sorted.slice(i, i + length) });
  return out;
}

/** The decision groups of the chosen clusters (see the file comment). */
export function decisionGroups(placement: Placement, chosen: ManagedCluster[]): { groups: Group[]; error?: string } {
  const strategy = placement.spec.decisionStrategy?.groupStrategy;
  const { length, error } = groupLength(strategy?.clustersPerDecisionGroup ?? '100%', chosen.length);
  if (error) return { groups: [{ name: '', clusters: [] }], error };
  const left = new Set(chosen.map((c) => c.metadata.name!));
  const groups: Group[] = [];
  for (const d of strategy?.decisionGroups ?? []) {
    const matched = chosen.filter((c) => left.has(c.metadata.name!) && matchesClusterSelector(d.groupClusterSelector, c)).map((c) => c.metadata.name!);
    for (const n of matched) left.delete(n);
    groups.push(...divide(d.groupName, matched, length));
  }
  groups.push(...divide('', [...left], length));
  if (groups.length === 0) groups.push({ name: '', clusters: [] });
  return { groups };
}

/** PlacementDecision objects and the status.decisionGroups entries for the groups. */
export function desiredDecisions(placement: string, groups: Group[]): { decisions: DesiredDecision[]; status: DecisionGroupStatus[] } {
  const decisions: DesiredDecision[] = [];
  const status: DecisionGroupStatus[] = [];
  let n: number = PLACEMENT.firstDecisionIndex;
  groups.forEach((g, index) => {
    const names: string[] = [];
    const max = PLACEMENT.maxDecisionsPerObject;
    const slices = g.clusters.length === 0 ? [[]] : Array.from({ length: Math.ceil(g.clusters.length / max) }, (_, i) => g.clusters.slice(i * max, (i + 1) * max));
    for (const clusters of slices) {
      const name = decisionName(placement, n++);
      names.push(name);
      decisions.push({
        name,
        labels: { [LABEL.placement]: placement, [LABEL.decisionGroupName]: g.name, [LABEL.decisionGroupIndex]: String(index) },
        clusters,
      });
    }
    status.push({ decisionGroupIndex: index, decisionGroupName: g.name, decisions: names, clusterCount: g.clusters.length });
  });
  return { decisions, status };
}

export interface SchedulingFacts {
  clusterSetsInSpec: string[];
  eligibleSets: string[];
  bindings: number;
  available: number;
  chosen: number;
  /** numberOfClusters − chosen when numberOfClusters is set, else 0. */
  unscheduled: number;
}

/** PlacementSatisfied, in OCM's order of checks. */
export function satisfiedCondition(f: SchedulingFacts): ConditionInput {
  const type = COND.placement.satisfied;
  const R = REASON.placement;
  if (f.bindings === 0) return { type, status: 'False', reason: R.noBindings, message: 'No valid ManagedClusterSetBindings found in placement namespace' };
  if (f.eligibleSets.length === 0) {
    return { type, status: 'False', reason: R.noIntersection, message: `None of ManagedClusterSets [${f.clusterSetsInSpec.join(',')}] is bound to placement namespace` };
  }
  if (f.available === 0) {
    return { type, status: 'False', reason: R.allSetsEmpty, message: `All ManagedClusterSets [${f.eligibleSets.join(',')}] have no member ManagedCluster` };
  }
  if (f.chosen === 0) return { type, status: 'False', reason: R.noClusterMatched, message: 'No ManagedCluster matches any of the cluster predicate' };
  if (f.unscheduled === 0) return { type, status: 'True', reason: R.allScheduled, message: 'All cluster decisions scheduled' };
  return { type, status: 'False', reason: R.notAllScheduled, message: `${f.unscheduled} cluster decisions unscheduled` };
}

/** PlacementMisconfigured: True with the problem, or False. */
export function misconfiguredCondition(problem: string | undefined): ConditionInput {
  const type = COND.placement.misconfigured;
  return problem
    ? { type, status: 'True', reason: REASON.placement.misconfigured, message: problem }
    : { type, status: 'False', reason: REASON.placement.configured, message: 'Placement configurations check pass' };
}
