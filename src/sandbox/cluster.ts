import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '../kube/kubeconfig.js';
import { KubeClient } from '../kube/client.js';
import { waitForObject } from '../kube/wait.js';
import { findBinaries, type BinaryPaths } from './binaries.js';
import { apiserverArgs, controllerManagerArgs, etcdArgs } from './flags.js';
import { writeKubeconfig } from './kubeconfig.js';
import { createNode, DEFAULT_NODE_CAPACITY, type NodeCapacity } from './node.js';
import { generateClusterPki, type ClusterPki } from './pki.js';
import { freePorts, releasePorts } from './ports.js';
import { startComponent, tailFile, type Component } from './process.js';
import { httpOk, StartupError, waitForCondition } from './readiness.js';
import { startNode, teardownNode, type RunningNode } from './node/index.js';
import { apiserverNodeFlags, claimNodeNetwork, nodeBinaries, nodePrereqs } from './node/prepare.js';
import type { EnsureDeps } from './node/prereqs.js';
import type { NodeSlot } from './node/slot.js';
import type { NodeRecord } from './node/index.js';

import { PAUSE_IMAGE } from './images/build.js';
import { SERVICE_ACCOUNTS } from '../kube/core.js';

/**
 * A named local Kubernetes control plane on loopback: etcd, kube-apiserver and
 * kube-controller-manager as child processes, with their own PKI, ports, data and logs.
 */
export interface StartClusterOptions {
  /** DNS-label-like name; used in directory, certificate and node names. */
  name: string;
  /** Where the cluster's temporary directory is created (default: the OS temp dir). */
  baseDir?: string;
  /** Lifetime of certificates kube-controller-manager issues for approved CSRs (default 24 h). */
  signingDurationSeconds?: number;
  /** Where component logs go (default: `<dir>/logs`, removed by stop()). */
  logDir?: string;
  /** false: no kube-controller-manager (no CSR signing, GC, namespace deletion). Default true. */
  controllerManager?: boolean;
  /** Capacity of the one Node object created in the cluster (nodes: 0 only); false: no Node. */
  node?: NodeCapacity | false;
  /**
   * 1: one real node (containerd, kubelet, kube-proxy in a network namespace of its own, and a
   * kube-scheduler). 0 (default): no kubelet; a Node API object stands in (see `node`).
   */
  nodes?: 0 | 1;
  /** The local registry (127.0.0.1:<port>) that serves docker.io and registry.k8s.io images to the node. */
  registry?: string;
  /**
   * A registry with auth (127.0.0.1:<port>), which the node sees as `private.ocmadm.test`
   * (AUTH_REGISTRY_HOST): its images pull only with a pull secret, as from a private registry.
   */
  authRegistry?: string;
  /** The node's pod sandbox image (default: the one the images module builds). */
  pauseImage?: string;
  /** Injected prerequisite check/installer (tests); default: the machine's. */
  nodePrereqs?: EnsureDeps;
  /** Startup deadline (default 180 s). */
  timeoutMs?: number;
  /** Binary paths (default: findBinaries()). */
  binaries?: BinaryPaths;
  /**
   * The components outlive the calling process (ocmadm sandbox): nothing stops them when it
   * exits, and the cluster is not in liveClusters(). Stop them through their recorded pids.
   */
  outlive?: boolean;
  /** Called as each component process is spawned (before it is ready), to record its pid. */
  onSpawn?: (c: Component) => void;
}

/** The processes of a LocalCluster, in start order. */
export const COMPONENT_NAMES = ['etcd', 'kube-apiserver', 'kube-controller-manager'] as const;
export type ComponentName = (typeof COMPONENT_NAMES)[number];

