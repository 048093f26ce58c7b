import type { KubeObject } from '../kube/client.js';
import type { ManifestWork } from '../api/index.js';
import { availability, manifestApplied } from '../runtime/hub/addon-status.js';
import { healthyWorkStatus } from './sim-addons.js';

const deploy: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'agent', namespace: 'ns' }, spec: { replicas: 2 } } as KubeObject;
const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'ns' } };

test("the simulated work agent's status is what the hub reads as applied and available at the work's generation", () => {
  const work = { metadata: { name: 'addon-a-deploy-0', namespace: 'c1', generation: 3 }, spec: { workload: { manifests: [cm, deploy] } } } as unknown as ManifestWork;
  const reported = { ...work, status: healthyWorkStatus(work) } as ManifestWork;
  expect(manifestApplied(reported)).toMatchObject({ status: 'True' });
  expect(availability(reported, [cm, deploy])).toMatchObject({ status: 'True', reason: 'ProbeAvailable' });
  const meta = (reported.status!.resourceStatus!.manifests ?? []).map((m) => m.resourceMeta);
  expect(meta).toEqual([
    { ordinal: 0, group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps', name: 'x', namespace: 'ns' },
    { ordinal: 1, group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', name: 'agent', namespace: 'ns' },
  ]);
});
