/**
 * ManifestWork fields on a real spoke: CEL condition rules (evaluated on the live object, a rule
 * that does not compile named in the work's conditions with its position) and ServerSideApply
 * ignoreFields (a field another manager changed on the spoke is left alone while the work's other
 * fields are still applied; without ignoreFields a forced apply takes it back).
 */
import type { KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import type { ManifestWork } from '../../src/api/index.js';
import { COND, REASON } from '../../src/api/names.js';
import { uniqueName } from '../support/clusters.js';
import { NAMESPACES } from '../hub/support.js';
import { appliedAt, conditionOf, configMap, createWork, manifestCondition, namespace, waitWork, workRef, workSuite } from './support.js';

const s = workSuite({ spoke: 'spoke1', prefix: 'fields' });
let ns: string;

beforeAll(async () => {
  ns = uniqueName('wfields');
  await s.spoke.create(resourcePath(NAMESPACES), namespace(ns));
  s.cleanup.add(() => s.spoke.delete(resourcePath({ ...NAMESPACES, name: ns })));
});

const container = [{ name: 'c', image: 'registry.example/app:1' }];

test('CEL condition rules: True/False from the live object with OCM reasons; a rule that does not compile says why', async () => {
  const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'cel', namespace: ns }, spec: { suspend: true, template: { spec: { restartPolicy: 'Never', containers: container } } } };
  const rules = [
    {
      condition: COND.work.complete,
      type: 'CEL' as const,
      celExpressions: ['has(object.status.succeeded) && object.status.succeeded >= 1'],
      messageExpression: 'result ? "succeeded " + string(object.status.succeeded) : "still running"',
    },
    { condition: 'Broken', type: 'CEL' as const, celExpressions: ['object.status.succeeded >'] },
  ];
  const configs = [{ resourceIdentifier: { group: 'batch', resource: 'jobs', namespace: ns, name: 'cel' }, conditionRules: rules }];
  await createWork(s.hubAdmin, s.mc.name, 'cel', { workload: { manifests: [job] }, manifestConfigs: configs }, s.cleanup);

  const running = await waitWork(s.hubAdmin, s.mc.name, 'cel', (w) => !!manifestCondition(w, 0, COND.work.complete) && !!manifestCondition(w, 0, 'Broken'), 'CEL rules evaluated');
  expect(manifestCondition(running, 0, COND.work.complete)).toMatchObject({ status: 'False', reason: REASON.manifest.ruleEvaluated, message: 'still running' });
  const broken = manifestCondition(running, 0, 'Broken');
  expect(broken).toMatchObject({ status: 'False', reason: REASON.manifest.ruleExpressionError });
  expect(broken!.message).toMatch(/^celExpressions\[0\] does not compile: 1:25: /);
  // The work carries the aggregate, with the compile error as its message (one manifest).
  expect(conditionOf(running, 'Broken')).toMatchObject({ status: 'False', reason: REASON.work.rulesAggregated, message: broken!.message });

  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const done = [{ type: 'SuccessCriteriaMet', status: 'True', lastTransitionTime: now }, { type: 'Complete', status: 'True', lastTransitionTime: now }];
  await s.spoke.patch(`/apis/batch/v1/namespaces/${ns}/jobs/cel/status`, { status: { startTime: now, completionTime: now, succeeded: 1, conditions: done } }, 'merge');
  const complete = await waitWork(s.hubAdmin, s.mc.name, 'cel', (w) => conditionOf(w, COND.work.complete)?.status === 'True', 'work Complete by CEL');
  expect(manifestCondition(complete, 0, COND.work.complete)).toMatchObject({ status: 'True', reason: REASON.manifest.ruleEvaluated, message: 'succeeded 1' });
  expect(conditionOf(complete, COND.work.complete)).toMatchObject({ reason: REASON.work.rulesAggregated, message: 'succeeded 1' });
});

type CM = KubeObject & { data?: Record<string, string> };
const CMREF = (name: string) => ({ group: '', version: 'v1', resource: 'configmaps', namespace: ns, name });
const getCm = (name: string) => s.spoke.get<CM>(resourcePath(CMREF(name)));
const atGeneration = (g: number) => (w: ManifestWork | undefined) => w?.metadata.generation === g && appliedAt(w);

async function spokeEditThenWorkChange(name: string, ssa: Record<string, unknown>): Promise<CM> {
  const spec = (b: string): ManifestWork['spec'] => ({
    workload: { manifests: [configMap(ns, name, { a: 'hub', b })] },
    manifestConfigs: [{ resourceIdentifier: { resource: 'configmaps', namespace: ns, name }, updateStrategy: { type: 'ServerSideApply', serverSideApply: ssa } }],
  });
  await createWork(s.hubAdmin, s.mc.name, name, spec('1'), s.cleanup);
  await waitWork(s.hubAdmin, s.mc.name, name, (w) => appliedAt(w, true), 'applied');
  expect((await getCm(name)).data).toEqual({ a: 'hub', b: '1' });
  // Someone on the spoke takes data.a over.
  await s.spoke.patch(resourcePath(CMREF(name)), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { a: 'spoke' } }, 'apply', { fieldManager: 'spoke-operator', force: true });
  // The work changes another field; the agent applies generation 2.
  await s.hubAdmin.patch(resourcePath(workRef(s.mc.name, name)), { spec: spec('2') }, 'merge');
  await waitWork(s.hubAdmin, s.mc.name, name, atGeneration(2), 'generation 2 applied');
  return getCm(name);
}

test('ignoreFields OnSpokePresent: the spoke-changed field is left alone, the work change still lands', async () => {
  const cm = await spokeEditThenWorkChange('ignored', { force: true, ignoreFields: [{ condition: 'OnSpokePresent', jsonPaths: ['.data.a'] }] });
  expect(cm.data).toEqual({ a: 'spoke', b: '2' });
  expect(cm.metadata?.annotations?.['open-cluster-management.io/config-spec-hash']).toMatch(/^[0-9a-f]{32}$/);
});

test('without ignoreFields a forced apply takes the spoke-changed field back', async () => {
  const cm = await spokeEditThenWorkChange('notignored', { force: true });
  expect(cm.data).toEqual({ a: 'hub', b: '2' });
});

test('ignoreFields it cannot use (jqPathExpressions) fail the manifest with the reason, nothing applied', async () => {
  const configs = [{ resourceIdentifier: { resource: 'configmaps', namespace: ns, name: 'jq' }, updateStrategy: { type: 'ServerSideApply' as const, serverSideApply: { ignoreFields: [{ condition: 'OnSpokePresent' as const, jqPathExpressions: ['.data.a'] }] } } }];
  await createWork(s.hubAdmin, s.mc.name, 'jq', { workload: { manifests: [configMap(ns, 'jq')] }, manifestConfigs: configs }, s.cleanup);
  const w = await waitWork(s.hubAdmin, s.mc.name, 'jq', (x) => manifestCondition(x, 0, COND.work.applied)?.status === 'False', 'refused');
  expect(manifestCondition(w, 0, COND.work.applied)).toMatchObject({ reason: REASON.manifest.applyFailed, message: expect.stringMatching(/jqPathExpressions are not supported/) });
  await expect(getCm('jq')).rejects.toMatchObject({ status: 404 });
});
