/**
 * Status feedback from live spoke objects: WellKnownStatus of a Deployment (status written by the
 * real deployment controller), a Pod and a Job (status written by the test, as a kubelet or the job
 * controller would: no Pod ever runs here), JSONPaths rules whose values follow the object, and
 * condition rules (a finished Job makes the work Complete, which freezes it).
 */
import type { KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import type { ManifestWork } from '../../src/api/index.js';
import { COND, REASON } from '../../src/api/names.js';
import { uniqueName } from '../support/clusters.js';
import { NAMESPACES } from '../hub/support.js';
import { appliedAt, conditionOf, configMap, createWork, manifestCondition, namespace, waitWork, workRef, workSuite } from './support.js';

const s = workSuite({ spoke: 'spoke1', prefix: 'fb' });
let ns: string;

beforeAll(async () => {
  ns = uniqueName('wfb');
  await s.spoke.create(resourcePath(NAMESPACES), namespace(ns));
  s.cleanup.add(() => s.spoke.delete(resourcePath({ ...NAMESPACES, name: ns })));
});


const values = (w: ManifestWork | undefined, ordinal: number) =>
  Object.fromEntries(
    (w?.status?.resourceStatus?.manifests?.find((m) => m.resourceMeta.ordinal === ordinal)?.statusFeedback?.values ?? []).map((v) => [
      v.name,
      v.fieldValue.integer ?? v.fieldValue.string ?? v.fieldValue.boolean ?? v.fieldValue.jsonRaw,
    ]),
  );
const wellKnown = (resource: string, name: string) => ({ resourceIdentifier: { group: resource === 'pods' ? '' : resource === 'jobs' ? 'batch' : 'apps', resource, namespace: ns, name }, feedbackRules: [{ type: 'WellKnownStatus' as const }] });
const container = [{ name: 'c', image: 'registry.example/app:1' }];

test('WellKnownStatus: Deployment, Pod and Job', async () => {
  const manifests: KubeObject[] = [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: ns }, spec: { replicas: 2, selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: container } } } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: ns }, spec: { containers: container } },
    { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: ns }, spec: { suspend: true, template: { spec: { restartPolicy: 'Never', containers: container } } } },
  ];
  await createWork(s.hubAdmin, s.mc.name, 'wellknown', { workload: { manifests }, manifestConfigs: [wellKnown('deployments', 'd'), wellKnown('pods', 'p'), wellKnown('jobs', 'j')] }, s.cleanup);
  await waitWork(s.hubAdmin, s.mc.name, 'wellknown', (w) => appliedAt(w, true), 'applied');

  // The deployment controller counts the (never scheduled) pods of its ReplicaSet.
  const d = await waitWork(s.hubAdmin, s.mc.name, 'wellknown', (w) => values(w, 0).Replicas === 2, 'Deployment Replicas=2');
  expect(values(d, 0)).toEqual({ Replicas: 2 });
  expect(manifestCondition(d, 0, COND.work.feedbackSynced)).toMatchObject({ status: 'True', reason: REASON.manifest.feedbackSynced });

  // What a kubelet would report for the Pod.
  await s.spoke.patch(`/api/v1/namespaces/${ns}/pods/p/status`, { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }, 'merge');
  const p = await waitWork(s.hubAdmin, s.mc.name, 'wellknown', (w) => values(w, 1).PodReady === 'True', 'Pod feedback');
  expect(values(p, 1)).toEqual({ PodReady: 'True', PodPhase: 'Running' });

  // A suspended Job has no Complete condition yet: no value, and that is not an error.
  const j = await waitWork(s.hubAdmin, s.mc.name, 'wellknown', (w) => manifestCondition(w, 2, COND.work.feedbackSynced)?.status === 'True', 'Job feedback synced');
  expect(values(j, 2)).toEqual({});
  // What the job controller writes when the Job succeeds (it leaves a suspended Job's status to us).
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const done = [{ type: 'SuccessCriteriaMet', status: 'True', lastTransitionTime: now }, { type: 'Complete', status: 'True', lastTransitionTime: now }];
  await s.spoke.patch(`/apis/batch/v1/namespaces/${ns}/jobs/j/status`, { status: { startTime: now, completionTime: now, succeeded: 1, conditions: done } }, 'merge');
  const complete = await waitWork(s.hubAdmin, s.mc.name, 'wellknown', (w) => values(w, 2).JobComplete === 'True', 'Job feedback');
  expect(values(complete, 2)).toEqual({ JobComplete: 'True', JobSucceeded: 1 });
});

