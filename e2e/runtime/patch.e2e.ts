/**
 * The write helpers on a real API server (a custom resource with a /status subresource):
 * guarded merge patches fail with 409 on a stale read; patchStatus writes only real changes
 * and a condition set once is stable across the round trip; retryOnConflict/updateWithRetry
 * converge under concurrent writers; finalizers are added and removed with guards.
 */
import type { KubeObject } from '../../src/kube/client.js';
import { isConflict } from '../../src/kube/errors.js';
import { resourcePath } from '../../src/kube/resources.js';
import { setCondition, type Condition } from '../../src/runtime/core/conditions.js';
import { addFinalizer, guardedMergePatch, patchStatus, removeFinalizer, retryOnConflict, updateWithRetry } from '../../src/runtime/core/patch.js';
import { WIDGETS, adminEnv, createNamespace, deleteNamespace, ensureWidgetCrd, uniqueName, type AdminEnv } from './support.js';

type Widget = KubeObject & { spec?: { n?: number }; status?: { conditions?: Condition[]; count?: number } };

let env: AdminEnv;
let ns: string;

beforeAll(async () => {
  env = await adminEnv();
  await ensureWidgetCrd(env.client);
  ns = await createNamespace(env.client, 'core-patch');
});

afterAll(async () => {
  await deleteNamespace(env.client, ns);
  await env.client.close();
});

const ref = () => ({ ...WIDGETS, namespace: ns });
const wPath = (name?: string) => resourcePath({ ...ref(), name });
const createWidget = (name: string) =>
  env.client.create<Widget>(wPath(), { apiVersion: `${WIDGETS.group}/${WIDGETS.version}`, kind: 'Widget', metadata: { name }, spec: { n: 0 } });

test('a guarded patch from a stale read fails with 409; from a fresh read it applies', async () => {
  const w = await createWidget(uniqueName('w'));
  await env.client.patch(wPath(w.metadata!.name), { spec: { n: 1 } }, 'merge'); // someone else writes
  const err = await guardedMergePatch(env.client, ref(), w, { spec: { n: 2 } }).catch((e: unknown) => e);
  expect(isConflict(err)).toBe(true);
  const fresh = await env.client.get<Widget>(wPath(w.metadata!.name));
  const out = await guardedMergePatch<Widget>(env.client, ref(), fresh, { spec: { n: 2 } });
  expect(out.spec!.n).toBe(2);
});

test('patchStatus writes real changes only; a set condition is stable across the round trip', async () => {
  const w = await createWidget(uniqueName('w'));
  const now = new Date('2026-11-23T10:00:00.789Z');
  const conditions = setCondition(w.status?.conditions, { type: 'Ready', status: 'True', reason: 'Done', message: 'ok' }, now);
  const written = await patchStatus(env.client, ref(), w, { conditions, count: 1 });
  expect(written.metadata!.resourceVersion).not.toBe(w.metadata!.resourceVersion);
  expect(written.status).toEqual({ conditions: [{ type: 'Ready', status: 'True', reason: 'Done', message: 'ok', lastTransitionTime: '2026-11-23T10:00:00Z' }], count: 1 });

  // The same condition again (later clock): nothing to write, no request, same object back.
  const again = setCondition(written.status!.conditions, { type: 'Ready', status: 'True', reason: 'Done', message: 'ok' }, new Date());
  expect(again.changed).toBe(false);
  const same = await patchStatus(env.client, ref(), written, { conditions: again, count: 1 });
  expect(same).toBe(written);
  expect((await env.client.get<Widget>(wPath(w.metadata!.name))).metadata!.resourceVersion).toBe(written.metadata!.resourceVersion);

  // /status leaves the spec alone.
  const spec = await patchStatus(env.client, ref(), written, { count: 2 });
  expect(spec.status!.count).toBe(2);
  expect(spec.spec).toEqual({ n: 0 });
});

test('retryOnConflict and updateWithRetry converge with concurrent writers', async () => {
  const w = await createWidget(uniqueName('w'));
  const name = w.metadata!.name!;
  let attempts = 0;
  // Ten read-modify-write increments racing each other: every one lands exactly once.
  await Promise.all(
    Array.from({ length: 10 }, () =>
      retryOnConflict(
        async () => {
          attempts++;
          const cur = await env.client.get<Widget>(wPath(name));
          await guardedMergePatch(env.client, ref(), cur, { spec: { n: (cur.spec?.n ?? 0) + 1 } });
        },
        { attempts: 50, delayMs: 5 },
      ),
    ),
  );
  expect((await env.client.get<Widget>(wPath(name))).spec!.n).toBe(10);
  expect(attempts).toBeGreaterThanOrEqual(10);

  await Promise.all(
    Array.from({ length: 5 }, () =>
      updateWithRetry<Widget>(env.client, { ...ref(), name }, (cur) => ({ spec: { n: (cur.spec?.n ?? 0) + 1 } }), { attempts: 50, delayMs: 5 }),
    ),
  );
  expect((await env.client.get<Widget>(wPath(name))).spec!.n).toBe(15);
  // Nothing to change: no write.
  const before = (await env.client.get<Widget>(wPath(name))).metadata!.resourceVersion;
  const unchanged = await updateWithRetry<Widget>(env.client, { ...ref(), name }, () => undefined);
  expect(unchanged.metadata!.resourceVersion).toBe(before);
});

test('finalizers are added and removed with guards, and only when needed', async () => {
  const w = await createWidget(uniqueName('w'));
  const f = 'core-e2e.ocmadm.io/cleanup';
  const added = await addFinalizer(env.client, ref(), w, f);
  expect(added.metadata!.finalizers).toEqual([f]);
  expect(await addFinalizer(env.client, ref(), added, f)).toBe(added);
  expect(await removeFinalizer(env.client, ref(), added, 'not-there')).toBe(added);
  // Removing with the stale object (no finalizer known) sends nothing; with the fresh one it goes.
  expect(await removeFinalizer(env.client, ref(), w, f)).toBe(w);
  await env.client.delete(wPath(w.metadata!.name));
  const deleting = await env.client.get<Widget>(wPath(w.metadata!.name));
  expect(deleting.metadata!.deletionTimestamp).toBeDefined();
  const removed = await removeFinalizer(env.client, ref(), deleting, f);
  expect(removed.metadata!.finalizers ?? []).toEqual([]);
});
