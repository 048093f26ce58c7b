/**
 * Deleting works: Foreground (the default) removes the resources before the work's finalizer
 * goes, Orphan and SelectivelyOrphan leave resources behind without our ownerRef, a resource with
 * another owner only loses ours, a record of another hub (other hash) is never touched, and a
 * record whose work vanished from the hub is evicted after the grace period.
 */
import type { KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { APPLIED_MANIFEST_WORKS, TYPE, type AppliedManifestWork, type ManifestWork } from '../../src/api/index.js';
import { COND, FINALIZER, REASON } from '../../src/api/names.js';
import { uniqueName } from '../support/clusters.js';
import { NAMESPACES, forceDelete, gone, recordVersions } from '../hub/support.js';
import { appliedAt, appliedRef, conditionOf, configMap, createWork, getApplied, namespace, until, waitWork, runAgent, workRef, workSuite } from './support.js';

const GRACE_MS = 2000;
const s = workSuite({ spoke: 'spoke1', prefix: 'del', agent: { evictionGraceMs: GRACE_MS } });


const CM = (ns: string, name: string) => ({ group: '', version: 'v1', resource: 'configmaps', namespace: ns, name });
const cm = (ns: string, name: string) => s.spoke.get(resourcePath(CM(ns, name)));

async function spokeNamespace(): Promise<string> {
  const ns = uniqueName('wdel');
  await s.spoke.create(resourcePath(NAMESPACES), namespace(ns));
  s.cleanup.add(() => s.spoke.delete(resourcePath({ ...NAMESPACES, name: ns })));
  return ns;
}

test('Foreground: Deleting, then resources gone, then the record, then the work', async () => {
  const ns = uniqueName('wfg');
  await createWork(s.hubAdmin, s.mc.name, 'fg', { workload: { manifests: [namespace(ns), configMap(ns, 'c1')] } }, s.cleanup);
  await waitWork(s.hubAdmin, s.mc.name, 'fg', (w) => appliedAt(w, true), 'applied');
  const rec = recordVersions<ManifestWork>(s.hubAdmin, workRef(s.mc.name, 'fg'));
  s.cleanup.add(async () => rec.stop());
  await s.hubAdmin.delete(resourcePath(workRef(s.mc.name, 'fg')));
  await waitWork(s.hubAdmin, s.mc.name, 'fg', gone, 'work deleted', 60_000);
  // The finalizer went only after the resources: the namespace (and its ConfigMap) and the record are gone.
  await expect(s.spoke.get(resourcePath({ ...NAMESPACES, name: ns }))).rejects.toMatchObject({ status: 404 });
  await expect(s.spoke.get(resourcePath(appliedRef('fg')))).rejects.toMatchObject({ status: 404 });
  const deleting = rec.versions.find((v) => conditionOf(v, COND.work.deleting));
  expect(conditionOf(deleting, COND.work.deleting)).toMatchObject({ status: 'True', reason: REASON.work.deleting });
});

test('Orphan and SelectivelyOrphan leave resources without our ownerRef', async () => {
  const ns = await spokeNamespace();
  await createWork(s.hubAdmin, s.mc.name, 'orphan', { workload: { manifests: [configMap(ns, 'o1')] }, deleteOption: { propagationPolicy: 'Orphan' } }, s.cleanup);
  await createWork(
    s.hubAdmin,
    s.mc.name,
    'selective',
    {
      workload: { manifests: [configMap(ns, 'keep'), configMap(ns, 'drop')] },
      deleteOption: { propagationPolicy: 'SelectivelyOrphan', selectivelyOrphans: { orphaningRules: [{ group: '', resource: 'configmaps', namespace: ns, name: 'keep' }] } },
    },
    s.cleanup,
  );
  await waitWork(s.hubAdmin, s.mc.name, 'orphan', (w) => appliedAt(w, true), 'orphan applied');
  await waitWork(s.hubAdmin, s.mc.name, 'selective', (w) => appliedAt(w, true), 'selective applied');
  const selectiveUid = (await getApplied(s.spoke, 'selective')).metadata.uid;
  expect((await cm(ns, 'o1')).metadata!.ownerReferences ?? []).toEqual([]);
  expect((await cm(ns, 'keep')).metadata!.ownerReferences ?? []).toEqual([]);
  expect((await cm(ns, 'drop')).metadata!.ownerReferences!.map((o) => o.uid)).toEqual([selectiveUid]);
  // An orphaned resource is still listed: the record knows it applied it.
  expect((await getApplied(s.spoke, 'orphan')).status!.appliedResources!.map((r) => r.name)).toEqual(['o1']);

  await s.hubAdmin.delete(resourcePath(workRef(s.mc.name, 'orphan')));
  await s.hubAdmin.delete(resourcePath(workRef(s.mc.name, 'selective')));
  await waitWork(s.hubAdmin, s.mc.name, 'orphan', gone, 'orphan work deleted');
  await waitWork(s.hubAdmin, s.mc.name, 'selective', gone, 'selective work deleted');
  await until(s.spoke, CM(ns, 'drop'), gone, 'drop deleted');
  expect((await cm(ns, 'o1')).metadata!.name).toBe('o1');
  expect((await cm(ns, 'keep')).metadata!.ownerReferences ?? []).toEqual([]);
});

test('a resource with another owner only loses our ownerRef when its manifest is removed', async () => {
  const ns = await spokeNamespace();
  const owner = await s.spoke.create<KubeObject>(resourcePath({ ...CM(ns, ''), name: undefined }), configMap(ns, 'owner'));
  const otherRef = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid! };
  const shared = configMap(ns, 'shared', { k: 'v' });
  shared.metadata!.ownerReferences = [otherRef];
  const spec = (withShared: boolean) => ({ workload: { manifests: [configMap(ns, 'mine'), ...(withShared ? [shared] : [])] } });
  await createWork(s.hubAdmin, s.mc.name, 'shared', spec(true), s.cleanup);
  await waitWork(s.hubAdmin, s.mc.name, 'shared', (w) => appliedAt(w, true), 'applied');
  expect((await cm(ns, 'shared')).metadata!.ownerReferences).toHaveLength(2);
  await s.hubAdmin.patch(resourcePath(workRef(s.mc.name, 'shared')), { spec: spec(false) }, 'merge');
  const after = await until(s.spoke, CM(ns, 'shared'), (o) => o?.metadata?.ownerReferences?.length === 1, 'our ownerRef removed');
  expect(after!.metadata!.ownerReferences).toEqual([otherRef]);
});