test('JSONPaths: values follow the object; a bad path is StatusFeedbackSynced=False', async () => {
  const rules = (path: string) => [{ resourceIdentifier: { resource: 'configmaps', namespace: ns, name: 'cfg' }, feedbackRules: [{ type: 'JSONPaths' as const, jsonPaths: [{ name: 'mode', path }] }] }];
  const spec = (mode: string, path = '.data.mode') => ({ workload: { manifests: [configMap(ns, 'cfg', { mode })] }, manifestConfigs: rules(path) });
  await createWork(s.hubAdmin, s.mc.name, 'paths', spec('blue'), s.cleanup);
  await waitWork(s.hubAdmin, s.mc.name, 'paths', (w) => values(w, 0).mode === 'blue', 'mode=blue');
  const t0 = Date.now();
  await s.hubAdmin.patch(resourcePath(workRef(s.mc.name, 'paths')), { spec: spec('green') }, 'merge');
  await waitWork(s.hubAdmin, s.mc.name, 'paths', (w) => values(w, 0).mode === 'green', 'mode=green', 15_000);
  process.stderr.write(`work e2e: hub change → feedback value on the hub: ${Date.now() - t0} ms (status sync 1 s)\n`);
  await s.hubAdmin.patch(resourcePath(workRef(s.mc.name, 'paths')), { spec: spec('green', '.data[') }, 'merge');
  const bad = await waitWork(s.hubAdmin, s.mc.name, 'paths', (w) => manifestCondition(w, 0, COND.work.feedbackSynced)?.status === 'False', 'bad path reported');
  expect(manifestCondition(bad, 0, COND.work.feedbackSynced)).toMatchObject({ reason: REASON.manifest.feedbackFailed });
  expect(manifestCondition(bad, 0, COND.work.feedbackSynced)!.message).toContain('unsupported JSONPath');
});

test('condition rules: a finished Job makes its manifest and the work Complete, and the work is frozen', async () => {
  const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once', namespace: ns }, spec: { suspend: true, template: { spec: { restartPolicy: 'Never', containers: container } } } };
  const configs = [{ resourceIdentifier: { group: 'batch', resource: 'jobs', namespace: ns, name: 'once' }, conditionRules: [{ condition: COND.work.complete, type: 'WellKnownConditions' as const }] }];
  await createWork(s.hubAdmin, s.mc.name, 'complete', { workload: { manifests: [job] }, manifestConfigs: configs }, s.cleanup);
  const running = await waitWork(s.hubAdmin, s.mc.name, 'complete', (w) => !!manifestCondition(w, 0, COND.work.complete), 'Complete evaluated');
  expect(manifestCondition(running, 0, COND.work.complete)).toMatchObject({ status: 'False', reason: REASON.manifest.ruleEvaluated, message: 'Job is not finished' });
  expect(conditionOf(running, COND.work.complete)).toMatchObject({ status: 'False', reason: REASON.work.rulesAggregated });

  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const done = [{ type: 'SuccessCriteriaMet', status: 'True', lastTransitionTime: now }, { type: 'Complete', status: 'True', lastTransitionTime: now }];
  await s.spoke.patch(`/apis/batch/v1/namespaces/${ns}/jobs/once/status`, { status: { startTime: now, completionTime: now, succeeded: 1, conditions: done } }, 'merge');
  const complete = await waitWork(s.hubAdmin, s.mc.name, 'complete', (w) => conditionOf(w, COND.work.complete)?.status === 'True', 'work Complete');
  expect(manifestCondition(complete, 0, COND.work.complete)).toMatchObject({ status: 'True', reason: REASON.manifest.ruleEvaluated, message: 'Job is finished' });
  expect(conditionOf(complete, COND.work.complete)).toMatchObject({ reason: REASON.work.rulesAggregated, message: 'Job is finished' });

  // A Complete work is frozen: a spec change is not applied any more.
  const changed = await s.hubAdmin.patch<ManifestWork>(resourcePath(workRef(s.mc.name, 'complete')), { spec: { workload: { manifests: [job, configMap(ns, 'late')] }, manifestConfigs: configs } }, 'merge');
  await s.agent.waitForLog((l) => l.msg === 'work is Complete: spec changes are not applied' && l.work === 'complete' && l.generation === changed.metadata.generation);
  await expect(s.spoke.get(`/api/v1/namespaces/${ns}/configmaps/late`)).rejects.toMatchObject({ status: 404 });
});
