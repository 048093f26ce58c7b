import fs from 'node:fs';
import path from 'node:path';
import { KubeClient } from '../../kube/client.js';
import { KubeConfig } from '../../kube/kubeconfig.js';
import { waitForObject } from '../../kube/wait.js';
import { issueCertificate, type ClusterPki } from '../pki.js';
import { writeKubeconfig } from '../kubeconfig.js';
import { tailFile, type Component } from '../process.js';
import { waitForCondition } from '../readiness.js';
import { AUTH_REGISTRY_HOST, writeMirrorHosts } from '../images/registry.js';
import { cniConflist, containerdToml, kubeletConfigYaml, kubeProxyConfigYaml, nodePaths, type NodeLayout } from './config.js';
import { inNetns, sh, teardownNetworkAndLeftovers } from './network.js';
import { releaseSlot, slotAddresses, type NodeSlot } from './slot.js';
import { INOTIFY_INSTANCES, inotifyInUse, machineInotify } from './prereqs.js';
import { NODES } from '../../kube/core.js';

/**
 * One real node of a local cluster. What runs where:
 * - host network namespace: kube-scheduler, and the host half of each forwarder (a unix socket
 *   relayed to 127.0.0.1:<port> of the API server or the registry);
 * - the node's network namespace (host mount namespace, so kubelet's volume mounts are visible
 *   to containerd and runc): containerd, kubelet, kube-proxy and the node half of each
 *   forwarder (<nodeIP>:<port> relayed to the unix socket); pods in namespaces of their own on
 *   the node's CNI bridge.
 */
export interface NodeBinaries {
  kubelet: string;
  'kube-proxy': string;
  'kube-scheduler': string;
}

/** Enough to tear a node down later from another process (`sandbox down`): written to <cluster dir>/node.json. */
export interface NodeRecord {
  slot: number;
  dir: string;
  name: string;
}

export const NODE_RECORD = 'node.json';

export interface StartNodeOptions {
  cluster: string;
  /** The cluster directory. */
  clusterDir: string;
  slot: NodeSlot;
  apiPort: number;
  registryPort?: number;
  /** Port of a registry with auth on the host, served to the node as AUTH_REGISTRY_HOST. */
  authRegistryPort?: number;
  pauseImage: string;
  pki: ClusterPki;
  bins: NodeBinaries;
  /** For the startup wait only (closed once the cluster is up). */
  client: KubeClient;
  /** A kubeconfig for later waits (a restarted kubelet). */
  adminKubeconfig: string;
  deadline: number;
  log: (component: string) => string;
  spawn: (name: string, binary: string, args: string[], logFile: string) => Component;
}

export interface RunningNode {
  name: string;
  ip: string;
  netns: string;
  podCidr: string;
  components: Map<string, Component>;
  /** Stops the kubelet (SIGTERM, or SIGKILL as a crash); the containers keep running. */
  stopKubelet(how?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  startKubelet(): Promise<void>;
  /**
   * Makes `ip:port` answer on this node (and so for its pods) as 127.0.0.1:port on the host does:
   * another cluster's API server at that cluster's node IP, so a spoke's klusterlet pod reaches
   * its hub at the same URL the CLI uses. The address is added to the node's loopback device;
   * nothing is routed off the node.
   */
  relayFrom(ip: string, port: number): Promise<void>;
}

/** What a kubelet's last log lines say about why it exited, when it is the machine's fault. */
export function kubeletExitCause(tail: string): string {
  if (!/inotify_init: too many open files/.test(tail)) return '';
  return ` (the machine's inotify instances are used up: fs.inotify.max_user_instances is ${readInotifyLimit()}, ${inotifyInUse()} in use; raise it with sysctl -w fs.inotify.max_user_instances=${INOTIFY_INSTANCES})`;
}

function readInotifyLimit(): string {
  try {
    return String(machineInotify.get());
  } catch {
    return 'unreadable';
  }
}

export function nodeNameOf(cluster: string): string {
  return `${cluster}-node`;
}

export function writeNodeRecord(clusterDir: string, rec: NodeRecord): void {
  fs.writeFileSync(path.join(clusterDir, NODE_RECORD), `${JSON.stringify(rec)}\n`, { mode: 0o600 });
}

export function readNodeRecord(clusterDir: string): NodeRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(clusterDir, NODE_RECORD), 'utf8')) as NodeRecord;
  } catch {
    return undefined;
  }
}

/** Removes every trace of a node (processes, pods, mounts, namespaces, cgroups) and frees its slot. Idempotent. */
export async function teardownNode(rec: NodeRecord): Promise<void> {
  await teardownNetworkAndLeftovers(slotAddresses(rec.slot), [rec.dir]);
  releaseSlot(rec.slot);
}

