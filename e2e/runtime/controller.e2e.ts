/**
 * Controllers under a Manager on a real API server: a burst of changes to one object costs one
 * reconcile after the one in flight, and the last one sees the final state; guarded writes
 * converge under concurrent edits (409s are retried with fresh state); failures are retried
 * with backoff and logged as one line; stop waits for the reconcile in flight.
 */
import type { KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { Manager, type Controller } from '../../src/runtime/core/controller.js';
import { objectKey } from '../../src/runtime/core/informer.js';
import { createLogger } from '../../src/runtime/core/log.js';
import { flushPromises } from '../../src/runtime/core/manual-clock.js';
import { guardedMergePatch } from '../../src/runtime/core/patch.js';
import type { Informer } from '../../src/runtime/core/types.js';
import { CONFIGMAPS, Notifier, adminEnv, createNamespace, deleteNamespace, uniqueName, type AdminEnv } from './support.js';

type CM = KubeObject & { data?: Record<string, string> };

let env: AdminEnv;
let ns: string;
const lines: Record<string, unknown>[] = [];
const log = createLogger({ component: 'e2e-ctrl', level: 'debug', stream: { write: (s: string) => lines.push(JSON.parse(s)) } });

beforeAll(async () => {
  env = await adminEnv();
  ns = await createNamespace(env.client, 'core-ctrl');
});

afterAll(async () => {
  await deleteNamespace(env.client, ns);
  await env.client.close();
});

const cmPath = (name?: string) => resourcePath({ ...CONFIGMAPS, namespace: ns, name });
const createCM = (name: string, label: string, v: string) =>
  env.client.create<CM>(cmPath(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { set: label } }, data: { v } });
const setV = (name: string, v: string) => env.client.patch<CM>(cmPath(name), { data: { v } }, 'merge');

interface Harness {
  manager: Manager;
  ctrl: Controller;
  informer: Informer<CM>;
  calls: { key: string; v?: string }[];
  changed: Notifier;
}

/** A manager with one controller over the ConfigMaps labelled set=<label>, keyed ns/name. */
async function start(label: string, reconcile: (key: string, obj: CM | undefined, h: Harness) => Promise<unknown>, stopTimeoutMs?: number) {
  const manager = new Manager({ client: env.client, log, stopTimeoutMs });
  const informer = manager.context.informer<CM>({ ref: { ...CONFIGMAPS, namespace: ns }, labelSelector: `set=${label}` });
  const changed = new Notifier();
  informer.on(changed.notify);
  const h = { manager, informer, calls: [], changed } as unknown as Harness;
  h.ctrl = manager.add({
    reconciler: {
      name: `test-${label}`,
      reconcile: async (key) => {
        const obj = informer.get(key);
        h.calls.push({ key, v: obj?.data?.v });
        changed.notify();
        try {
          return (await reconcile(key, obj, h)) as void;
        } finally {
          // Re-check waits once the worker has marked the key done (idle() looks at the queue).
          setImmediate(changed.notify);
        }
      },
    },
    workers: 2,
  });
  h.ctrl.watches(informer, (o) => [objectKey(o)]);
  await manager.start();
  return h;
}

const idle = (h: Harness) => h.ctrl.queue.length === 0 && h.ctrl.queue.delayed === 0 && h.ctrl.inFlight === 0;

test('a burst of changes during a reconcile is one more reconcile, which sees the final state', async () => {
  const label = uniqueName('burst');
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const h = await start(label, async (_k, _o, hh) => {
    if (hh.calls.length === 1) await gate;
  });
  try {
    await createCM('a', label, '0');
    await h.changed.until(() => h.calls.length === 1, 'the first reconcile');
    for (let i = 1; i <= 5; i++) await setV('a', String(i));
    await h.changed.until(() => h.informer.get(`${ns}/a`)?.data?.v === '5', 'the cache to see the burst');
    expect(h.calls).toHaveLength(1); // never two reconciles of one key at once
    release();
    await h.changed.until(() => h.calls.length === 2 && idle(h), 'the follow-up reconcile');
    expect(h.calls).toEqual([
      { key: `${ns}/a`, v: '0' },
      { key: `${ns}/a`, v: '5' },
    ]);
  } finally {
    release();
    await h.manager.stop();
  }
});

