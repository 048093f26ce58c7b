/**
 * manifestConfigs[].conditionRules: conditions computed from a live resource and set on its
 * manifest entry (reason ConditionRuleEvaluated), then aggregated per type onto the work
 * (reason ConditionRulesAggregated). `WellKnownConditions` covers what OCM builds in: Complete for
 * Jobs (a Complete or Failed condition is True) and Pods (phase Succeeded or Failed). CEL rules
 * need a CEL engine, which ocmadm does not have: they are reported Unknown, never guessed.
 */
import type { KubeObject } from '../../../kube/client.js';
import { COND, REASON } from '../../../api/names.js';
import type { ManifestConfigT } from '../../../api/work.js';
import type { Condition, ConditionInput } from '../../core/conditions.js';

type Rule = NonNullable<ManifestConfigT['conditionRules']>[number];

/** Whether a condition was made by a condition rule (OCM marks them by reason prefix). */
export const fromRule = (c: Pick<Condition, 'reason'>): boolean => c.reason.startsWith('ConditionRule');

function wellKnownComplete(obj: KubeObject): { done: boolean; message: string } | undefined {
  const status = (obj.status ?? {}) as { conditions?: { type?: string; status?: string }[]; phase?: string };
  if (obj.apiVersion === 'batch/v1' && obj.kind === 'Job') {
    const done = (status.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
    return { done, message: done ? 'Job is finished' : 'Job is not finished' };
  }
  if (obj.apiVersion === 'v1' && obj.kind === 'Pod') {
    return { done: status.phase === 'Succeeded' || status.phase === 'Failed', message: `Pod is in phase ${status.phase ?? ''}` };
  }
  return undefined;
}

/** The condition one rule gives for `obj`, stamped with the work's generation. */
export function evaluateRule(obj: KubeObject, rule: Rule, generation: number | undefined): ConditionInput {
  const type = rule.condition || COND.work.complete;
  const base = { type, observedGeneration: generation };
  if (rule.type === 'CEL') {
    return { ...base, status: 'Unknown', reason: REASON.manifest.ruleInvalid, message: 'CEL condition rules are not supported by this work agent' };
  }
  const known = type === COND.work.complete ? wellKnownComplete(obj) : undefined;
  if (!known) {
    return { ...base, status: 'Unknown', reason: REASON.manifest.ruleInvalid, message: `no well-known ${type} condition for ${obj.apiVersion ?? ''} ${obj.kind ?? ''}` };
  }
  return { ...base, status: known.done ? 'True' : 'False', reason: REASON.manifest.ruleEvaluated, message: rule.message || known.message };
}

/**
 * Work-level conditions aggregated from the rule conditions of all manifests, per type: True
 * when every manifest that has it is True, False when any is False, Unknown otherwise.
 */
export function aggregateRuleConditions(manifests: readonly { conditions: readonly Condition[] }[], generation: number | undefined): ConditionInput[] {
  const byType = new Map<string, Condition[]>();
  for (const m of manifests) for (const c of m.conditions) if (fromRule(c)) byType.set(c.type, [...(byType.get(c.type) ?? []), c]);
  return [...byType.entries()].map(([type, list]) => {
    const t = list.filter((c) => c.status === 'True').length;
    const f = list.filter((c) => c.status === 'False').length;
    const status = f > 0 ? 'False' : t === list.length ? 'True' : 'Unknown';
    const message = list.length === 1 ? list[0]!.message : `${t} of ${list.length} manifests are ${type}`;
    return { type, status, reason: REASON.work.rulesAggregated, message, observedGeneration: generation };
  });
}

/** The list without rule conditions from an older generation (their rule may be gone). */
export function pruneStaleRuleConditions(conditions: readonly Condition[], generation: number | undefined): Condition[] {
  return conditions.filter((c) => !fromRule(c) || c.observedGeneration === generation);
}
