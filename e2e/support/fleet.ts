/**
 * Private control planes for suites that drive the CLI end to end (`init` installs an admission
 * policy and a hub controller that would act on every other suite's objects, so those suites
 * get clusters of their own instead of the shared ones). Each Fleet has its own state directory
 * for local runtimes; stop() ends every runtime started in it, then the control planes.
 *
 *   const fleet = await startFleet('init', ['hub', 'spoke']);
 *   const r = await fleet.cli('hub', ['init', '--runtime', 'local']);
 *   afterAll(() => fleet.stop());
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startClusters, type LocalCluster } from '../../src/sandbox/cluster.js';
import { listLocalRuntimes, stopLocalRuntime } from '../../src/runtime/host/index.js';
import type { KubeClient } from '../../src/kube/client.js';
import { adminClient, clusterInfo, loadClusters, runCli, type CliResult, type ClusterInfo, type RunCliOptions } from './clusters.js';

export interface Fleet {
  clusters: Record<string, LocalCluster>;
  /** OCMADM_STATE_DIR of every CLI run of this fleet (local runtimes live under it). */
  stateDir: string;
  env: Record<string, string>;
  /** An admin client of a cluster (closed by stop()). */
  client(name: string): Promise<KubeClient>;
  /** `ocmadm --kubeconfig <admin kubeconfig of name> ...args` with the fleet's state directory. */
  cli(name: string, args: string[], opts?: RunCliOptions): Promise<CliResult>;
  /** The cluster as the ClusterInfo the shared-cluster helpers take (userClient, adminKubeConfig). */
  info(name: string): ClusterInfo;
  stop(): Promise<void>;
}

/** Starts the named control planes in parallel, their logs under this e2e run's log folder. */
/** `nodes`: each cluster gets one real node, its images from `registry` (see e2e/nodes/support.ts). */
export async function startFleet(suite: string, names: string[], opts: { nodes?: { registry: string } } = {}): Promise<Fleet> {
  const runDir = loadClusters().runDir;
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), `ocmadm-e2e-${suite}-`));
  const env = { OCMADM_STATE_DIR: stateDir };
  const withNodes = opts.nodes ? { nodes: 1 as const, registry: opts.nodes.registry, timeoutMs: 240_000 } : {};
  const started = await startClusters(names.map((name) => ({ name: `${suite}-${name}`, logDir: path.join(runDir, suite, name), ...withNodes })));
  const clusters: Record<string, LocalCluster> = Object.fromEntries(names.map((n, i) => [n, started[i]!]));
  const clients: KubeClient[] = [];
  const get = (name: string): LocalCluster => {
    const c = clusters[name];
    if (!c) throw new Error(`no cluster "${name}" in fleet ${suite}`);
    return c;
  };
  const fleet: Fleet = {
    clusters,
    stateDir,
    env,
    async client(name) {
      const c = await adminClient(fleet.info(name));
      clients.push(c);
      return c;
    },
    cli: (name, args, opts = {}) => runCli(['--kubeconfig', get(name).adminKubeconfigPath, ...args], { ...opts, env: { ...env, ...opts.env } }),
    info: (name) => clusterInfo(get(name)),
    async stop() {
      for (const kind of ['klusterlet', 'hub-controller'] as const) {
        await Promise.all(listLocalRuntimes(kind, env).map((r) => stopLocalRuntime(kind, r.instance, { env, graceMs: 3_000 })));
      }
      await Promise.all(clients.map((c) => c.close()));
      await Promise.all(Object.values(clusters).map((c) => c.stop()));
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
  return fleet;
}
