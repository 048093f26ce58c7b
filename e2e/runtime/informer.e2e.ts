/**
 * The list-watch informer on a real API server: it mirrors ConfigMap adds, updates and deletes;
 * it comes back after its connection is cut (backoff, then re-watch from the last
 * resourceVersion without losing changes); and after a 410 Gone it relists and reports what
 * changed meanwhile as add/update/delete, so handlers stay level-correct.
 */
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { createInformer, type ListWatchInformer } from '../../src/runtime/core/informer.js';
import { SharedInformers } from '../../src/runtime/core/shared-informers.js';
import { createLogger } from '../../src/runtime/core/log.js';
import type { InformerEvent } from '../../src/runtime/core/types.js';
import {
  CONFIGMAPS,
  Notifier,
  TcpProxy,
  adminEnv,
  apiServerAddress,
  clientVia,
  createNamespace,
  deleteNamespace,
  ensureWidgetCrd,
  uniqueName,
  WIDGETS,
  type AdminEnv,
} from './support.js';

type CM = KubeObject & { data?: Record<string, string> };
interface Seen {
  event: InformerEvent;
  name: string;
  v?: string;
}

let env: AdminEnv;
let ns: string;
const logLines: Record<string, unknown>[] = [];
const logged = new Notifier();
const log = createLogger({
  component: 'e2e',
  level: 'debug',
  stream: {
    write: (s: string) => {
      logLines.push(JSON.parse(s));
      logged.notify();
    },
  },
});

beforeAll(async () => {
  env = await adminEnv();
  ns = await createNamespace(env.client, 'core-inf');
});

afterAll(async () => {
  await deleteNamespace(env.client, ns);
  await env.client.close();
});

const cmPath = (name?: string) => resourcePath({ ...CONFIGMAPS, namespace: ns, name });
const createCM = (client: KubeClient, name: string, v: string, labels?: Record<string, string>) =>
  client.create<CM>(cmPath(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data: { v } });
const setV = (client: KubeClient, name: string, v: string) => client.patch<CM>(cmPath(name), { data: { v } }, 'merge');

function record(inf: ListWatchInformer<CM>) {
  const seen: Seen[] = [];
  const changed = new Notifier();
  inf.on((event, obj) => {
    seen.push({ event, name: obj.metadata!.name!, v: obj.data?.v });
    changed.notify();
  });
  return { seen, changed };
}

test('mirrors adds, updates and deletes; selectors apply; start resolves after the first list', async () => {
  const label = uniqueName('set');
  await createCM(env.client, 'before', '1', { set: label });
  await createCM(env.client, 'unlabelled', '1');
  const inf = createInformer<CM>(env.client, { ref: { ...CONFIGMAPS, namespace: ns }, labelSelector: `set=${label}` }, log, { pageSize: 1 });
  const { seen, changed } = record(inf);
  try {
    await inf.start();
    expect(inf.synced).toBe(true);
    expect(inf.list().map((o) => o.metadata!.name)).toEqual(['before']);
    expect(seen).toEqual([{ event: 'add', name: 'before', v: '1' }]);

    await createCM(env.client, 'a', '1', { set: label });
    await setV(env.client, 'a', '2');
    await env.client.delete(cmPath('before'));
    await createCM(env.client, 'ignored', '1'); // no label: not ours
    await changed.until(() => seen.length >= 4, 'add, update and delete');
    expect(seen.slice(1)).toEqual([
      { event: 'add', name: 'a', v: '1' },
      { event: 'update', name: 'a', v: '2' },
      { event: 'delete', name: 'before', v: '1' },
    ]);
    expect(inf.get(`${ns}/a`)?.data?.v).toBe('2');
    expect(inf.get(`${ns}/before`)).toBeUndefined();
  } finally {
    inf.stop();
  }
});

test('a handler added after sync is replayed the cached objects', async () => {
  const label = uniqueName('late');
  await createCM(env.client, `${label}-x`, '1', { set: label });
  const inf = createInformer<CM>(env.client, { ref: { ...CONFIGMAPS, namespace: ns }, labelSelector: `set=${label}` }, log);
  try {
    await inf.start();
    const names: string[] = [];
    inf.on((e, o) => names.push(`${e}:${o.metadata!.name}`));
    expect(names).toEqual([`add:${label}-x`]);
  } finally {
    inf.stop();
  }
});

test('cached objects drop managedFields, listed or watched, unless the target keeps them', async () => {
  const label = uniqueName('mf');
  await createCM(env.client, `${label}-listed`, '1', { set: label });
  const target = { ref: { ...CONFIGMAPS, namespace: ns }, labelSelector: `set=${label}` };
  const trimmed = createInformer<CM>(env.client, target, log);
  const kept = createInformer<CM>(env.client, { ...target, keepManagedFields: true }, log);
  const watched = record(trimmed);
  try {
    await Promise.all([trimmed.start(), kept.start()]);
    await createCM(env.client, `${label}-watched`, '1', { set: label });
    await watched.changed.until(() => watched.seen.length >= 2, 'the watched ConfigMap');
    expect(trimmed.list().map((o) => [o.metadata!.name, o.metadata!.managedFields])).toEqual([
      [`${label}-listed`, undefined],
      [`${label}-watched`, undefined],
    ].sort());
    expect((await env.client.get<CM>(cmPath(`${label}-listed`))).metadata!.managedFields).toBeDefined();
    expect(kept.get(`${ns}/${label}-listed`)?.metadata?.managedFields).toBeDefined();
  } finally {
    trimmed.stop();
    kept.stop();
  }
});

