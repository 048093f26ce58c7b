/**
 * spec.deleteOption.ttlSecondsAfterFinished on the real hub controller: a work whose Complete
 * condition turns True (written here as the work agent writes it; fields.e2e.ts proves the agent
 * side) is deleted by the hub once its TTL has passed; a Complete work without the field stays.
 */
import { resourcePath } from '../../src/kube/resources.js';
import { MANIFEST_WORKS, TYPE, type ManifestWork } from '../../src/api/index.js';
import { COND, REASON } from '../../src/api/names.js';
import { addCluster, nextReconcile, startWorld, stopWorld, type World } from '../placement/support.js';
import { gone, unique, until } from '../hub/support.js';

let w: World;
let cluster: string;

beforeAll(async () => {
  w = await startWorld('wttl');
  cluster = await addCluster(w, unique('ttl-c'), { namespace: true });
});
afterAll(() => stopWorld(w));

const ref = (name: string) => ({ ...MANIFEST_WORKS, namespace: cluster, name });

async function completedWork(name: string, deleteOption?: NonNullable<ManifestWork['spec']>['deleteOption']): Promise<void> {
  const manifests = [{ apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'default' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'registry.example/job:1' }] } } } }];
  const created = await w.client.create<ManifestWork>(resourcePath({ ...MANIFEST_WORKS, namespace: cluster }), { ...TYPE.manifestWork, metadata: { name }, spec: { workload: { manifests }, ...(deleteOption ? { deleteOption } : {}) } });
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const complete = { type: COND.work.complete, status: 'True', reason: REASON.work.rulesAggregated, message: 'Job is finished', lastTransitionTime: now, observedGeneration: created.metadata.generation };
  await w.client.patch(resourcePath({ ...ref(name), subresource: 'status' }), { status: { conditions: [complete] } }, 'merge');
}

test('a Complete work is deleted by the hub after its TTL; one without the field stays', async () => {
  await completedWork('keep');
  await completedWork('ttl', { propagationPolicy: 'Foreground', ttlSecondsAfterFinished: 2 });
  await until(w.client, ref('ttl'), gone, 'the work with a TTL deleted', 60_000);
  const log = await w.ctl.waitForLog((l) => l.msg === 'deleted a completed manifestwork after its ttl' && l.work === `${cluster}/ttl`);
  expect(log).toMatchObject({ ttlSeconds: 2 });
  // A fresh pass over the other work (woken by a label) leaves it in place.
  const pass = nextReconcile(w, 'manifestwork-ttl', `${cluster}/keep`);
  await w.client.patch(resourcePath(ref('keep')), { metadata: { labels: { poke: '1' } } }, 'merge');
  await pass;
  expect((await w.client.get<ManifestWork>(resourcePath(ref('keep')))).metadata.deletionTimestamp).toBeUndefined();
});

test('a work with a TTL that is not Complete stays', async () => {
  const manifests = [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' } }];
  await w.client.create<ManifestWork>(resourcePath({ ...MANIFEST_WORKS, namespace: cluster }), { ...TYPE.manifestWork, metadata: { name: 'running' }, spec: { workload: { manifests }, deleteOption: { ttlSecondsAfterFinished: 0 } } });
  // A Complete work with TTL 0 goes at once; after a fresh pass over the running one, it is still there.
  await completedWork('zero', { ttlSecondsAfterFinished: 0 });
  await until(w.client, ref('zero'), gone, 'the Complete work with TTL 0 deleted', 60_000);
  const pass = nextReconcile(w, 'manifestwork-ttl', `${cluster}/running`);
  await w.client.patch(resourcePath(ref('running')), { metadata: { labels: { poke: '1' } } }, 'merge');
  await pass;
  expect((await w.client.get<ManifestWork>(resourcePath(ref('running')))).metadata.deletionTimestamp).toBeUndefined();
});
