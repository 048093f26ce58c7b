/**
 * manifestConfigs[].conditionRules: conditions computed from a live resource and set on its
 * manifest entry, then aggregated per type onto the work (reason ConditionRulesAggregated).
 * As OCM's work agent: a `CEL` rule is True when every expression is true (variable `object`,
 * plus `hasConditions(object.status)`), False at the first false one (ConditionRuleEvaluated), and
 * False with ConditionRuleExpressionError when an expression does not compile, fails or is not a
 * bool; the message comes from `messageExpression` (variables `object` and `result`), else
 * `message`, else "Manifest is [not] <condition>". `WellKnownConditions` is OCM's built-in Complete
 * rule for Jobs (a Complete or Failed condition is True) and Pods (phase Succeeded or Failed).
 */
import type { KubeObject } from '../../../kube/client.js';
import { COND, REASON } from '../../../api/names.js';
import type { ManifestConfigT } from '../../../api/work.js';
import type { Condition, ConditionInput } from '../../core/conditions.js';

type Rule = NonNullable<ManifestConfigT['conditionRules']>[number];

/** Whether a condition was made by a condition rule (OCM marks them by reason prefix). */
export const fromRule = (c: Pick<Condition, 'reason'>): boolean => c.reason.startsWith('ConditionRule');

const WELL_KNOWN: Record<string, Pick<Rule, 'celExpressions' | 'messageExpression'>> = {
  'batch/v1/Job': {
    celExpressions: ["hasConditions(object.status) ? object.status.conditions.filter(c, c.type == 'Complete' || c.type == 'Failed').exists(c, c.status == 'True') : false"],
    messageExpression: 'result ? "Job is finished" : "Job is not finished"',
  },
  'v1/Pod': { celExpressions: ["object.status.phase in ['Succeeded', 'Failed']"], messageExpression: '"Pod is in phase " + object.status.phase' },
};

/** The condition one rule gives for `obj`, stamped with the work's generation. */
export async function evaluateRule(obj: KubeObject, rule: Rule, generation: number | undefined): Promise<ConditionInput> {
  const type = rule.condition || COND.work.complete;
  const base = { type, observedGeneration: generation };
  let effective: Rule = rule;
  if (rule.type === 'WellKnownConditions') {
    const known = WELL_KNOWN[`${obj.apiVersion ?? ''}/${obj.kind ?? ''}`];
    if (!known) {
      const [group, version] = (obj.apiVersion ?? '').includes('/') ? (obj.apiVersion ?? '').split('/') : ['', obj.apiVersion ?? ''];
      return { ...base, status: 'Unknown', reason: REASON.manifest.ruleInvalid, message: `cannot find the wellknown conditions for resource with gvk ${group}/${version}, Kind=${obj.kind ?? ''}` };
    }
    effective = { ...rule, celExpressions: known.celExpressions, messageExpression: rule.messageExpression || (rule.message ? undefined : known.messageExpression) };
  } else if (rule.type !== 'CEL') {
    return { ...base, status: 'Unknown', reason: REASON.manifest.ruleInvalid, message: `unrecognized condition rule type ${String(rule.type)}` };
  }
  const { evaluateExpressions, messageOf } = await import('./condition-cel.js');
  const v = evaluateExpressions(obj, effective.celExpressions ?? []);
  const message = v.error ?? messageOf(obj, effective, type, v.status === 'True');
  return { ...base, status: v.status, reason: v.reason, message };
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