test('records of another hub are never touched; a record whose work vanished is evicted after the grace period', async () => {
  const ns = await spokeNamespace();
  // A record of another hub (another hash), same agent ID, owning a ConfigMap.
  const otherHash = 'f'.repeat(64);
  const foreign = await s.spoke.create<AppliedManifestWork>(resourcePath(APPLIED_MANIFEST_WORKS), {
    ...TYPE.appliedManifestWork,
    metadata: { name: `${otherHash}-x` },
    spec: { hubHash: otherHash, agentID: s.mc.agentId, manifestWorkName: 'x' },
  });
  s.cleanup.add(() => forceDelete(s.spoke, { ...APPLIED_MANIFEST_WORKS, name: foreign.metadata.name! }));
  const foreignRef = { apiVersion: TYPE.appliedManifestWork.apiVersion, kind: TYPE.appliedManifestWork.kind, name: foreign.metadata.name!, uid: foreign.metadata.uid! };
  await s.spoke.create(resourcePath({ ...CM(ns, ''), name: undefined }), { ...configMap(ns, 'foreign'), metadata: { name: 'foreign', namespace: ns, ownerReferences: [foreignRef] } });

  // A work that disappears from the hub while the agent is down (finalizer stripped by an admin).
  await createWork(s.hubAdmin, s.mc.name, 'vanish', { workload: { manifests: [configMap(ns, 'v1')] } }, s.cleanup);
  await waitWork(s.hubAdmin, s.mc.name, 'vanish', (w) => appliedAt(w, true), 'applied');
  await s.agent!.stop();
  await forceDelete(s.hubAdmin, workRef(s.mc.name, 'vanish'));
  const t0 = Date.now();
  s.agent = runAgent(s.mc, s.spoke, { evictionGraceMs: GRACE_MS });
  const evicting = await until<AppliedManifestWork>(s.spoke, appliedRef('vanish'), (a) => !!a?.status?.evictionStartTime, 'eviction started');
  expect(evicting!.metadata.deletionTimestamp).toBeUndefined();
  await until(s.spoke, appliedRef('vanish'), gone, 'record evicted', 30_000);
  expect(Date.now() - t0).toBeGreaterThanOrEqual(GRACE_MS - 1000); // metav1.Time has whole seconds
  await until(s.spoke, CM(ns, 'v1'), gone, 'its ConfigMap deleted');

  const still = await s.spoke.get<AppliedManifestWork>(resourcePath({ ...APPLIED_MANIFEST_WORKS, name: foreign.metadata.name! }));
  expect(still.metadata.resourceVersion).toBe(foreign.metadata.resourceVersion);
  expect((await cm(ns, 'foreign')).metadata!.ownerReferences).toEqual([foreignRef]);
  expect(s.agent!.logs.filter((l) => l.level === 'error')).toEqual([]);
});

test('a work on the hub keeps its finalizer while the agent runs', async () => {
  const ns = await spokeNamespace();
  await createWork(s.hubAdmin, s.mc.name, 'fin', { workload: { manifests: [configMap(ns, 'f')] } }, s.cleanup);
  const w = await waitWork(s.hubAdmin, s.mc.name, 'fin', (x) => !!x?.metadata.finalizers?.includes(FINALIZER.manifestWorkCleanup), 'finalizer added');
  expect(w!.metadata.finalizers).toEqual([FINALIZER.manifestWorkCleanup]);
});