async function write(file: string, text: string): Promise<string> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await fs.promises.writeFile(file, text, { mode: 0o600 });
  return file;
}

/**
 * The host half and node half of a TCP relay through a unix socket: `bind`:port on the node to
 * 127.0.0.1:port on the host. Both listen with a deep backlog: socat's default of 5 reset
 * connections when a client opened dozens at once (an HTTP/1.1 client checking 30 APIs in parallel).
 */
function forwarder(o: StartNodeOptions, what: string, port: number, socket: string, bind = o.slot.nodeIp): Component[] {
  const host = o.spawn(`${what}-forwarder-host`, 'socat', [`UNIX-LISTEN:${socket},fork,unlink-early,mode=600,backlog=256`, `TCP:127.0.0.1:${port}`], o.log(`${what}-forwarder`));
  const [cmd, args] = inNetns(o.slot.netns, ['socat', `TCP-LISTEN:${port},bind=${bind},fork,reuseaddr,backlog=256`, `UNIX-CONNECT:${socket}`]);
  const node = o.spawn(`${what}-forwarder-node`, cmd, args, o.log(`${what}-forwarder`));
  return [host, node];
}

export async function startNode(o: StartNodeOptions): Promise<RunningNode> {
  const name = nodeNameOf(o.cluster);
  const layout: NodeLayout = { dir: path.join(o.clusterDir, 'node'), slot: o.slot, nodeName: name, apiPort: o.apiPort, registryPort: o.registryPort, pauseImage: o.pauseImage };
  const p = nodePaths(layout);
  const components = new Map<string, Component>();
  const add = (c: Component) => components.set(c.name, c);
  fs.mkdirSync(o.slot.runDir, { recursive: true, mode: 0o700 });
  fs.mkdirSync(layout.dir, { recursive: true, mode: 0o700 });
  // kubelet's cgroupRoot must exist in every hierarchy before it starts.
  for (const h of fs.readdirSync('/sys/fs/cgroup')) {
    const base = path.join('/sys/fs/cgroup', h);
    if (fs.existsSync(path.join(base, 'tasks')) || fs.existsSync(path.join(base, 'cgroup.procs'))) fs.mkdirSync(path.join(base, o.slot.netns), { recursive: true });
  }

  const ca = o.pki.ca;
  const [kubeletClient, kubeletServing, proxyClient, schedClient] = await Promise.all([
    issueCertificate(ca, { commonName: `system:node:${name}`, organizations: ['system:nodes'], usages: ['client'] }),
    issueCertificate(ca, { commonName: `system:node:${name}`, organizations: ['system:nodes'], usages: ['server'], dnsNames: [name], ipAddresses: [o.slot.nodeIp] }),
    issueCertificate(ca, { commonName: 'system:kube-proxy', usages: ['client'] }),
    issueCertificate(ca, { commonName: 'system:kube-scheduler', usages: ['client'] }),
  ]);
  const nodeServer = `https://${o.slot.nodeIp}:${o.apiPort}`;
  const kc = (file: string, user: typeof kubeletClient, userName: string, server = nodeServer) => writeKubeconfig(file, { name: o.cluster, server, caPem: ca.certPem, user, userName });
  const servingCert = await write(path.join(p.pki, 'kubelet.crt'), kubeletServing.certPem);
  const servingKey = await write(path.join(p.pki, 'kubelet.key'), kubeletServing.keyPem);
  await fs.promises.mkdir(p.kubeletRoot, { recursive: true, mode: 0o700 });
  await Promise.all([
    kc(p.kubeletKubeconfig, kubeletClient, `system:node:${name}`),
    kc(p.kubeProxyKubeconfig, proxyClient, 'system:kube-proxy'),
    kc(path.join(layout.dir, 'kube-scheduler.kubeconfig'), schedClient, 'system:kube-scheduler', `https://127.0.0.1:${o.apiPort}`),
    write(p.containerdConfig, containerdToml(layout)),
    write(path.join(p.cniConfDir, '10-ocmadm.conflist'), cniConflist(layout)),
    write(p.kubeletConfig, kubeletConfigYaml(layout, o.pki.files.caCert, { cert: servingCert, key: servingKey })),
    write(p.kubeProxyConfig, kubeProxyConfigYaml(layout)),
  ]);
  // Pulls of docker.io and registry.k8s.io images go to the local registry through the relay, never to the public hosts.
  if (o.registryPort) writeMirrorHosts(p.registryHosts, `${o.slot.nodeIp}:${o.registryPort}`);
  if (o.authRegistryPort) writeMirrorHosts(p.registryHosts, `${o.slot.nodeIp}:${o.authRegistryPort}`, [AUTH_REGISTRY_HOST]);

  const sched = o.spawn('kube-scheduler', o.bins['kube-scheduler'], [
    `--kubeconfig=${path.join(layout.dir, 'kube-scheduler.kubeconfig')}`,
    '--leader-elect=false',
    '--secure-port=0',
    '--profiling=false',
    '--v=1',
  ], o.log('kube-scheduler'));
  add(sched);
  for (const c of forwarder(o, 'apiserver', o.apiPort, p.apiSocket)) add(c);
  if (o.registryPort) for (const c of forwarder(o, 'registry', o.registryPort, p.registrySocket)) add(c);
  if (o.authRegistryPort) for (const c of forwarder(o, 'auth-registry', o.authRegistryPort, p.authRegistrySocket)) add(c);

  const [ccmd, cargs] = inNetns(o.slot.netns, ['containerd', '--config', p.containerdConfig]);
  const containerd = o.spawn('containerd', ccmd, cargs, o.log('containerd'));
  add(containerd);
  await waitForCondition('containerd socket', async () => {
    await sh('ctr', ['--address', p.containerdSocket, 'version']);
    return true;
  }, { deadline: o.deadline, watch: [containerd] });

  const kubeletArgv = inNetns(o.slot.netns, [
    o.bins.kubelet,
    `--config=${p.kubeletConfig}`,
    `--kubeconfig=${p.kubeletKubeconfig}`,
    `--root-dir=${p.kubeletRoot}`,
    `--node-ip=${o.slot.nodeIp}`,
    `--hostname-override=${name}`,
    '--v=1',
  ]);
  const spawnKubelet = () => {
    const c = o.spawn('kubelet', ...kubeletArgv, o.log('kubelet'));
    add(c);
    return c;
  };
  const kubelet = spawnKubelet();
  const [pcmd, pargs] = inNetns(o.slot.netns, [o.bins['kube-proxy'], `--config=${p.kubeProxyConfig}`, '--v=1']);
  add(o.spawn('kube-proxy', pcmd, pargs, o.log('kube-proxy')));

  const ready = (until: number, watch: Component, client = o.client) => {
    // Ends the Node watch once the kubelet is gone: an open watch holds the client's close for up to a minute.
    const gone = new AbortController();
    const crashed = watch.exit.then(() => {
      gone.abort();
      // The log goes with the cluster directory: its last lines travel with the error.
      const tail = tailFile(watch.logFile, 15);
      throw new Error(`kubelet of ${name} exited during startup${kubeletExitCause(tail)}; last lines of ${watch.logFile}:\n${tail}`);
    });
    crashed.catch(() => undefined);
    return Promise.race([
      crashed,
      waitForObject(
        client,
        { ...NODES, name },
        (n: { status?: { conditions?: { type: string; status: string }[] } } | undefined) => !!n?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        { deadline: until, what: `Node ${name} Ready (kubelet log ${watch.logFile})`, signal: gone.signal },
      ),
    ]);
  };
  await ready(o.deadline, kubelet);

  return {
    name,
    ip: o.slot.nodeIp,
    netns: o.slot.netns,
    podCidr: o.slot.podCidr,
    components,
    stopKubelet: async (how = 'SIGTERM') => {
      const c = components.get('kubelet')!;
      await (how === 'SIGKILL' ? c.kill() : c.stop());
    },
    relayFrom: async (ip, port) => {
      await sh('ip', ['-n', o.slot.netns, 'addr', 'add', `${ip}/32`, 'dev', 'lo']);
      const relays = forwarder(o, `relay-${port}`, port, path.join(o.slot.runDir, `relay-${port}.sock`), ip);
      for (const c of relays) add(c);
      await waitForCondition(`relay ${ip}:${port} on ${name}`, async () => {
        await sh(...inNetns(o.slot.netns, ['socat', '-u', 'OPEN:/dev/null', `TCP:${ip}:${port}`]));
        return true;
      }, { deadline: Date.now() + 30_000, watch: relays });
    },
    startKubelet: async () => {
      if (!components.get('kubelet')!.exited) throw new Error(`the kubelet of ${name} is still running`);
      const kc = new KubeConfig();
      kc.loadFromFile(o.adminKubeconfig);
      const client = await KubeClient.create(kc, 'ocmadm-sandbox');
      try {
        await ready(Date.now() + 120_000, spawnKubelet(), client);
      } finally {
        await client.close();
      }
    },
  };
}
