/**
 * The CEL half of condition rules, loaded on the first rule that needs it: the CEL library is
 * about a quarter of an agent's memory and most works have no condition rules.
 */
import { CelScalar, celFunc, isCelList, isCelMap, type CelValue } from '@bufbuild/cel';
import type { KubeObject } from '../../../kube/client.js';
import { REASON } from '../../../api/names.js';
import type { ManifestConfigT } from '../../../api/work.js';
import { celEnvironment, compileCel, type CelCompiled } from '../../core/cel.js';

type Rule = NonNullable<ManifestConfigT['conditionRules']>[number];

const hasConditions = celFunc('hasConditions', [CelScalar.DYN], CelScalar.BOOL, (status: CelValue) => {
  if (!isCelMap(status)) return false;
  const list = status.get('conditions');
  return !!list && isCelList(list) && list.size > 0;
});
const ENV = celEnvironment([hasConditions]);

// Rules are evaluated every status sync: compile each expression once (bounded, oldest dropped).
const compiled = new Map<string, CelCompiled>();
function compile(expression: string, variables: readonly string[]): CelCompiled {
  const key = `${variables.join(',')}\n${expression}`;
  let c = compiled.get(key);
  if (!c) {
    c = compileCel(ENV, expression, variables);
    if (compiled.size >= 512) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, c);
  }
  return c;
}

type Verdict = { status: 'True' | 'False'; reason: string; error?: string };

export function evaluateExpressions(obj: KubeObject, expressions: readonly string[]): Verdict {
  for (const [i, expression] of expressions.entries()) {
    const c = compile(expression, ['object']);
    if (!c.ok) return { status: 'False', reason: REASON.manifest.ruleExpressionError, error: `celExpressions[${i}] does not compile: ${c.error}` };
    const r = c.program.run({ object: obj });
    if ('error' in r) return { status: 'False', reason: REASON.manifest.ruleExpressionError, error: `celExpressions[${i}]: ${r.error}` };
    if (typeof r.value !== 'boolean') return { status: 'False', reason: REASON.manifest.ruleExpressionError, error: `celExpressions[${i}]: expected bool result, got ${typeof r.value}` };
    if (!r.value) return { status: 'False', reason: REASON.manifest.ruleEvaluated };
  }
  return { status: 'True', reason: REASON.manifest.ruleEvaluated };
}

export function messageOf(obj: KubeObject, rule: Rule, type: string, result: boolean): string {
  if (rule.messageExpression) {
    const c = compile(rule.messageExpression, ['object', 'result']);
    if (!c.ok) return `messageExpression does not compile: ${c.error}`;
    const r = c.program.run({ object: obj, result });
    if ('error' in r) return `messageExpression: ${r.error}`;
    if (typeof r.value !== 'string') return `messageExpression: expected a string result, got ${typeof r.value}`;
    if (r.value) return r.value;
  }
  if (rule.message) return rule.message;
  return result ? `Manifest is ${type}` : `Manifest is not ${type}`;
}

