import type { KubeObject } from '../../kube/client.js';
import type { ManifestWork } from '../../api/index.js';
import { hookCondition, hookManifests, hooksCompleted, hookWorkSpec } from './addon-hooks.js';

const job: KubeObject = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'cleanup', namespace: 'ns' } };
const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'tidy', namespace: 'ns' } };
const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'ns' } };

const work = (values: Record<string, Array<{ name: string; string: string }>>): ManifestWork =>
  ({
    metadata: { name: 'addon-a-pre-delete' },
    status: {
      resourceStatus: {
        manifests: Object.entries(values).map(([key, vs]) => {
          const [resource, name] = key.split('/');
          return { resourceMeta: { resource, name, namespace: 'ns' }, statusFeedback: { values: vs.map((v) => ({ name: v.name, fieldValue: { type: 'String', string: v.string } })) } };
        }),
      },
    },
  }) as unknown as ManifestWork;

describe('pre-delete hooks', () => {
  test('only Jobs and Pods are hooks; the work asks WellKnownStatus feedback for each', () => {
    const hooks = hookManifests([job, cm, pod]);
    expect(hooks).toEqual([job, pod]);
    expect(hookWorkSpec(hooks).manifestConfigs).toEqual([
      { resourceIdentifier: { group: 'batch', resource: 'jobs', name: 'cleanup', namespace: 'ns' }, feedbackRules: [{ type: 'WellKnownStatus' }] },
      { resourceIdentifier: { group: '', resource: 'pods', name: 'tidy', namespace: 'ns' }, feedbackRules: [{ type: 'WellKnownStatus' }] },
    ]);
  });

  test('completed only when every Job is Complete and every Pod Succeeded', () => {
    const hooks = [job, pod];
    expect(hooksCompleted(undefined, hooks)).toBe(false);
    expect(hooksCompleted(work({}), hooks)).toBe(false);
    expect(hooksCompleted(work({ 'jobs/cleanup': [{ name: 'JobComplete', string: 'True' }], 'pods/tidy': [{ name: 'PodPhase', string: 'Running' }] }), hooks)).toBe(false);
    expect(hooksCompleted(work({ 'jobs/cleanup': [{ name: 'JobComplete', string: 'False' }], 'pods/tidy': [{ name: 'PodPhase', string: 'Succeeded' }] }), hooks)).toBe(false);
    expect(hooksCompleted(work({ 'jobs/cleanup': [{ name: 'JobComplete', string: 'True' }], 'pods/tidy': [{ name: 'PodPhase', string: 'Succeeded' }] }), hooks)).toBe(true);
  });

  test("OCM's condition, reasons and messages", () => {
    expect(hookCondition('addon-a-pre-delete', true)).toEqual({ type: 'HookManifestCompleted', status: 'True', reason: 'HookManifestIsCompleted', message: 'hook manifestWork addon-a-pre-delete is completed.' });
    expect(hookCondition('addon-a-pre-delete', false)).toMatchObject({ status: 'False', reason: 'HookManifestIsNotCompleted', message: 'hook manifestWork addon-a-pre-delete is not completed.' });
  });
});
