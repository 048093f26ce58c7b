import { COND, REASON } from '../../../api/names.js';
import type { Condition } from '../../core/conditions.js';
import { aggregateRuleConditions, evaluateRule, pruneStaleRuleConditions } from './condition-rules.js';

const job = (conds: { type: string; status: string }[]) => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, status: { conditions: conds } });
const wk = { condition: COND.work.complete, type: 'WellKnownConditions' as const };

test('well-known Complete of Jobs and Pods', async () => {
  expect(await evaluateRule(job([{ type: 'Complete', status: 'True' }]), wk, 2)).toEqual({ type: 'Complete', status: 'True', reason: REASON.manifest.ruleEvaluated, message: 'Job is finished', observedGeneration: 2 });
  expect((await evaluateRule(job([{ type: 'Failed', status: 'True' }]), wk, 2)).status).toBe('True');
  expect(await evaluateRule(job([]), wk, 2)).toMatchObject({ status: 'False', message: 'Job is not finished' });
  const pod = (phase: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, status: { phase } });
  expect(await evaluateRule(pod('Succeeded'), wk, 1)).toMatchObject({ status: 'True', message: 'Pod is in phase Succeeded' });
  expect(await evaluateRule(pod('Running'), { ...wk, message: 'custom' }, 1)).toMatchObject({ status: 'False', message: 'custom' });
});

test('kinds without a well-known condition are Unknown and say why; WellKnownConditions may rename the condition', async () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
  expect(await evaluateRule(cm, wk, 1)).toMatchObject({ status: 'Unknown', reason: REASON.manifest.ruleInvalid, message: 'cannot find the wellknown conditions for resource with gvk /v1, Kind=ConfigMap' });
  expect(await evaluateRule(job([{ type: 'Complete', status: 'True' }]), { ...wk, condition: 'Done' }, 1)).toMatchObject({ type: 'Done', status: 'True', message: 'Job is finished' });
});

const deploy = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', labels: { tier: 'web' } }, spec: { replicas: 2 }, status: { readyReplicas: 2, conditions: [{ type: 'Available', status: 'True' }] } };
const cel = (celExpressions: string[], more: { message?: string; messageExpression?: string } = {}) => ({ condition: 'Ready', type: 'CEL' as const, celExpressions, ...more });

