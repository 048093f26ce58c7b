/**
 * Clusters with real nodes for the node suites: a local registry serving the sandbox images,
 * clusters started with nodes: 1 against it, kubectl, and what must be gone after a stop.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { KubeConfig } from '../../src/kube/kubeconfig.js';
import { KubeClient } from '../../src/kube/client.js';
import { waitForObject } from '../../src/kube/wait.js';
import { findBinaries } from '../../src/sandbox/binaries.js';
import { startClusters, type LocalCluster } from '../../src/sandbox/cluster.js';
import { relayHubToSpokes } from '../../src/sandbox/hub-relay.js';
import { pushSandboxImages, startRegistry, type Registry, type RegistryAuth } from '../../src/sandbox/images/index.js';
import { leftovers, type HostSnapshot } from '../../src/sandbox/node/leftovers.js';

const execFileP = promisify(execFile);

/** A registry serving the sandbox images; with `auth`, a second one that requires it (and logs each request). */
export async function startRegistryWithImages(dir: string, o: { auth?: RegistryAuth } = {}): Promise<Registry> {
  const registry = await startRegistry({ dir: path.join(dir, o.auth ? 'auth-registry' : 'registry'), auth: o.auth, accessLog: !!o.auth });
  try {
    await pushSandboxImages(registry.address, { auth: o.auth });
  } catch (err) {
    await registry.stop();
    throw err;
  }
  return registry;
}

export async function startNodeClusters(names: string[], dir: string, registry: Registry, authRegistry?: Registry): Promise<LocalCluster[]> {
  return startClusters(names.map((name) => ({ name, baseDir: dir, nodes: 1 as const, registry: registry.address, authRegistry: authRegistry?.address, timeoutMs: 240_000 })));
}

/**
 * The hub as pods on the spokes reach it: its node IP (the test process reaches it too, through the
 * node's veth), relayed onto each spoke's node. Writes an admin kubeconfig for that address to
 * `kubeconfigFile` (0600) and returns the URL.
 */
export async function hubAtNodeIp(hub: LocalCluster, spokes: LocalCluster[], kubeconfigFile?: string): Promise<string> {
  const url = await relayHubToSpokes(hub, spokes);
  if (kubeconfigFile) fs.writeFileSync(kubeconfigFile, fs.readFileSync(hub.adminKubeconfigPath, 'utf8').replaceAll(hub.server, url), { mode: 0o600 });
  return url;
}

/**
 * A node suite's afterAll: its clients closed first (no watch outlives its server), then its
 * clusters and registries stopped in the order given, then its directory removed.
 */
export async function tearDownNodeSuite(dir: string, clients: (KubeClient | undefined)[], stoppable: ({ stop(): Promise<unknown> } | undefined)[]): Promise<void> {
  for (const c of clients) await c?.close();
  for (const s of stoppable) await s?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

export async function clientOf(c: LocalCluster): Promise<KubeClient> {
  const kc = new KubeConfig();
  kc.loadFromFile(c.adminKubeconfigPath);
  return KubeClient.create(kc, 'ocmadm-e2e-nodes');
}

export async function kubectl(c: LocalCluster, args: string[]): Promise<string> {
  const bins = await findBinaries();
  const { stdout } = await execFileP(bins.kubectl, ['--kubeconfig', c.adminKubeconfigPath, ...args], { maxBuffer: 16 << 20 });
  return stdout;
}

type Obj = { metadata?: { name?: string }; status?: Record<string, unknown> };

export async function waitFor(client: KubeClient, resource: { group: string; version: string; resource: string; namespace?: string; name: string }, done: (o: Obj | undefined) => boolean, what: string, ms = 180_000): Promise<Obj | undefined> {
  return waitForObject<Obj & { metadata: { name: string } }>(client, resource, (o) => done(o), { deadline: Date.now() + ms, what });
}

export const deploymentAvailable = (o: Obj | undefined) =>
  !!(o?.status?.conditions as { type: string; status: string }[] | undefined)?.some((c) => c.type === 'Available' && c.status === 'True') &&
  (o?.status?.readyReplicas as number | undefined) === (o?.status?.replicas as number | undefined);

export const podSucceeded = (o: Obj | undefined) => o?.status?.phase === 'Succeeded' || o?.status?.phase === 'Failed';

/** Everything of a stopped cluster's node that is still on the machine, one line each (see leftovers). */
export function nodeLeftovers(c: { dir: string; node?: { slot: number } }, o: { podNetns?: string[]; before?: HostSnapshot } = {}): Promise<string[]> {
  return leftovers({ dirs: [c.dir], slots: c.node ? [{ slot: c.node.slot, dir: c.dir }] : [], ...o });
}
