/**
 * ManifestWorkReplicaSet on the real hub: one ManifestWork per decided cluster in the cluster's
 * namespace, kept equal to the template, following the placement's decisions, summarised from the
 * works' conditions, and all deleted with the set (finalizer; Foreground waits for the works).
 * The test plays the work agent by writing work status itself.
 */
import { resourcePath } from '../../src/kube/resources.js';
import { MANIFEST_WORKS, MANIFEST_WORK_REPLICA_SETS, TYPE, type ManifestWork, type ManifestWorkReplicaSet } from '../../src/api/index.js';
import type { KubeList } from '../../src/kube/client.js';
import { gone, unique, until } from '../hub/support.js';
import { addCluster, conditionOf, createPlacement, errorLines, nextReconcile, setLabels, startWorld, stopWorld, type World } from './support.js';

let w: World;

beforeAll(async () => {
  w = await startWorld('mwrs');
});

afterAll(async () => {
  await stopWorld(w);
});

const SET_LABEL = 'work.open-cluster-management.io/manifestworkreplicaset';
const cm = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: 'default' }, data });
const setRef = (name: string) => ({ ...MANIFEST_WORK_REPLICA_SETS, namespace: w.ns, name });

function createSet(name: string, placements: string[], data: Record<string, string>, extra: Record<string, unknown> = {}): Promise<ManifestWorkReplicaSet> {
  return w.client.create(resourcePath({ ...MANIFEST_WORK_REPLICA_SETS, namespace: w.ns }), {
    ...TYPE.manifestWorkReplicaSet,
    metadata: { name, namespace: w.ns, labels: { app: name } },
    spec: { manifestWorkTemplate: { workload: { manifests: [cm(data)] } }, placementRefs: placements.map((p) => ({ name: p })), ...extra },
  });
}

/** The works of a set, across all cluster namespaces, by cluster. */
async function worksOf(name: string): Promise<Map<string, ManifestWork>> {
  const list = await w.client.list<KubeList<ManifestWork>['items'][number]>(resourcePath(MANIFEST_WORKS), { labelSelector: `${SET_LABEL}=${w.ns}.${name}` });
  return new Map(list.items.map((x) => [x.metadata.namespace!, x]));
}

const setUntil = async (name: string, pred: (m: ManifestWorkReplicaSet) => boolean, what: string) =>
  (await until<ManifestWorkReplicaSet>(w.client, setRef(name), (o) => !!o && pred(o), what))!;

/** The agent's report on a work: Applied and Available True at its generation, Progressing as given. */
async function report(work: ManifestWork, progressing?: 'True' | 'False'): Promise<void> {
  const t = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const g = work.metadata.generation;
  const c = (type: string, status: string) => ({ type, status, reason: 'E2EAgent', message: '', lastTransitionTime: t, observedGeneration: g });
  const conditions = [c('Applied', 'True'), c('Available', 'True'), ...(progressing ? [c('Progressing', progressing)] : [])];
  await w.client.patch(resourcePath({ ...MANIFEST_WORKS, namespace: work.metadata.namespace!, name: work.metadata.name!, subresource: 'status' }), { status: { conditions } }, 'merge');
}

