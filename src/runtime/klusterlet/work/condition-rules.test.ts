import { COND, REASON } from '../../../api/names.js';
import type { Condition } from '../../core/conditions.js';
import { aggregateRuleConditions, evaluateRule, pruneStaleRuleConditions } from './condition-rules.js';

const job = (conds: { type: string; status: string }[]) => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, status: { conditions: conds } });
const wk = { condition: COND.work.complete, type: 'WellKnownConditions' as const };

test('well-known Complete of Jobs and Pods', () => {
  expect(evaluateRule(job([{ type: 'Complete', status: 'True' }]), wk, 2)).toEqual({ type: 'Complete', status: 'True', reason: REASON.manifest.ruleEvaluated, message: 'Job is finished', observedGeneration: 2 });
  expect(evaluateRule(job([{ type: 'Failed', status: 'True' }]), wk, 2).status).toBe('True');
  expect(evaluateRule(job([]), wk, 2)).toMatchObject({ status: 'False', message: 'Job is not finished' });
  const pod = (phase: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, status: { phase } });
  expect(evaluateRule(pod('Succeeded'), wk, 1)).toMatchObject({ status: 'True', message: 'Pod is in phase Succeeded' });
  expect(evaluateRule(pod('Running'), { ...wk, message: 'custom' }, 1)).toMatchObject({ status: 'False', message: 'custom' });
});

test('kinds without a well-known condition, and CEL rules, are Unknown and say why', () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
  expect(evaluateRule(cm, wk, 1)).toMatchObject({ status: 'Unknown', reason: REASON.manifest.ruleInvalid });
  expect(evaluateRule(cm, { condition: 'Ready', type: 'CEL', celExpressions: ['true'] }, 1)).toMatchObject({ type: 'Ready', status: 'Unknown', reason: REASON.manifest.ruleInvalid });
});

const c = (type: string, status: 'True' | 'False' | 'Unknown', reason: string = REASON.manifest.ruleEvaluated, observedGeneration = 1): Condition => ({ type, status, reason, message: `${type} ${status}`, lastTransitionTime: '2026-11-23T10:00:00Z', observedGeneration });

test('aggregation per type: all True, any False, else Unknown; other conditions ignored', () => {
  const manifests = [{ conditions: [c('Complete', 'True'), c('Applied', 'False', 'AppliedManifestFailed')] }, { conditions: [c('Complete', 'True')] }, { conditions: [] }];
  expect(aggregateRuleConditions(manifests, 1)).toEqual([{ type: 'Complete', status: 'True', reason: REASON.work.rulesAggregated, message: '2 of 2 manifests are Complete', observedGeneration: 1 }]);
  expect(aggregateRuleConditions([{ conditions: [c('Complete', 'True')] }, { conditions: [c('Complete', 'Unknown')] }], 1)[0]!.status).toBe('Unknown');
  expect(aggregateRuleConditions([{ conditions: [c('Complete', 'Unknown')] }, { conditions: [c('Complete', 'False')] }], 1)[0]!.status).toBe('False');
  expect(aggregateRuleConditions([{ conditions: [c('Complete', 'True')] }], 1)[0]!.message).toBe('Complete True');
});

test('rule conditions of an older generation are pruned, others kept', () => {
  const list = [c('Complete', 'True', REASON.manifest.ruleEvaluated, 1), c('Degraded', 'False', REASON.manifest.ruleEvaluated, 2), c('Applied', 'True', 'AppliedManifestComplete', 1)];
  expect(pruneStaleRuleConditions(list, 2).map((x) => x.type)).toEqual(['Degraded', 'Applied']);
});
