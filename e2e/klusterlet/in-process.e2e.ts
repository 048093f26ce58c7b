/**
 * startRegistrationAgent() in-process, as another agent (the work agent) will use it: the hub
 * identity arrives through onIdentity, its client works on the hub as the agent, and stop()
 * ends everything.
 */
import type { KubeClient } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../src/runtime/core/log.js';
import { startRegistrationAgent, type HubIdentity, type RegistrationAgent } from '../../src/runtime/klusterlet/main.js';
import { adminClient, adminKubeConfig, loadClusters, uniqueName, whoAmI } from '../support/clusters.js';
import { CSRS } from '../../src/kube/certificates.js';
import { Cleanup } from '../hub/identities.js';
import { NAMESPACES, clusterRef, forceDelete, until } from '../hub/support.js';
import { applyBootstrapRbac, applyCrds, approveCsr, bootstrapKubeconfigYaml, bootstrapToken, clusterCsrs, deleteIfExists, firstCsr, prepareSpoke } from './support.js';

const { hub, spoke2 } = loadClusters();
let hubAdmin: KubeClient;
let spokeAdmin: KubeClient;
let agent: RegistrationAgent | undefined;
const cleanup = new Cleanup();
/** Where the agent's log lines go: $OCMADM_E2E_LOG_DIR, else a temp dir. */
const logDir = () => process.env.OCMADM_E2E_LOG_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'klusterlet-e2e-'));

beforeAll(async () => {
  hubAdmin = await adminClient(hub);
  spokeAdmin = await adminClient(spoke2);
  await applyCrds(hubAdmin, 'hub');
  await applyCrds(spokeAdmin, 'spoke');
  await applyBootstrapRbac(hubAdmin);
});

afterAll(async () => {
  await agent?.stop();
  await cleanup.run();
  await hubAdmin?.close();
  await spokeAdmin?.close();
});

/** `p`, or a rejection naming `what` after `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

test('the hub identity reaches in-process listeners; stop() ends the agent', async () => {
  const cluster = uniqueName('inproc');
  const ns = uniqueName('agent');
  await prepareSpoke(spokeAdmin, ns, bootstrapKubeconfigYaml(hub, await bootstrapToken(hubAdmin)));
  cleanup.add(() => spokeAdmin.delete(resourcePath({ ...NAMESPACES, name: ns })));
  cleanup.add(() => forceDelete(hubAdmin, clusterRef(cluster)));
  cleanup.add(async () => {
    for (const c of await clusterCsrs(hubAdmin, cluster)) await deleteIfExists(hubAdmin, resourcePath({ ...CSRS, name: c.metadata!.name! }));
  });

  agent = await startRegistrationAgent({ spoke: adminKubeConfig(spoke2), clusterName: cluster, agentNamespace: ns, log: createLogger({ component: 'in-process-agent', level: 'debug', stream: fs.createWriteStream(path.join(logDir(), `${cluster}.log`)) }) });
  expect(agent.agentId).toMatch(/^[a-z0-9]{5}$/);
  expect(agent.identity).toBeUndefined();
  expect(agent.readyz()).toBe('not registered with the hub yet');
  const identity = new Promise<HubIdentity>((resolve) => agent!.onIdentity(resolve));

  await until(hubAdmin, clusterRef(cluster), (o) => !!o, 'ManagedCluster');
  const pending = await firstCsr(hubAdmin, cluster);
  await approveCsr(hubAdmin, pending.metadata!.name!);

  const id = await within(identity, 60_000, 'the hub identity');
  expect(id.cert.cluster).toBe(cluster);
  expect(id.cert.agent).toBe(agent.agentId);
  expect(id.hub.server).toBe(hub.server);
  expect((await whoAmI(id.client)).username).toBe(`system:open-cluster-management:${cluster}:${agent.agentId}`);
  expect(agent.healthz()).toBe(true);

  await within(agent.stop(), 30_000, 'stop()');
  await expect(agent.done).resolves.toBe('stopped');
  agent = undefined;
});
