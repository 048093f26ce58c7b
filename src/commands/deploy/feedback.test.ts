/** Deployments' replicas read from a work's WellKnownStatus feedback. */
import type { ManifestWork } from '../../api/index.js';
import { allReady, deploymentReplicas, renderReplicas } from './feedback.js';

const int = (name: string, integer: number) => ({ name, fieldValue: { type: 'Integer', integer } });

function work(cluster: string, feedback?: ReturnType<typeof int>[]): ManifestWork {
  return {
    apiVersion: 'work.open-cluster-management.io/v1',
    kind: 'ManifestWork',
    metadata: { name: 'hello', namespace: cluster },
    status: {
      resourceStatus: {
        manifests: [
          { resourceMeta: { ordinal: 0, group: '', version: 'v1', kind: 'Namespace', resource: 'namespaces', name: 'hello' }, conditions: [] },
          {
            resourceMeta: { ordinal: 2, group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', name: 'hello', namespace: 'hello' },
            conditions: [],
            ...(feedback ? { statusFeedback: { values: feedback } } : {}),
          },
        ],
      },
    },
  } as unknown as ManifestWork;
}

describe('deployment replicas from status feedback', () => {
  test('reads ReadyReplicas, Replicas and AvailableReplicas of each Deployment, nothing of other kinds', () => {
    const rows = deploymentReplicas(work('spoke1', [int('ReadyReplicas', 2), int('Replicas', 2), int('AvailableReplicas', 1)]));
    expect(rows).toEqual([{ cluster: 'spoke1', deployment: 'hello/hello', ready: 2, replicas: 2, available: 1 }]);
    expect(allReady(rows, 2)).toBe(true);
    expect(allReady(rows, 3)).toBe(false);
  });

  test('no feedback yet: values unknown, not ready, shown as <none>', () => {
    const rows = deploymentReplicas(work('spoke2'));
    expect(rows).toEqual([{ cluster: 'spoke2', deployment: 'hello/hello', ready: undefined, replicas: undefined, available: undefined }]);
    expect(allReady(rows)).toBe(false);
    expect(allReady([])).toBe(false);
    expect(renderReplicas(rows)).toBe('CLUSTER   DEPLOYMENT    READY    REPLICAS   AVAILABLE\nspoke2    hello/hello   <none>   <none>     <none>\n');
  });

  test('fewer ready than wanted is not ready', () => {
    expect(allReady(deploymentReplicas(work('spoke1', [int('ReadyReplicas', 1), int('Replicas', 2)])))).toBe(false);
  });
});
