/**
 * A certificate rotation under a running work agent: the agent asks for its hub client per
 * request, so once the registration agent installs a new certificate, watches and writes move
 * to it without a restart. Here the old identity reaches the hub through a relay that is cut
 * right after the switch: everything that works afterwards went through the new client.
 */
import { resourcePath } from '../../src/kube/resources.js';
import type { KubeClient } from '../../src/kube/client.js';
import { adminClient, loadClusters, uniqueName, userClient, whoAmI } from '../support/clusters.js';
import { Relay } from '../support/relay.js';
import { agentCertificate } from '../hub/identities.js';
import { NAMESPACES } from '../hub/support.js';
import { applyCrds } from '../klusterlet/support.js';
import { Cleanup, appliedAt, configMap, createWork, managedCluster, namespace, runAgent, until, waitWork, workRef, type RunningAgent } from './support.js';

const { hub, spoke1 } = loadClusters();
let hubAdmin: KubeClient;
let spoke: KubeClient;
let agent: RunningAgent | undefined;
const cleanup = new Cleanup();

beforeAll(async () => {
  hubAdmin = await adminClient(hub);
  spoke = await adminClient(spoke1);
  await applyCrds(hubAdmin, 'hub');
  await applyCrds(spoke, 'spoke');
});

afterAll(async () => {
  await agent?.stop();
  await cleanup.run();
  await hubAdmin?.close();
  await spoke?.close();
});

test('watches and writes follow a new hub certificate without a restart', async () => {
  const relay = new Relay({ host: '127.0.0.1', port: Number(new URL(hub.server).port) });
  await relay.open();
  cleanup.add(() => relay.cut());
  const mc = await managedCluster(hubAdmin, cleanup, 'rot', `https://127.0.0.1:${relay.port}`);
  let current = mc.hub;
  agent = runAgent({ ...mc }, spoke, { hub: () => current, informers: { backoffMaxMs: 1000 } });
  const ns = uniqueName('wrot');
  cleanup.add(() => spoke.delete(resourcePath({ ...NAMESPACES, name: ns })));
  const spec = (v: string) => ({ workload: { manifests: [namespace(ns), configMap(ns, 'c', { v })] } });
  await createWork(hubAdmin, mc.name, 'rotating', spec('1'), cleanup);
  await waitWork(hubAdmin, mc.name, 'rotating', (w) => appliedAt(w, true), 'applied with the first certificate');

  // What a rotation does: a new certificate for the same agent, installed as the current client.
  const { certPem, keyPem } = await agentCertificate(hubAdmin, mc.name, mc.agentId, cleanup);
  const renewed = await userClient(hub, { certPem, keyPem });
  cleanup.add(() => renewed.close());
  expect((await whoAmI(renewed)).username).toBe(`system:open-cluster-management:${mc.name}:${mc.agentId}`);
  current = renewed;
  await relay.cut(); // the old client's connections die here; nothing can use it any more

  await hubAdmin.patch(resourcePath(workRef(mc.name, 'rotating')), { spec: spec('2') }, 'merge');
  await until(spoke, { group: '', version: 'v1', resource: 'configmaps', namespace: ns, name: 'c' }, (o) => (o as { data?: { v?: string } })?.data?.v === '2', 'change applied after the rotation', 30_000);
  const w = await waitWork(hubAdmin, mc.name, 'rotating', (x) => appliedAt(x, true), 'status written after the rotation', 30_000);
  expect(w!.metadata.generation).toBe(2);
  expect(agent.logs.filter((l) => l.level === 'error')).toEqual([]);
});