export interface LocalCluster {
  name: string;
  /** https://127.0.0.1:<port> */
  server: string;
  caPem: string;
  /** The cluster CA: it verifies the apiserver, authenticates client certs and signs CSRs. */
  caFile: string;
  caKeyFile: string;
  /** A self-contained kubeconfig for a system:masters user. */
  adminKubeconfigPath: string;
  /** The cluster's temporary directory (PKI, etcd data, kubeconfigs). */
  dir: string;
  logDir: string;
  /** gitVersion reported by /version. */
  version: string;
  nodeName?: string;
  /** The real node (nodes: 1). */
  node?: LocalNode;
  pids: { etcd: number; apiserver: number; controllerManager?: number };
  /** Milliseconds from call to ready. */
  startupMs: number;
  /** Stops every process (SIGTERM, SIGKILL after a grace period) and removes `dir`. Idempotent. */
  stop(): Promise<void>;
  /**
   * Stops one component (fault tests): SIGTERM as an operator would, or SIGKILL as a crash. Its
   * ports and data stay, so startComponent() brings it back as the same member of the cluster.
   */
  stopComponent(name: ComponentName, how?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /**
   * Starts a stopped component again with the same flags, ports and data directory; resolves once
   * it is ready (etcd /health, kube-apiserver /readyz; kube-controller-manager has no health port
   * here, so once spawned). Rejects when it exits first or `timeoutMs` (default 120 s) passes.
   */
  startComponent(name: ComponentName, opts?: { timeoutMs?: number }): Promise<void>;
}

export interface LocalNode {
  name: string;
  /** The node IP (its end of the veth pair), also the apiserver's advertised address. */
  ip: string;
  /** The node's network namespace (`ip netns exec <netns> ...`). */
  netns: string;
  podCidr: string;
  /** The node's claimed slot (addresses, names). */
  slot: number;
  /** Milliseconds spent on the node: its network, then its processes until the Node was Ready. */
  startupMs: number;
  /** Pids of its processes by component name (kubelet, containerd, kube-proxy, forwarders, kube-scheduler). */
  pids(): Record<string, number>;
  stopKubelet(how?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  startKubelet(): Promise<void>;
  /** `ip:port` on this node relays to 127.0.0.1:port on the host (e.g. the hub's API server for a spoke's pods). */
  relayFrom(ip: string, port: number): Promise<void>;
}

const PID_KEYS = { etcd: 'etcd', 'kube-apiserver': 'apiserver', 'kube-controller-manager': 'controllerManager' } as const satisfies Record<ComponentName, keyof LocalCluster['pids']>;

const NAME_RE = /^[a-z0-9]([a-z0-9-]{0,40}[a-z0-9])?$/;
const live = new Set<LocalCluster>();

/** Clusters started by this process and not yet stopped. */
export function liveClusters(): LocalCluster[] {
  return [...live];
}

export async function stopAllClusters(): Promise<void> {
  await Promise.all([...live].map((c) => c.stop()));
}

const portInUse = (c: Component) => /address already in use/i.test(tailFile(c.logFile, 200));

/** Starts a component on fresh ports, again (up to 3 times) when a port was taken meanwhile. */
async function withFreshPorts(
  n: number,
  start: (ports: number[]) => Component,
  ready: (c: Component, ports: number[]) => Promise<void>,
  owned: number[],
): Promise<{ c: Component; ports: number[] }> {
  for (let attempt = 1; ; attempt++) {
    const ports = await freePorts(n);
    owned.push(...ports);
    const c = start(ports);
    try {
      await ready(c, ports);
      return { c, ports };
    } catch (err) {
      await c.stop(2_000);
      if (attempt >= 3 || !portInUse(c)) throw err;
    }
  }
}

/**
 * Starts several clusters in parallel, all or nothing: if one fails, the others are stopped and
 * the first error is thrown. `onStarted` sees each as it comes up (for interrupt handlers).
 */
export async function startClusters(all: StartClusterOptions[], onStarted?: (c: LocalCluster) => void): Promise<LocalCluster[]> {
  const results = await Promise.allSettled(all.map(async (o) => {
    const c = await startCluster(o);
    onStarted?.(c);
    return c;
  }));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(results.map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
    throw failed.reason;
  }
  return results.map((r) => (r as PromiseFulfilledResult<LocalCluster>).value);
}

export async function startCluster(opts: StartClusterOptions): Promise<LocalCluster> {
  const t0 = Date.now();
  if (!NAME_RE.test(opts.name)) throw new Error(`cluster name "${opts.name}" must be lowercase letters, digits and dashes`);
  const deadline = t0 + (opts.timeoutMs ?? 180_000);
  const bins = opts.binaries ?? (await findBinaries());
  const baseDir = opts.baseDir ?? os.tmpdir();
  // Private like what they hold (keys, kubeconfigs, etcd data, logs); existing folders keep their mode.
  fs.mkdirSync(baseDir, { recursive: true, mode: 0o700 });
  const dir = fs.mkdtempSync(path.join(baseDir, `ocmadm-${opts.name}-`));
  const logDir = opts.logDir ?? path.join(dir, 'logs');
  fs.mkdirSync(logDir, { recursive: true, mode: 0o700 });
  const log = (component: string) => path.join(logDir, `${component}.log`);
  const withNode = opts.nodes === 1;
  let nodeNet: { slot: NodeSlot; record: NodeRecord } | undefined;
  let node: RunningNode | undefined;
  // Every node process spawned (also by a startNode that failed half-way, and restarted kubelets).
  const nodeComponents: Component[] = [];
  let nodeMs = 0;

  // The running process of each component, in start order (a restart replaces it in place).
  const components = new Map<ComponentName, Component>();
  // How to spawn each one again on its ports, and when it counts as ready.
  const respawn = new Map<ComponentName, { spawn: () => Component; ready: (c: Component, deadline: number) => Promise<void> }>();
  const ports: number[] = [];
  const spawn = (name: string, binary: string, args: string[], logFile: string): Component => {
    const c = startComponent(name, binary, args, logFile, { outlive: opts.outlive });
    opts.onSpawn?.(c);
    return c;
  };
  let stopping: Promise<void> | undefined;
  // graceMs 0 (a start that failed: nothing to keep, its log tails are in the error): SIGKILL at once.
  const stopAll = (graceMs?: number): Promise<void> =>
    (stopping ??= (async () => {
      // The node first (its kubelet still reports to the apiserver), then the scheduler and relays.
      for (const n of ['kubelet', 'kube-proxy']) await Promise.all(nodeComponents.filter((c) => c.name === n).map((c) => c.stop(graceMs ?? 5_000)));
      await Promise.all(nodeComponents.map((c) => c.stop(graceMs ?? 5_000)));
      if (nodeNet) await teardownNode(nodeNet.record);
      // Controller manager first: it would only log errors while the apiserver goes away.
      for (const c of [...components.values()].reverse()) await c.stop(graceMs);
      fs.rmSync(dir, { recursive: true, force: true });
      releasePorts(ports);
    })());

  try {
    const nodeBins = withNode ? nodeBinaries(bins) : undefined;
    if (withNode) {
      await nodePrereqs(opts.nodePrereqs);
      const n0 = Date.now();
      nodeNet = await claimNodeNetwork(opts.name, dir, !!opts.outlive);
      nodeMs += Date.now() - n0;
    }
    const pkiP: Promise<ClusterPki> = generateClusterPki(opts.name, path.join(dir, 'pki'), nodeNet ? [nodeNet.slot.nodeIp] : []);
    pkiP.catch(() => undefined);

    const spawnEtcd = ([client, peer]: number[]) =>
      spawn('etcd', bins.etcd, etcdArgs({ name: opts.name, dataDir: path.join(dir, 'etcd'), clientPort: client!, peerPort: peer! }), log('etcd'));
    const etcdReady = (c: Component, [client]: number[], until: number) =>
      waitForCondition('etcd /health', () => httpOk(`http://127.0.0.1:${client}/health`), { deadline: until, watch: [c] });
    const etcd = await withFreshPorts(2, spawnEtcd, (c, p) => etcdReady(c, p, deadline), ports);
    components.set('etcd', etcd.c);
    respawn.set('etcd', { spawn: () => spawnEtcd(etcd.ports), ready: (c, until) => etcdReady(c, etcd.ports, until) });
    const pki = await pkiP;
    const nodeFlags = nodeNet ? await apiserverNodeFlags(pki, nodeNet.slot, path.join(dir, 'pki')) : undefined;
    const tls = { ca: pki.ca.certPem, cert: pki.admin.certPem, key: pki.admin.keyPem };

    const spawnApi = ([port]: number[]) =>
      spawn('kube-apiserver', bins['kube-apiserver'], apiserverArgs({ pki, etcdPort: etcd.ports[0]!, port: port!, dir, node: nodeFlags }), log('kube-apiserver'));
    const apiReady = (c: Component, [port]: number[], until: number) =>
      waitForCondition('kube-apiserver /readyz', () => httpOk(`https://127.0.0.1:${port}/readyz`, tls), { deadline: until, watch: [components.get('etcd')!, c] });
    const api = await withFreshPorts(1, spawnApi, (c, p) => apiReady(c, p, deadline), ports);
    components.set('kube-apiserver', api.c);
    respawn.set('kube-apiserver', { spawn: () => spawnApi(api.ports), ready: (c, until) => apiReady(c, api.ports, until) });
    const server = `https://127.0.0.1:${api.ports[0]}`;

    const adminKubeconfigPath = await writeKubeconfig(path.join(dir, 'admin.kubeconfig'), {
      name: opts.name,
      server,
      caPem: pki.ca.certPem,
      user: pki.admin,
      userName: `${opts.name}-admin`,
    });
    const kc = new KubeConfig();
    kc.loadFromFile(adminKubeconfigPath);
    const client = await KubeClient.create(kc, 'ocmadm-sandbox');
    try {
      const version = (await client.get<{ gitVersion: string }>('/version')).gitVersion;

      let kcm: Component | undefined;
      if (opts.controllerManager !== false) {
        const kcmKubeconfig = await writeKubeconfig(path.join(dir, 'kube-controller-manager.kubeconfig'), {
          name: opts.name,
          server,
          caPem: pki.ca.certPem,
          user: pki.kcm,
          userName: 'system:kube-controller-manager',
        });
        const args = controllerManagerArgs({ pki, kubeconfig: kcmKubeconfig, signingDurationSeconds: opts.signingDurationSeconds ?? 86_400, nodes: withNode });
        const spawnKcm = () => spawn('kube-controller-manager', bins['kube-controller-manager'], args, log('kube-controller-manager'));
        kcm = spawnKcm();
        components.set('kube-controller-manager', kcm);
        respawn.set('kube-controller-manager', { spawn: spawnKcm, ready: async () => undefined });
      }

      const nodeName = withNode || opts.node === false ? undefined : `${opts.name}-node`;
      const nodeP = nodeName ? createNode(client, nodeName, version, opts.node || DEFAULT_NODE_CAPACITY) : Promise.resolve();
      if (kcm) {
        // The serviceaccount controller creates `default` once its informers synced: KCM works.
        const running = kcm;
        const crashed = running.exit.then(() => {
          throw new StartupError(`kube-controller-manager exited during startup; last lines of ${running.logFile}:\n${tailFile(running.logFile)}`);
        });
        crashed.catch(() => undefined); // a later exit (after startup) is not an unhandled rejection
        const sa = waitForObject(client, { ...SERVICE_ACCOUNTS, namespace: 'default', name: 'default' }, (o) => !!o, {
          deadline,
          what: `ServiceAccount default/default in cluster ${opts.name} (kube-controller-manager readiness; log ${running.logFile})`,
        });
        await Promise.race([sa, crashed]);
      }
      await nodeP;
      if (nodeNet && nodeBins) {
        const n0 = Date.now();
        node = await startNode({
          cluster: opts.name,
          clusterDir: dir,
          slot: nodeNet.slot,
          apiPort: api.ports[0]!,
          registryPort: opts.registry ? Number(opts.registry.split(':').pop()) : undefined,
          authRegistryPort: opts.authRegistry ? Number(opts.authRegistry.split(':').pop()) : undefined,
          pauseImage: opts.pauseImage ?? PAUSE_IMAGE,
          pki,
          bins: nodeBins,
          client,
          adminKubeconfig: adminKubeconfigPath,
          deadline,
          log,
          spawn: (...a) => {
            const c = spawn(...a);
            nodeComponents.push(c);
            return c;
          },
        });
        nodeMs += Date.now() - n0;
      }
      const running = node;
      const localNode: LocalNode | undefined = running && nodeNet
        ? {
            name: running.name,
            ip: running.ip,
            netns: running.netns,
            podCidr: running.podCidr,
            slot: nodeNet.slot.slot,
            startupMs: nodeMs,
            pids: () => Object.fromEntries([...running.components].map(([k, c]) => [k, c.pid])),
            stopKubelet: (how) => running.stopKubelet(how),
            startKubelet: () => running.startKubelet(),
            relayFrom: (ip, port) => running.relayFrom(ip, port),
          }
        : undefined;

      const cluster: LocalCluster = {
        name: opts.name,
        server,
        caPem: pki.ca.certPem,
        caFile: pki.files.caCert,
        caKeyFile: pki.files.caKey,
        adminKubeconfigPath,
        dir,
        logDir,
        version,
        nodeName: localNode?.name ?? nodeName,
        node: localNode,
        pids: { etcd: etcd.c.pid, apiserver: api.c.pid, controllerManager: kcm?.pid },
        startupMs: Date.now() - t0,
        stop: async () => {
          await stopAll();
          live.delete(cluster);
        },
        stopComponent: async (name, how = 'SIGTERM') => {
          const c = components.get(name);
          if (!c) throw new Error(`cluster ${opts.name} has no ${name}`);
          await (how === 'SIGKILL' ? c.kill() : c.stop());
        },
        startComponent: async (name, o = {}) => {
          const again = respawn.get(name);
          const running = components.get(name);
          if (!again || !running) throw new Error(`cluster ${opts.name} has no ${name}`);
          if (stopping) throw new Error(`cluster ${opts.name} is stopped`);
          if (!running.exited) throw new Error(`${name} of cluster ${opts.name} is still running (pid ${running.pid})`);
          const c = again.spawn();
          components.set(name, c);
          cluster.pids[PID_KEYS[name]] = c.pid;
          await again.ready(c, Date.now() + (o.timeoutMs ?? 120_000));
        },
      };
      if (!opts.outlive) live.add(cluster);
      return cluster;
    } finally {
      await client.close();
    }
  } catch (err) {
    await stopAll(0);
    if (err instanceof Error) err.message = `cluster ${opts.name}: ${err.message}`;
    throw err;
  }
}