test('works follow decisions and the template; status aggregates the works; nothing churns', async () => {
  const id = unique('app');
  const [a, b, c] = [`${id}-a`, `${id}-b`, `${id}-c`];
  for (const n of [a, b]) await addCluster(w, n, { labels: { [id]: 'on' }, namespace: true });
  await addCluster(w, c, { labels: { [id]: 'off' }, namespace: true });
  await createPlacement(w, 'web', { predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { [id]: 'on' } } } }] });
  await createSet('web', ['web'], { v: '1' });

  let m = await setUntil('web', (o) => o.status?.summary?.total === 2 && conditionOf(o, 'PlacementVerified')?.reason === 'AsExpected', 'two works planned');
  expect(m.metadata.finalizers).toContain('work.open-cluster-management.io/manifest-work-cleanup');
  let works = await worksOf('web');
  expect([...works.keys()].sort()).toEqual([a, b]);
  const wa = works.get(a)!;
  expect(wa.metadata.name).toMatch(/^web[a-z0-9]{5}$/);
  expect(wa.metadata.labels).toEqual({ app: 'web', [SET_LABEL]: `${w.ns}.web`, 'work.open-cluster-management.io/placementname': 'web' });
  expect(wa.spec).toEqual({ workload: { manifests: [cm({ v: '1' })] } });
  expect(conditionOf(m, 'ManifestworkApplied')).toMatchObject({ status: 'False', reason: 'NotAsExpected' });

  // The agent reports: one done, one still progressing, then both done.
  await report(wa, 'False');
  await report(works.get(b)!, 'True');
  m = await setUntil('web', (o) => conditionOf(o, 'ManifestworkApplied')?.reason === 'Processing', 'processing');
  expect(m.status!.summary).toMatchObject({ total: 2, applied: 2, available: 2, progressing: 1, degraded: 0 });
  expect(conditionOf(m, 'PlacementRolledOut')).toMatchObject({ status: 'False', reason: 'Progressing' });
  await report(works.get(b)!, 'False');
  m = await setUntil('web', (o) => conditionOf(o, 'ManifestworkApplied')?.reason === 'AsExpected' && conditionOf(o, 'PlacementRolledOut')?.reason === 'Complete', 'applied');
  expect(m.status!.placementSummary).toEqual([{ name: 'web', availableDecisionGroups: '1 (2 / 2 clusters applied)', summary: { total: 2, applied: 0, available: 0, degraded: 0, progressing: 0 } }]);

  // Nothing changed: another pass writes nothing.
  const rvs = [m.metadata.resourceVersion, ...[...(await worksOf('web')).values()].map((x) => x.metadata.resourceVersion)];
  const pass = nextReconcile(w, 'manifestworkreplicaset', `${w.ns}/web`);
  await w.client.patch(resourcePath(setRef('web')), { metadata: { annotations: { touched: 'yes' } } }, 'merge');
  await pass;
  const after = [(await w.client.get(resourcePath(setRef('web')))).metadata!.resourceVersion, ...[...(await worksOf('web')).values()].map((x) => x.metadata.resourceVersion)];
  expect(after.slice(1)).toEqual(rvs.slice(1));
  expect(after[0]).not.toBe(rvs[0]); // only our own annotation write moved the set

  // The template changes: every work is updated in place (same names).
  await w.client.patch(resourcePath(setRef('web')), { spec: { manifestWorkTemplate: { workload: { manifests: [cm({ v: '2' })] } } } }, 'merge');
  await until<ManifestWork>(w.client, { ...MANIFEST_WORKS, namespace: b, name: works.get(b)!.metadata.name! }, (o) => (o?.spec?.workload?.manifests?.[0] as { data?: { v?: string } })?.data?.v === '2', 'b updated');
  works = await worksOf('web');
  expect(works.get(a)!.metadata.name).toBe(wa.metadata.name);
  expect(works.get(a)!.spec).toEqual({ workload: { manifests: [cm({ v: '2' })] } });
  // The agent has not reported generation 2 yet: not rolled out.
  await setUntil('web', (o) => conditionOf(o, 'PlacementRolledOut')?.reason === 'Progressing', 'rolling out again');

  // Decisions move: a leaves, c joins.
  await setLabels(w, a, { [id]: 'off' });
  await setLabels(w, c, { [id]: 'on' });
  await until(w.client, { ...MANIFEST_WORKS, namespace: a, name: wa.metadata.name! }, gone, 'work on a deleted');
  works = await waitForWorks('web', (ws) => [...ws.keys()].sort().join() === [b, c].join());
  m = await setUntil('web', (o) => o.status?.summary?.total === 2 && o.status.placementSummary?.[0]?.summary?.total === 2, 'two again');

  // Drift and loss are repaired.
  const wc = works.get(c)!;
  await w.client.patch(resourcePath({ ...MANIFEST_WORKS, namespace: c, name: wc.metadata.name! }), { spec: { workload: { manifests: [] } } }, 'merge');
  await until<ManifestWork>(w.client, { ...MANIFEST_WORKS, namespace: c, name: wc.metadata.name! }, (o) => o?.spec?.workload?.manifests?.length === 1, 'drift repaired');
  await w.client.delete(resourcePath({ ...MANIFEST_WORKS, namespace: b, name: works.get(b)!.metadata.name! }));
  const recreated = await waitForWorks('web', (ws) => ws.get(b) !== undefined && ws.get(b)!.metadata.name !== works.get(b)!.metadata.name);
  expect(recreated.size).toBe(2);
  expect(errorLines(w)).toEqual([]);
});