describe('CEL rules', () => {
  test('True when every expression is true, False at the first false, with OCM messages', async () => {
    expect(await evaluateRule(deploy, cel(['object.status.readyReplicas == object.spec.replicas', 'hasConditions(object.status)']), 3)).toEqual({ type: 'Ready', status: 'True', reason: REASON.manifest.ruleEvaluated, message: 'Manifest is Ready', observedGeneration: 3 });
    expect(await evaluateRule(deploy, cel(['true', 'object.status.readyReplicas > 5']), 3)).toMatchObject({ status: 'False', reason: REASON.manifest.ruleEvaluated, message: 'Manifest is not Ready' });
    expect(await evaluateRule(deploy, cel(["object.metadata.labels.tier.startsWith('we')"], { message: 'web is up' }), 3)).toMatchObject({ status: 'True', message: 'web is up' });
  });

  test('the Kubernetes CEL libraries OCM loads are there (quantity, semver, lists, regex)', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { version: 'v1.4.0' } }, spec: { containers: [{ resources: { requests: { memory: '512Mi' } } }, { resources: { requests: { memory: '1Gi' } } }] } };
    const rule = cel([
      "object.spec.containers.all(c, quantity(c.resources.requests.memory).isLessThan(quantity('2G')))",
      'semver(object.metadata.labels.version, true).isGreaterThan(semver("1.3.9"))',
      'object.spec.containers.map(c, quantity(c.resources.requests.memory).asInteger()).isSorted()',
      'object.metadata.labels.version.find("[0-9]+") == "1"',
    ]);
    expect(await evaluateRule(pod, rule, 1)).toMatchObject({ status: 'True' });
    expect(await evaluateRule(pod, cel(["quantity(object.spec.containers[1].resources.requests.memory).isGreaterThan(quantity('2G'))"]), 1)).toMatchObject({ status: 'False' });
  });

  test('messageExpression sees object and result; an empty result falls back to message', async () => {
    const me = 'result ? "ready: " + string(object.status.readyReplicas) : "waiting"';
    expect((await evaluateRule(deploy, cel(['object.status.readyReplicas + 1 == 3'], { messageExpression: me }), 1)).message).toBe('ready: 2');
    expect((await evaluateRule(deploy, cel(['false'], { messageExpression: me }), 1)).message).toBe('waiting');
    expect((await evaluateRule(deploy, cel(['true'], { messageExpression: '""', message: 'fallback' }), 1)).message).toBe('fallback');
    expect((await evaluateRule(deploy, cel(['true'], { messageExpression: '1' }), 1)).message).toMatch(/messageExpression: expected a string result/);
  });

  test('an expression that does not compile names itself and the position; runtime errors and non-bool results too', async () => {
    const bad = (await evaluateRule(deploy, cel(['true', 'object.status.readyReplicas >']), 1));
    expect(bad).toMatchObject({ status: 'False', reason: REASON.manifest.ruleExpressionError });
    expect(bad.message).toMatch(/^celExpressions\[1\] does not compile: 1:29: /);
    expect((await evaluateRule(deploy, cel(['nosuch(object)']), 1)).message).toBe("celExpressions[0] does not compile: 1:1: undeclared reference to function 'nosuch'");
    expect((await evaluateRule(deploy, cel(['obj.status == 1']), 1)).message).toBe("celExpressions[0] does not compile: 1:1: undeclared reference 'obj'");
    expect(await evaluateRule(deploy, cel(['object.status.missing == 1']), 1)).toMatchObject({ status: 'False', reason: REASON.manifest.ruleExpressionError, message: expect.stringMatching(/^celExpressions\[0\]: .*missing/) });
    expect((await evaluateRule(deploy, cel(['object.spec.replicas']), 1)).message).toMatch(/expected bool result/);
  });
});

const c = (type: string, status: 'True' | 'False' | 'Unknown', reason: string = REASON.manifest.ruleEvaluated, observedGeneration = 1): Condition => ({ type, status, reason, message: `${type} ${status}`, lastTransitionTime: '2026-11-23T10:00:00Z', observedGeneration });

test('aggregation per type: all True, any False, else Unknown; other conditions ignored', async () => {
  const manifests = [{ conditions: [c('Complete', 'True'), c('Applied', 'False', 'AppliedManifestFailed')] }, { conditions: [c('Complete', 'True')] }, { conditions: [] }];
  expect(aggregateRuleConditions(manifests, 1)).toEqual([{ type: 'Complete', status: 'True', reason: REASON.work.rulesAggregated, message: '2 of 2 manifests are Complete', observedGeneration: 1 }]);
  expect(aggregateRuleConditions([{ conditions: [c('Complete', 'True')] }, { conditions: [c('Complete', 'Unknown')] }], 1)[0]!.status).toBe('Unknown');
  expect(aggregateRuleConditions([{ conditions: [c('Complete', 'Unknown')] }, { conditions: [c('Complete', 'False')] }], 1)[0]!.status).toBe('False');
  expect(aggregateRuleConditions([{ conditions: [c('Complete', 'True')] }], 1)[0]!.message).toBe('Complete True');
});

test('rule conditions of an older generation are pruned, others kept', async () => {
  const list = [c('Complete', 'True', REASON.manifest.ruleEvaluated, 1), c('Degraded', 'False', REASON.manifest.ruleEvaluated, 2), c('Applied', 'True', 'AppliedManifestComplete', 1)];
  expect(pruneStaleRuleConditions(list, 2).map((x) => x.type)).toEqual(['Degraded', 'Applied']);
});
