import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { NodeSlot } from './slot.js';

/**
 * A node's network: its own network namespace joined to the host by a veth pair with a /30, and
 * no default route. Pods live on a CNI bridge inside it; nothing they send can leave the
 * machine: the node namespace routes only its /30 and the pod CIDR (service addresses are
 * rewritten by kube-proxy before routing, anything else is unreachable), and the host end of
 * the veth drops anything not from the node IP (strict reverse-path filter on that interface).
 * The host's own forwarding and firewall settings are not touched.
 */
const execFileP = promisify(execFile);

export async function sh(cmd: string, args: string[]): Promise<string> {
  try {
    return (await execFileP(cmd, args, { maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')}: ${(e.stderr || e.message).trim().split('\n')[0]}`);
  }
}

const quiet = (p: Promise<unknown>) => p.then(() => undefined, () => undefined);

export const netnsPath = (ns: string) => `/run/netns/${ns}`;

/** Runs argv inside the node's network namespace only (the mount namespace stays the host's, so kubelet's mounts are seen by containerd and runc). */
export function inNetns(ns: string, argv: string[]): [string, string[]] {
  return ['nsenter', [`--net=${netnsPath(ns)}`, '--', ...argv]];
}

async function writeSysctl(ns: string | undefined, key: string, value: string): Promise<void> {
  const file = `/proc/sys/${key.replace(/\./g, '/')}`;
  if (!ns) return fs.promises.writeFile(file, value);
  await sh(...inNetns(ns, ['sh', '-c', `echo ${value} > ${file}`]));
}

export async function setupNetwork(s: NodeSlot): Promise<void> {
  await sh('ip', ['netns', 'add', s.netns]);
  await sh('ip', ['link', 'add', s.hostVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', s.netns]);
  await sh('ip', ['addr', 'add', `${s.hostIp}/30`, 'dev', s.hostVeth]);
  // Strict reverse-path check on our interface only: pod addresses (unroutable here) are dropped.
  await writeSysctl(undefined, `net.ipv4.conf.${s.hostVeth}.rp_filter`, '1');
  await quiet(writeSysctl(undefined, `net.ipv6.conf.${s.hostVeth}.disable_ipv6`, '1'));
  await sh('ip', ['link', 'set', s.hostVeth, 'up']);
  const nip = (...a: string[]) => sh('ip', ['-n', s.netns, ...a]);
  await nip('link', 'set', 'lo', 'up');
  await nip('addr', 'add', `${s.nodeIp}/30`, 'dev', 'eth0');
  await nip('link', 'set', 'eth0', 'up');
  // Inside the node only: pods reach services on other pods of the bridge through kube-proxy's
  // rules (bridged traffic through iptables, forwarding between the bridge and itself).
  await writeSysctl(s.netns, 'net.ipv4.ip_forward', '1');
  await writeSysctl(s.netns, 'net.bridge.bridge-nf-call-iptables', '1');
}

/** Pids of processes in a network namespace (none when it does not exist). */
export async function netnsPids(ns: string): Promise<number[]> {
  if (!fs.existsSync(netnsPath(ns))) return [];
  const out = await sh('ip', ['netns', 'pids', ns]).catch(() => '');
  return out.split(/\s+/).filter(Boolean).map(Number);
}

/** The pod network namespaces (named by containerd, cni-...) whose veths hang on the node's bridge. */
export async function podNetnses(ns: string): Promise<string[]> {
  if (!fs.existsSync(netnsPath(ns))) return [];
  const out = await sh('ip', ['-n', ns, 'netns', 'list-id']).catch(() => '');
  return [...out.matchAll(/iproute2 netns name: (\S+)\)/g)].map((m) => m[1]!).filter((n) => n !== ns);
}

function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** Pids of host processes listening on a unix socket in the slot's run directory (socat relays). */
function hostRelays(runDir: string): number[] {
  const out: number[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`UNIX-LISTEN:${runDir}/`)) out.push(Number(pid));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/** SIGKILLs every process in the namespace until none is left (bounded: a few rounds). */
async function emptyNetns(ns: string): Promise<void> {
  for (let round = 0; round < 50; round++) {
    const pids = await netnsPids(ns);
    if (pids.length === 0) return;
    killAll(pids);
    await new Promise<void>((r) => setImmediate(r));
  }
}

/** Mount points below any of `dirs`, deepest first. */
export function mountsUnder(dirs: string[]): string[] {
  const text = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  const points = text
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => !!p)
    .map((p) => p.replace(/\\040/g, ' '));
  const roots = dirs.map((d) => path.resolve(d));
  return [...new Set(points.filter((p) => roots.some((r) => p === r || p.startsWith(`${r}/`))))].sort((a, b) => b.length - a.length);
}

export async function unmountUnder(dirs: string[]): Promise<void> {
  for (let round = 0; round < 5; round++) {
    const points = mountsUnder(dirs);
    if (points.length === 0) return;
    for (const p of points) await quiet(sh('umount', ['-l', p]));
  }
}

/** The node's cgroup trees (kubelet's cgroupRoot) in every cgroup v1 hierarchy and in cgroup v2. */
export function cgroupDirs(name: string): string[] {
  const root = '/sys/fs/cgroup';
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(root);
  } catch {
    return [];
  }
  const dirs = entries.map((e) => path.join(root, e, name));
  dirs.push(path.join(root, name));
  return dirs.filter((d) => fs.existsSync(d));
}

function rmdirTree(dir: string): void {
  let entries: fs.Dirent[] = [];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory()) rmdirTree(path.join(dir, e.name));
  try {
    fs.rmdirSync(dir);
  } catch {
    /* still busy or gone */
  }
}

/**
 * Removes everything of a node from the machine, whatever state it is in (running, killed,
 * half-built): every process in its namespace and its pods' namespaces, mounts under its
 * directories, the pod namespaces, its own namespace (its veth pair, bridge and iptables chains
 * go with it), its cgroups. Idempotent.
 */
export async function teardownNetworkAndLeftovers(s: NodeSlot, dirs: string[]): Promise<void> {
  const pods = await podNetnses(s.netns);
  // The host halves of the relays (in the host namespace) of an owner that died without stopping them.
  killAll(hostRelays(s.runDir));
  await emptyNetns(s.netns);
  for (const p of pods) await emptyNetns(p);
  await unmountUnder([...dirs, s.runDir, s.dataDir]);
  for (const p of pods) await quiet(sh('ip', ['netns', 'delete', p]));
  if (fs.existsSync(netnsPath(s.netns))) await quiet(sh('ip', ['netns', 'delete', s.netns]));
  await quiet(sh('ip', ['link', 'delete', s.hostVeth]).catch(() => undefined));
  for (const d of cgroupDirs(s.netns)) rmdirTree(d);
  fs.rmSync(s.runDir, { recursive: true, force: true });
  // Only once nothing is mounted below it any more (rm would otherwise descend into mounts).
  if (mountsUnder([s.dataDir]).length === 0) fs.rmSync(s.dataDir, { recursive: true, force: true });
}