test('a missing placement, an empty one, and deletion with each cascade policy', async () => {
  await createSet('orphan', ['no-such-placement'], { v: '1' });
  const o = await setUntil('orphan', (x) => conditionOf(x, 'PlacementVerified')?.reason === 'PlacementDecisionNotFound', 'not found');
  expect(conditionOf(o, 'PlacementVerified')?.status).toBe('False');

  const id = unique('del');
  const [a, b] = [`${id}-a`, `${id}-b`];
  for (const n of [a, b]) await addCluster(w, n, { labels: { [id]: 'on' }, namespace: true });
  await createPlacement(w, 'none', { predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { [id]: 'nothing' } } } }] });
  await createSet('idle', ['none'], { v: '1' });
  const idle = await setUntil('idle', (x) => conditionOf(x, 'PlacementVerified')?.reason === 'PlacementDecisionEmpty', 'empty');
  expect(conditionOf(idle, 'ManifestworkApplied')).toMatchObject({ status: 'False', reason: 'PlacementDecisionEmpty' });
  expect(idle.status!.summary).toMatchObject({ total: 0 });

  await createPlacement(w, 'both', { predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { [id]: 'on' } } } }] });
  await createSet('bg', ['both'], { v: '1' });
  await createSet('fg', ['both'], { v: '1' }, { cascadeDeletionPolicy: 'Foreground' });
  const bgWorks = await waitForWorks('bg', (ws) => ws.size === 2);
  const fgWorks = await waitForWorks('fg', (ws) => ws.size === 2);

  // Background: the set goes at once, its works are deleted.
  await w.client.delete(resourcePath(setRef('bg')));
  await until(w.client, setRef('bg'), gone, 'bg set gone');
  for (const x of bgWorks.values()) await until(w.client, { ...MANIFEST_WORKS, namespace: x.metadata.namespace!, name: x.metadata.name! }, gone, 'bg work gone');

  // Foreground: a work held by its agent's finalizer keeps the set until it is released.
  const held = fgWorks.get(a)!;
  const heldRef = { ...MANIFEST_WORKS, namespace: a, name: held.metadata.name! };
  await w.client.patch(resourcePath(heldRef), { metadata: { finalizers: ['e2e.ocmadm.io/agent'] } }, 'merge');
  await w.client.delete(resourcePath(setRef('fg')));
  await until(w.client, heldRef, (x) => !!x?.metadata?.deletionTimestamp, 'held work deleting');
  await waitForWorks('fg', (ws) => ws.size === 1);
  const waiting = await w.client.get<ManifestWorkReplicaSet>(resourcePath(setRef('fg')));
  expect(waiting.metadata.finalizers).toContain('work.open-cluster-management.io/manifest-work-cleanup');
  await w.client.patch(resourcePath(heldRef), { metadata: { finalizers: null } }, 'merge');
  await until(w.client, setRef('fg'), gone, 'fg set gone after its works');
});

/** Waits until `pred` holds for the set's works, re-reading them after each pass of the controller over the set. */
async function waitForWorks(name: string, pred: (ws: Map<string, ManifestWork>) => boolean, ms = 30_000): Promise<Map<string, ManifestWork>> {
  const deadline = Date.now() + ms;
  for (;;) {
    // Subscribe before reading, so a pass between the read and the wait is not missed.
    const next = nextReconcile(w, 'manifestworkreplicaset', `${w.ns}/${name}`, Math.max(1, deadline - Date.now()));
    next.catch(() => undefined);
    const ws = await worksOf(name);
    if (pred(ws)) return ws;
    if (Date.now() > deadline) throw new Error(`works of ${name} never matched; have ${[...ws.keys()].join(',')}`);
    await next.catch(() => undefined);
  }
}
