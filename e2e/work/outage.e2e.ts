/**
 * A hub outage: the agent reaches the hub through a TCP relay the test cuts. Applied resources on
 * the spoke are left alone while the hub is away (no resourceVersion moves), a change made on the
 * hub meanwhile reaches the spoke once the relay is back, with no restart.
 */
import type { KubeClient } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { adminClient, loadClusters, uniqueName } from '../support/clusters.js';
import { Relay } from '../support/relay.js';
import { applyCrds } from '../klusterlet/support.js';
import { NAMESPACES } from '../hub/support.js';
import { Cleanup, appliedAt, appliedRef, configMap, createWork, managedCluster, namespace, resourceVersions, runAgent, until, waitWork, workRef, type RunningAgent } from './support.js';

const { hub, spoke2 } = loadClusters();
let hubAdmin: KubeClient;
let spoke: KubeClient;
let agent: RunningAgent | undefined;
const cleanup = new Cleanup();

beforeAll(async () => {
  hubAdmin = await adminClient(hub);
  spoke = await adminClient(spoke2);
  await applyCrds(hubAdmin, 'hub');
  await applyCrds(spoke, 'spoke');
});

afterAll(async () => {
  await agent?.stop();
  await cleanup.run();
  await hubAdmin?.close();
  await spoke?.close();
});

test('while the hub is away nothing on the spoke is touched; a change made meanwhile lands when it is back', async () => {
  const relay = new Relay({ host: '127.0.0.1', port: Number(new URL(hub.server).port) });
  await relay.open();
  cleanup.add(() => relay.cut());
  const server = `https://127.0.0.1:${relay.port}`;
  const mc = await managedCluster(hubAdmin, cleanup, 'outage', server);
  // Reconnect attempts capped at 1 s so the recovery is measured, not the backoff (default cap 30 s).
  agent = runAgent(mc, spoke, { hubServer: server, informers: { backoffMaxMs: 1000 } });
  const ns = uniqueName('wout');
  cleanup.add(() => spoke.delete(resourcePath({ ...NAMESPACES, name: ns })));
  const spec = (v: string) => ({ workload: { manifests: [namespace(ns), configMap(ns, 'c', { v })] } });
  await createWork(hubAdmin, mc.name, 'steady', spec('1'), cleanup);
  await waitWork(hubAdmin, mc.name, 'steady', (w) => appliedAt(w, true), 'applied before the outage');
  const paths = [`/api/v1/namespaces/${ns}/configmaps/c`, `/api/v1/namespaces/${ns}`, resourcePath(appliedRef('steady', server))];
  const before = await resourceVersions(spoke, paths);

  await relay.cut();
  const cutAt = Date.now();
  // The agent notices (its hub watch fails and cannot reconnect), and keeps going.
  const hubDown = (after: number) => (l: { msg?: string; informer?: unknown; ts?: unknown }) =>
    (l.msg === 'watch failed, reconnecting' || l.msg === 'list failed, retrying') && l.informer === 'hub-manifestworks' && Date.parse(l.ts as string) >= after;
  await agent.waitForLog(hubDown(cutAt), 30_000);
  // Meanwhile the hub user changes the work (admin, directly on the hub).
  await hubAdmin.patch(resourcePath(workRef(mc.name, 'steady')), { spec: spec('2') }, 'merge');
  // Several status syncs (1 s) and reconnect attempts later, nothing on the spoke has moved.
  await agent.waitForLog(hubDown(cutAt + 2500), 30_000);
  expect(await resourceVersions(spoke, paths)).toEqual(before);

  await relay.open();
  const backAt = Date.now();
  await until(spoke, { group: '', version: 'v1', resource: 'configmaps', namespace: ns, name: 'c' }, (o) => (o as { data?: { v?: string } })?.data?.v === '2', 'the change made during the outage', 30_000);
  const appliedMs = Date.now() - backAt;
  await waitWork(hubAdmin, mc.name, 'steady', (w) => appliedAt(w, true), 'status reported again', 30_000);
  process.stderr.write(`work e2e: hub back → change made during the outage applied on the spoke: ${appliedMs} ms; → status on the hub: ${Date.now() - backAt} ms\n`);
  expect(agent.logs.filter((l) => l.level === 'error' && l.msg !== 'reconcile failed')).toEqual([]);
});
