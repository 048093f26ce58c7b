import type { KubeObject } from '../../kube/client.js';
import type { ManifestWork } from '../../api/index.js';
import { availability, workloadUnhealthy } from './addon-status.js';

const deploy = (replicas?: number): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'agent', namespace: 'ns' }, spec: replicas === undefined ? {} : { replicas } } as KubeObject);
const ds: KubeObject = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'node-agent', namespace: 'ns' } };
const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'ns' } };
const ints = (o: Record<string, number>) => Object.entries(o).map(([name, integer]) => ({ name, fieldValue: { integer } }));
const D = { resource: 'deployments', name: 'agent', namespace: 'ns' };
const DS = { resource: 'daemonsets', name: 'node-agent', namespace: 'ns' };

/** A deploy work whose agent reported `available` and these feedback values per resource. */
const work = (available: 'True' | 'False' | undefined, feedback: Record<string, Record<string, number>> = {}): ManifestWork =>
  ({
    metadata: { name: 'addon-a-deploy-0' },
    status: {
      conditions: available ? [{ type: 'Available', status: available, reason: 'x', message: 'work says so' }] : [],
      resourceStatus: {
        manifests: Object.entries(feedback).map(([key, vs]) => {
          const [resource, name] = key.split('/');
          return { resourceMeta: { resource, name, namespace: 'ns' }, statusFeedback: { values: ints(vs) } };
        }),
      },
    },
  }) as unknown as ManifestWork;

describe("OCM's workload rule (addon-framework checkWorkloadAvailabilityHealth)", () => {
  test.each([
    ['a Deployment with one ready replica', D, { Replicas: 2, ReadyReplicas: 1 }, true],
    ['a Deployment that wants 0 replicas', D, { Replicas: 0, ReadyReplicas: 0 }, true],
    ['a Deployment with none ready', D, { Replicas: 1, ReadyReplicas: 0 }, false],
    ['a Deployment without ReadyReplicas', D, { Replicas: 0 }, false],
    ['a Deployment without Replicas', D, { ReadyReplicas: 1 }, false],
    ['a DaemonSet with every pod ready', DS, { DesiredNumberScheduled: 2, NumberReady: 2 }, true],
    ['a DaemonSet with one pod of two ready', DS, { DesiredNumberScheduled: 2, NumberReady: 1 }, false],
    ['a DaemonSet scheduled nowhere', DS, { DesiredNumberScheduled: 0, NumberReady: 0 }, true],
  ])('%s: healthy %s', (_what, probe, values, healthy) => {
    expect(workloadUnhealthy(probe, ints(values)) === undefined).toBe(healthy);
  });
});

describe('Available of a template add-on', () => {
  const avail = (w: ManifestWork | undefined, manifests: KubeObject[]) => {
    const c = availability(w, manifests);
    return `${c.status} ${c.reason}`;
  };
  test('from the work first: none, not yet said, not available', () => {
    expect(avail(undefined, [deploy(1)])).toBe('Unknown WorkNotFound');
    expect(avail(work(undefined), [deploy(1)])).toBe('Unknown WorkNotApplied');
    expect(avail(work('False'), [deploy(1)])).toBe('False WorkNotApplied');
  });
  test('no value reported for any probed workload (a Deployment scaled to 0 reports none): Unknown', () => {
    expect(avail(work('True'), [deploy(1)])).toBe('Unknown NoProbeResult');
    expect(availability(work('True'), [deploy(1)]).message).toContain('deployments ns/agent');
  });
  test('the probed workloads decide; ones without a value yet are left out', () => {
    expect(avail(work('True', { 'deployments/agent': { Replicas: 1, ReadyReplicas: 1 } }), [deploy(1), ds])).toBe('True ProbeAvailable');
    expect(avail(work('True', { 'deployments/agent': { Replicas: 1 } }), [deploy(1)])).toBe('False ProbeUnavailable');
    expect(avail(work('True', { 'daemonsets/node-agent': { DesiredNumberScheduled: 3, NumberReady: 2 } }), [ds])).toBe('False ProbeUnavailable');
  });
  test('a Deployment whose manifest asks for 0 replicas is not probed, as OCM: with nothing else to probe the add-on is available', () => {
    expect(avail(work('True'), [deploy(0), cm])).toBe('True ProbeAvailable');
    expect(avail(work('True'), [deploy(0), ds])).toBe('Unknown NoProbeResult');
  });
  test('no workload at all: available once the work is', () => {
    expect(avail(work('True'), [cm])).toBe('True ProbeAvailable');
  });
});
