import { feedbackValues, findValues, parsePath, toFieldValue } from './feedback.js';

const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, status: { replicas: 3, readyReplicas: 2, availableReplicas: 2 } };
const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, status: { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }, { type: 'Failed', status: 'False' }] } };
const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } };

test('well-known status of Deployments, DaemonSets, Jobs and Pods', () => {
  const rule = [{ type: 'WellKnownStatus' as const }];
  expect(feedbackValues(deployment, rule)).toEqual({
    values: [
      { name: 'ReadyReplicas', fieldValue: { type: 'Integer', integer: 2 } },
      { name: 'Replicas', fieldValue: { type: 'Integer', integer: 3 } },
      { name: 'AvailableReplicas', fieldValue: { type: 'Integer', integer: 2 } },
    ],
    errors: [],
  });
  expect(feedbackValues(job, rule).values).toEqual([
    { name: 'JobComplete', fieldValue: { type: 'String', string: 'True' } },
    { name: 'JobSucceeded', fieldValue: { type: 'Integer', integer: 1 } },
  ]);
  const ds = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'ds' }, status: { numberReady: 2, desiredNumberScheduled: 3, numberAvailable: 2 } };
  expect(feedbackValues(ds, rule).values).toEqual([
    { name: 'NumberReady', fieldValue: { type: 'Integer', integer: 2 } },
    { name: 'DesiredNumberScheduled', fieldValue: { type: 'Integer', integer: 3 } },
    { name: 'NumberAvailable', fieldValue: { type: 'Integer', integer: 2 } },
  ]);
  expect(feedbackValues(pod, rule).values).toEqual([
    { name: 'PodReady', fieldValue: { type: 'String', string: 'True' } },
    { name: 'PodPhase', fieldValue: { type: 'String', string: 'Running' } },
  ]);
});

test('a kind without a well-known status is an error; missing fields are simply absent', () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
  expect(feedbackValues(cm, [{ type: 'WellKnownStatus' }])).toEqual({ values: [], errors: ['no well-known status for v1 ConfigMap'] });
  expect(feedbackValues({ ...deployment, status: {} }, [{ type: 'WellKnownStatus' }])).toEqual({ values: [], errors: [] });
});

test('JSONPaths rules: scalars by type, objects and lists as JSON, version checks, bad syntax reported', () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { 'app.kubernetes.io/name': 'x' } }, data: { a: '1', flag: 'on' } };
  const { values, errors } = feedbackValues(cm, [
    {
      type: 'JSONPaths',
      jsonPaths: [
        { name: 'a', path: '.data.a' },
        { name: 'all', path: '.data' },
        { name: 'label', path: ".metadata.labels['app.kubernetes.io/name']" },
        { name: 'v2only', path: '.data.a', version: 'v2' },
        { name: 'bad', path: '.data..[' },
      ],
    },
  ]);
  expect(values).toEqual([
    { name: 'a', fieldValue: { type: 'String', string: '1' } },
    { name: 'all', fieldValue: { type: 'JsonRaw', jsonRaw: '{"a":"1","flag":"on"}' } },
    { name: 'label', fieldValue: { type: 'String', string: 'x' } },
  ]);
  expect(errors).toHaveLength(2);
  expect(errors[0]).toContain('v2');
  expect(errors[1]).toContain('unsupported JSONPath');
});

test('paths: braces and $ accepted, indexes, filters on numbers and booleans', () => {
  expect(parsePath('{$.a[0].b}')).toEqual([{ key: 'a' }, { index: 0 }, { key: 'b' }]);
  expect(findValues({ a: [{ n: 1, v: 'x' }, { n: 2, v: 'y' }] }, '.a[?(@.n==2)].v')).toEqual(['y']);
  expect(findValues({ a: [{ ok: true, v: 'x' }] }, '.a[?(@.ok==true)].v')).toEqual(['x']);
  expect(findValues({ a: [1] }, '.a[3]')).toEqual([]);
  expect(toFieldValue('f', [1.5])).toEqual({ type: 'JsonRaw', jsonRaw: '1.5' });
  expect(toFieldValue('b', [false])).toEqual({ type: 'Boolean', boolean: false });
  expect(() => toFieldValue('big', ['x'.repeat(600), 'y'.repeat(600)])).toThrow('longer than 1024');
});
