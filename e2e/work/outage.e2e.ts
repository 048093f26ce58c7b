/**
 * The agent's road to the hub changes under it; it reaches the hub through a TCP relay the test
 * cuts:
 * - a hub outage: applied resources on the spoke are left alone while the hub is away (no
 *   resourceVersion moves), and a change made on the hub meanwhile lands once it is back;
 * - a certificate rotation: the agent asks for its hub client per request, so watches and writes
 *   move to a new certificate without a restart (the old identity's relay is cut right after the
 *   switch: everything that works afterwards went through the new client).
 */
import { resourcePath } from '../../src/kube/resources.js';
import { loadClusters, uniqueName, userClient, whoAmI } from '../support/clusters.js';
import { Relay } from '../support/relay.js';
import { agentCertificate } from '../hub/identities.js';
import { NAMESPACES } from '../hub/support.js';
import { appliedAt, appliedRef, configMap, createWork, managedCluster, namespace, resourceVersions, runAgent, until, waitWork, workRef, workSuite } from './support.js';

const { hub } = loadClusters();
const s = workSuite({ spoke: 'spoke2', prefix: 'outage', agent: false });

/** A relay to the hub (cleaned up with the suite) and its URL. */
async function relayToHub(): Promise<{ relay: Relay; server: string }> {
  const relay = new Relay({ host: '127.0.0.1', port: Number(new URL(hub.server).port) });
  await relay.open();
  s.cleanup.add(() => relay.cut());
  return { relay, server: `https://127.0.0.1:${relay.port}` };
}

test('while the hub is away nothing on the spoke is touched; a change made meanwhile lands when it is back', async () => {
  const { relay, server } = await relayToHub();
  const mc = (s.mc = await managedCluster(s.hubAdmin, s.cleanup, 'outage', server));
  // Reconnect attempts capped at 1 s so the recovery is measured, not the backoff (default cap 30 s).
  s.agent = runAgent(mc, s.spoke, { hubServer: server, informers: { backoffMaxMs: 1000 } });
  const ns = uniqueName('wout');
  s.cleanup.add(() => s.spoke.delete(resourcePath({ ...NAMESPACES, name: ns })));
  const spec = (v: string) => ({ workload: { manifests: [namespace(ns), configMap(ns, 'c', { v })] } });
  await createWork(s.hubAdmin, mc.name, 'steady', spec('1'), s.cleanup);
  await waitWork(s.hubAdmin, mc.name, 'steady', (w) => appliedAt(w, true), 'applied before the outage');
  const paths = [`/api/v1/namespaces/${ns}/configmaps/c`, `/api/v1/namespaces/${ns}`, resourcePath(appliedRef('steady', server))];
  const before = await resourceVersions(s.spoke, paths);

  await relay.cut();
  const cutAt = Date.now();
  // The agent notices (its hub watch fails and cannot reconnect), and keeps going.
  const hubDown = (after: number) => (l: { msg?: string; informer?: unknown; ts?: unknown }) =>
    (l.msg === 'watch failed, reconnecting' || l.msg === 'list failed, retrying') && l.informer === 'hub-manifestworks' && Date.parse(l.ts as string) >= after;
  await s.agent.waitForLog(hubDown(cutAt), 30_000);
  // Meanwhile the hub user changes the work (admin, directly on the hub).
  await s.hubAdmin.patch(resourcePath(workRef(mc.name, 'steady')), { spec: spec('2') }, 'merge');
  // Several status syncs (1 s) and reconnect attempts later, nothing on the spoke has moved.
  await s.agent.waitForLog(hubDown(cutAt + 2500), 30_000);
  expect(await resourceVersions(s.spoke, paths)).toEqual(before);

  await relay.open();
  const backAt = Date.now();
  await until(s.spoke, { group: '', version: 'v1', resource: 'configmaps', namespace: ns, name: 'c' }, (o) => (o as { data?: { v?: string } })?.data?.v === '2', 'the change made during the outage', 30_000);
  const appliedMs = Date.now() - backAt;
  await waitWork(s.hubAdmin, mc.name, 'steady', (w) => appliedAt(w, true), 'status reported again', 30_000);
  process.stderr.write(`work e2e: hub back → change made during the outage applied on the spoke: ${appliedMs} ms; → status on the hub: ${Date.now() - backAt} ms\n`);
  expect(s.agent.logs.filter((l) => l.level === 'error' && l.msg !== 'reconcile failed')).toEqual([]);
});

test('watches and writes follow a new hub certificate without a restart', async () => {
  await s.agent?.stop(); // the outage test's agent
  const { relay, server } = await relayToHub();
  const mc = (s.mc = await managedCluster(s.hubAdmin, s.cleanup, 'rot', server));
  let current = mc.hub;
  s.agent = runAgent(mc, s.spoke, { hub: () => current, informers: { backoffMaxMs: 1000 } });
  const ns = uniqueName('wrot');
  s.cleanup.add(() => s.spoke.delete(resourcePath({ ...NAMESPACES, name: ns })));
  const spec = (v: string) => ({ workload: { manifests: [namespace(ns), configMap(ns, 'c', { v })] } });
  await createWork(s.hubAdmin, mc.name, 'rotating', spec('1'), s.cleanup);
  await waitWork(s.hubAdmin, mc.name, 'rotating', (w) => appliedAt(w, true), 'applied with the first certificate');

  // What a rotation does: a new certificate for the same agent, installed as the current client.
  const { certPem, keyPem } = await agentCertificate(s.hubAdmin, mc.name, mc.agentId, s.cleanup);
  const renewed = await userClient(hub, { certPem, keyPem });
  s.cleanup.add(() => renewed.close());
  expect((await whoAmI(renewed)).username).toBe(`system:open-cluster-management:${mc.name}:${mc.agentId}`);
  current = renewed;
  await relay.cut(); // the old client's connections die here; nothing can use it any more

  await s.hubAdmin.patch(resourcePath(workRef(mc.name, 'rotating')), { spec: spec('2') }, 'merge');
  await until(s.spoke, { group: '', version: 'v1', resource: 'configmaps', namespace: ns, name: 'c' }, (o) => (o as { data?: { v?: string } })?.data?.v === '2', 'change applied after the rotation', 30_000);
  const w = await waitWork(s.hubAdmin, mc.name, 'rotating', (x) => appliedAt(x, true), 'status written after the rotation', 30_000);
  expect(w!.metadata.generation).toBe(2);
  expect(s.agent.logs.filter((l) => l.level === 'error')).toEqual([]);
});
