/**
 * Update strategies on a real spoke: ServerSideApply (field manager work-agent, a conflict with
 * another manager is Applied=False until `force`), CreateOnly (never overwrites), Update (drift is
 * undone on the next resync) and ReadOnly (never writes; status feedback still read).
 */
import type { KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import type { ManifestWork } from '../../src/api/index.js';
import { COND, FIELD_MANAGER, REASON } from '../../src/api/names.js';
import { uniqueName } from '../support/clusters.js';
import { NAMESPACES, gone } from '../hub/support.js';
import { appliedAt, configMap, createWork, getApplied, manifestCondition, namespace, until, waitWork, workRef, workSuite } from './support.js';

const s = workSuite({ spoke: 'spoke1', prefix: 'strat', agent: { resyncMs: 1000 } });
let ns: string;

beforeAll(async () => {
  ns = uniqueName('wstrat');
  await s.spoke.create(resourcePath(NAMESPACES), namespace(ns));
  s.cleanup.add(() => s.spoke.delete(resourcePath({ ...NAMESPACES, name: ns })));
});


type CM = KubeObject & { data?: Record<string, string>; metadata: { managedFields?: { manager: string; operation: string }[] } };
const CMREF = (name: string) => ({ group: '', version: 'v1', resource: 'configmaps', namespace: ns, name });
const getCm = (name: string) => s.spoke.get<CM>(resourcePath(CMREF(name)));
const setWork = (name: string, spec: ManifestWork['spec']) => s.hubAdmin.patch(resourcePath(workRef(s.mc.name, name)), { spec }, 'merge');
const atGeneration = (g: number) => (w: ManifestWork | undefined) => w?.metadata.generation === g && !!w.status?.conditions?.some((c) => c.type === COND.work.applied && c.observedGeneration === g);

test('ServerSideApply: field manager work-agent; a conflict is Applied=False until force', async () => {
  const ident = { resourceIdentifier: { resource: 'configmaps', namespace: ns, name: 'ssa' } };
  const spec = (k: string, ssa: Record<string, unknown> = {}) => ({
    workload: { manifests: [configMap(ns, 'ssa', { k })] },
    manifestConfigs: [{ ...ident, updateStrategy: { type: 'ServerSideApply' as const, serverSideApply: ssa } }],
  });
  await createWork(s.hubAdmin, s.mc.name, 'ssa', spec('a'), s.cleanup);
  await waitWork(s.hubAdmin, s.mc.name, 'ssa', (w) => appliedAt(w, true), 'applied');
  expect((await getCm('ssa')).metadata.managedFields!.some((f) => f.manager === FIELD_MANAGER.work && f.operation === 'Apply')).toBe(true);

  // Another manager takes data.k over; the next apply without force conflicts.
  await s.spoke.patch(resourcePath(CMREF('ssa')), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa', namespace: ns }, data: { k: 'theirs' } }, 'apply', { fieldManager: 'someone-else', force: true });
  await setWork('ssa', spec('b'));
  const conflicted = await waitWork(s.hubAdmin, s.mc.name, 'ssa', (w) => atGeneration(2)(w) && manifestCondition(w, 0, COND.work.applied)?.status === 'False', 'conflict reported');
  expect(manifestCondition(conflicted, 0, COND.work.applied)).toMatchObject({ reason: REASON.manifest.applyFailed, observedGeneration: 2 });
  expect(manifestCondition(conflicted, 0, COND.work.applied)!.message).toMatch(/conflict/i);
  expect(conflicted!.status!.conditions!.find((c) => c.type === COND.work.applied)).toMatchObject({ status: 'False', reason: REASON.work.applyFailed });
  expect((await getCm('ssa')).data).toEqual({ k: 'theirs' });

  // force (and a field manager of our own choosing, which must start with work-agent) wins.
  await setWork('ssa', spec('c', { force: true, fieldManager: `${FIELD_MANAGER.work}-e2e` }));
  await waitWork(s.hubAdmin, s.mc.name, 'ssa', (w) => atGeneration(3)(w) && appliedAt(w), 'forced apply');
  const cm = await getCm('ssa');
  expect(cm.data).toEqual({ k: 'c' });
  expect(cm.metadata.managedFields!.some((f) => f.manager === `${FIELD_MANAGER.work}-e2e`)).toBe(true);
});

test('CreateOnly never overwrites; Update undoes drift at the next resync', async () => {
  const spec = (k: string) => ({
    workload: { manifests: [configMap(ns, 'once', { k }), configMap(ns, 'kept', { k })] },
    manifestConfigs: [{ resourceIdentifier: { resource: 'configmaps', namespace: ns, name: 'once' }, updateStrategy: { type: 'CreateOnly' as const } }],
  });
  await createWork(s.hubAdmin, s.mc.name, 'strategies', spec('a'), s.cleanup);
  await waitWork(s.hubAdmin, s.mc.name, 'strategies', (w) => appliedAt(w, true), 'applied');
  const amwUid = (await getApplied(s.spoke, 'strategies')).metadata.uid;
  expect((await getCm('once')).metadata.ownerReferences!.map((o) => o.uid)).toEqual([amwUid]);

  for (const name of ['once', 'kept']) await s.spoke.patch(resourcePath(CMREF(name)), { data: { k: 'edited' } }, 'merge');
  const edited = Date.now();
  await until<CM>(s.spoke, CMREF('kept'), (o) => o?.data?.k === 'a', 'drift on the Update manifest undone', 15_000);
  await setWork('strategies', spec('b'));
  await waitWork(s.hubAdmin, s.mc.name, 'strategies', (w) => atGeneration(2)(w) && appliedAt(w), 'applied at generation 2');
  await until<CM>(s.spoke, CMREF('kept'), (o) => o?.data?.k === 'b', 'Update manifest at b');
  // Two more resyncs after the edit: the CreateOnly object keeps the spoke's value.
  await s.agent!.waitForLog((l) => l.msg === 'reconciled' && l.object === 'strategies' && Date.parse(l.ts as string) > edited + 2500, 15_000);
  expect((await getCm('once')).data).toEqual({ k: 'edited' });
});

test('ReadOnly never writes and still reports availability and feedback', async () => {
  const existing = await s.spoke.create<CM>(resourcePath({ ...CMREF(''), name: undefined }), configMap(ns, 'theirs', { k: 'v' }));
  const ident = { resource: 'configmaps', namespace: ns, name: 'theirs' };
  await createWork(
    s.hubAdmin,
    s.mc.name,
    'readonly',
    {
      workload: { manifests: [configMap(ns, 'theirs', { k: 'ignored' })] },
      manifestConfigs: [{ resourceIdentifier: ident, updateStrategy: { type: 'ReadOnly' }, feedbackRules: [{ type: 'JSONPaths', jsonPaths: [{ name: 'k', path: '.data.k' }] }] }],
    },
    s.cleanup,
  );
  const w = await waitWork(s.hubAdmin, s.mc.name, 'readonly', (x) => appliedAt(x, true) && !!x?.status?.resourceStatus?.manifests?.[0]?.statusFeedback?.values?.length, 'read with feedback');
  expect(w!.status!.resourceStatus!.manifests![0]!.statusFeedback!.values).toEqual([{ name: 'k', fieldValue: { type: 'String', string: 'v' } }]);
  const live = await getCm('theirs');
  expect(live.metadata.resourceVersion).toBe(existing.metadata.resourceVersion);
  expect(live.metadata.ownerReferences).toBeUndefined();
  expect((await getApplied(s.spoke, 'readonly')).status?.appliedResources ?? []).toEqual([]);
  await s.hubAdmin.delete(resourcePath(workRef(s.mc.name, 'readonly')));
  await waitWork(s.hubAdmin, s.mc.name, 'readonly', gone, 'work removed');
  expect((await getCm('theirs')).metadata.resourceVersion).toBe(existing.metadata.resourceVersion);
});