describe('through a proxy that can cut the connection', () => {
  let proxy: TcpProxy;
  let client: KubeClient;

  beforeEach(async () => {
    proxy = new TcpProxy(apiServerAddress(env.kc));
    await proxy.listen();
    client = await clientVia(env.kc, proxy);
  });

  afterEach(async () => {
    await client.close();
    await proxy.close();
  });

  test('a cut connection is retried with backoff and the re-watch misses nothing', async () => {
    const label = uniqueName('cut');
    const inf = createInformer<CM>(client, { ref: { ...CONFIGMAPS, namespace: ns }, labelSelector: `set=${label}` }, log, {
      backoffInitialMs: 100,
      backoffMaxMs: 400,
    });
    const { seen, changed } = record(inf);
    const failedBefore = logLines.length;
    const failed = () => logLines.slice(failedBefore).filter((l) => l.msg === 'watch failed, reconnecting' || l.msg === 'list failed, retrying');
    try {
      await inf.start();
      await createCM(env.client, 'c1', '1', { set: label });
      await changed.until(() => seen.length === 1, 'c1 added');

      proxy.cut();
      // Changes while the informer cannot see the server.
      await setV(env.client, 'c1', '2');
      await createCM(env.client, 'c2', '1', { set: label });
      await logged.until(() => failed().length >= 3, 'three failed reconnects');
      const delays = failed().map((l) => l.retryInMs as number);
      expect(delays[1]!).toBeGreaterThan(delays[0]!);
      expect(Math.max(...delays)).toBeLessThanOrEqual(400 * 1.2);

      proxy.heal();
      await changed.until(() => seen.length >= 3, 'changes made during the cut');
      expect(seen).toEqual([
        { event: 'add', name: 'c1', v: '1' },
        { event: 'update', name: 'c1', v: '2' },
        { event: 'add', name: 'c2', v: '1' },
      ]);
      expect(inf.listCount).toBe(1); // resumed the watch; no relist was needed
    } finally {
      inf.stop();
    }
  });

  test('410 Gone relists and emits the differences as add, update and delete', async () => {
    await ensureWidgetCrd(env.client);
    const label = uniqueName('gone');
    const wPath = (name?: string) => resourcePath({ ...WIDGETS, namespace: ns, name });
    const createW = (name: string) =>
      env.client.create(wPath(), { apiVersion: `${WIDGETS.group}/${WIDGETS.version}`, kind: 'Widget', metadata: { name, labels: { set: label } }, data: { v: '1' } });
    for (const n of ['keep', 'change', 'remove']) await createW(n);
    const inf = createInformer<CM>(client, { ref: { ...WIDGETS, namespace: ns }, labelSelector: `set=${label}` }, log, {
      backoffInitialMs: 100,
      backoffMaxMs: 200,
    });
    const { seen, changed } = record(inf);
    try {
      await inf.start(); // the new CRD's storage may answer 429 for a moment: retried
      expect(seen.map((s) => s.name).sort()).toEqual(['change', 'keep', 'remove']);
      seen.length = 0;

      proxy.cut();
      await env.client.patch(wPath('change'), { data: { v: '2' } }, 'merge');
      await env.client.delete(wPath('remove'));
      await createW('new');
      // The next watch starts from resourceVersion 1, older than this CRD's watch cache: 410.
      inf.restartWatch('1');
      proxy.heal();

      await changed.until(() => seen.length >= 3, 'relist differences');
      expect(logLines.some((l) => l.msg === 'watch expired, relisting' && l.resource === wPath())).toBe(true);
      expect(inf.listCount).toBe(2);
      expect(seen.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
        { event: 'update', name: 'change', v: '2' },
        { event: 'add', name: 'new', v: '1' },
        { event: 'delete', name: 'remove', v: '1' },
      ]);
      expect(inf.list().map((o) => o.metadata!.name).sort()).toEqual(['change', 'keep', 'new']);

      // An explicit relist with nothing changed reports nothing; the watch carries on after it.
      seen.length = 0;
      inf.relist();
      await env.client.patch(wPath('keep'), { data: { v: '2' } }, 'merge');
      await changed.until(() => seen.some((s) => s.name === 'keep'), 'update after relist');
      expect(inf.listCount).toBe(3);
      expect(seen).toEqual([{ event: 'update', name: 'keep', v: '2' }]);
    } finally {
      inf.stop();
    }
  });
});

test('shared informers: one informer per target; startAll waits for every first list', async () => {
  const shared = new SharedInformers(env.client, log);
  const t = { ref: { ...CONFIGMAPS, namespace: ns }, labelSelector: 'set=none' };
  const a = shared.get(t);
  expect(shared.get({ labelSelector: 'set=none', ref: { resource: 'configmaps', version: 'v1', group: '', namespace: ns } })).toBe(a);
  expect(shared.get({ ...t, labelSelector: 'set=other' })).not.toBe(a);
  try {
    await shared.startAll();
    expect(shared.synced).toBe(true);
    const late = shared.get({ ref: { ...CONFIGMAPS, namespace: ns }, labelSelector: 'set=late' });
    await late.start();
    expect(late.synced).toBe(true);
  } finally {
    shared.stopAll();
  }
});