test('objects existing before start are reconciled once each', async () => {
  const label = uniqueName('pre');
  for (const n of ['p1', 'p2', 'p3']) await createCM(n, label, '1');
  await setV('p1', '2');
  const h = await start(label, async () => undefined);
  try {
    await h.changed.until(() => h.calls.length >= 3 && idle(h), 'initial reconciles');
    expect(h.calls.map((c) => c.key).sort()).toEqual([`${ns}/p1`, `${ns}/p2`, `${ns}/p3`]);
  } finally {
    await h.manager.stop();
  }
});

test('guarded writes converge under concurrent edits', async () => {
  const label = uniqueName('conv');
  // Level-based: copy data.v into an annotation, writing only when they differ.
  const h = await start(label, async (_k, obj) => {
    if (!obj || obj.metadata?.annotations?.observed === obj.data?.v) return;
    await guardedMergePatch(env.client, CONFIGMAPS, obj, { metadata: { annotations: { observed: obj.data?.v ?? '' } } });
  });
  try {
    await createCM('c', label, '0');
    await Promise.all(Array.from({ length: 10 }, (_, i) => setV('c', String(i + 1))));
    const final = (await env.client.get<CM>(cmPath('c'))).data!.v!;
    await h.changed.until(() => {
      const o = h.informer.get(`${ns}/c`);
      return o?.metadata?.annotations?.observed === final && o.data?.v === final && idle(h);
    }, 'the annotation to match the final value');
    expect(lines.filter((l) => l.msg === 'reconcile failed' && l.controller === `test-${label}`)).toEqual([]);
  } finally {
    await h.manager.stop();
  }
});

test('a failing reconcile is retried with backoff and logged with its message', async () => {
  const label = uniqueName('fail');
  let failures = 2;
  const h = await start(label, async () => {
    if (failures-- > 0) throw new Error('downstream unavailable');
  });
  try {
    await createCM('f', label, '1');
    await h.changed.until(() => h.calls.length === 3 && idle(h), 'two retries then success');
    const failed = lines.filter((l) => l.msg === 'reconcile failed' && l.controller === `test-${label}`);
    expect(failed).toHaveLength(2);
    expect(failed[0]).toMatchObject({ level: 'error', object: `${ns}/f`, error: 'downstream unavailable', retries: 1 });
    expect(failed[1]).toMatchObject({ retries: 2 });
    expect(h.ctrl.queue.numRequeues(`${ns}/f`)).toBe(0);
  } finally {
    await h.manager.stop();
  }
});

test('stop waits for the reconcile in flight, and gives up at its deadline', async () => {
  const label = uniqueName('stop');
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const h = await start(label, async () => gate);
  await createCM('s', label, '1');
  await h.changed.until(() => h.calls.length === 1, 'a reconcile in flight');
  let stopped: boolean | undefined;
  const stopping = h.manager.stop().then((clean) => (stopped = clean));
  await flushPromises();
  expect(h.ctrl.queue.shuttingDown).toBe(true);
  expect(stopped).toBeUndefined();
  expect(h.manager.ready).toBe(false);
  release();
  await stopping;
  expect(stopped).toBe(true);
  await expect(h.manager.stopped()).resolves.toBe(true);

  const label2 = uniqueName('hung');
  const h2 = await start(label2, () => new Promise(() => undefined), 300);
  await createCM('h', label2, '1');
  await h2.changed.until(() => h2.calls.length === 1, 'a hung reconcile');
  const t0 = Date.now();
  await expect(h2.manager.stop()).resolves.toBe(false);
  expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  expect(lines.some((l) => l.msg === 'reconciles still running at the stop deadline')).toBe(true);
});
