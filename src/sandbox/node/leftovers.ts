import fs from 'node:fs';
import path from 'node:path';
import { cgroupDirs, mountsUnder, netnsPath, podNetnses, sh } from './network.js';
import { claimedSlots, readSlotOwner, RUN_ROOT, slotAddresses } from './slot.js';

/**
 * What clusters and their nodes left on the machine, seen from outside: processes, mounts,
 * network namespaces, veths, cgroups, slots, run and data directories, host iptables chains and
 * rules. One line per leftover; none when everything is gone. Used after `sandbox down` and a
 * cluster stop (e2e/nodes) and after the whole e2e run (its global teardown).
 *
 * "Ours" is told by directories (a sandbox's, a cluster's or the run's), an environment entry
 * every process of the run inherits, the node slots we held and a snapshot taken before; never
 * by a program's name alone: other runs on this machine start the same programs at the same time.
 */

/** Chains that kube-proxy, kubelet and the CNI plugins (bridge, portmap) create: only ever in a node's namespace. */
export const OUR_CHAIN = /^(KUBE-|CNI-)/;

/** `<family> <table> <chain>` for every chain that iptables-save output declares. */
export function iptablesChains(save: string, family = 'ip'): string[] {
  let table = '';
  const out: string[] = [];
  for (const line of save.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1).trim();
    else if (line.startsWith(':')) out.push(`${family} ${table} ${line.slice(1).split(' ')[0]}`);
  }
  return out;
}

/** Pure: chains of the kinds we create that are in `after` and were not in `before` (anything else on the machine is not ours). */
export function newChainsOfOurs(before: string[], after: string[]): string[] {
  const was = new Set(before);
  return after.filter((c) => !was.has(c) && OUR_CHAIN.test(c.split(' ')[2] ?? ''));
}

/** Pure: rules (`-A` lines) of iptables-save output with an address starting with one of `prefixes` (`10.214.3.`, `10.213.0.14/`). */
export function rulesNaming(save: string, prefixes: string[]): string[] {
  const starts = (l: string, p: string) => l.split(/[\s,!]+/).some((w) => w.startsWith(p));
  return save.split('\n').filter((l) => l.startsWith('-A ') && prefixes.some((p) => starts(l, p)));
}

/**
 * The host's iptables as each installed backend sees it (nft, and legacy only where its
 * tables are already loaded: reading them must not load kernel modules). Tagged by family.
 */
export async function hostIptables(): Promise<{ family: string; text: string }[]> {
  const loaded = (f: string) => {
    try {
      return fs.readFileSync(f, 'utf8').trim() !== '';
    } catch {
      return false;
    }
  };
  const saves: [string, string, boolean][] = [
    ['ip', 'iptables-nft-save', true],
    ['ip6', 'ip6tables-nft-save', true],
    ['ip-legacy', 'iptables-legacy-save', loaded('/proc/net/ip_tables_names')],
    ['ip6-legacy', 'ip6tables-legacy-save', loaded('/proc/net/ip6_tables_names')],
  ];
  const out: { family: string; text: string }[] = [];
  for (const [family, cmd, read] of saves) if (read) out.push({ family, text: await sh(cmd, []).catch(() => '') });
  return out;
}

export const hostChains = (saves: { family: string; text: string }[]) => saves.flatMap((s) => iptablesChains(s.text, s.family));

/** The machine before a test or a run: what was already there is not ours. */
export interface HostSnapshot {
  chains: string[];
  /** Names in /run/netns. */
  netns: string[];
}

const netnsNames = () => {
  try {
    return fs.readdirSync('/run/netns');
  } catch {
    return [];
  }
};

export async function hostSnapshot(): Promise<HostSnapshot> {
  return { chains: hostChains(await hostIptables()), netns: netnsNames() };
}

export interface Ours {
  /** Directories of ours: a process naming one, a mount below one, a slot held for a cluster inside one. */
  dirs: string[];
  /** Environment entries (NAME=value) that mark a process as ours: every process of a run inherits them. */
  env?: string[];
  /** The node slots we held, each with the cluster directory it was held for. */
  slots?: { slot: number; dir: string }[];
  /** Pod namespaces (cni-...) our nodes had; they must be gone. */
  podNetns?: string[];
  /** Given: chains of ours new since, and pod namespaces new since that no live node holds, are leftovers. */
  before?: HostSnapshot;
}

const under = (p: string, dirs: string[]) => dirs.some((d) => p === d || p.startsWith(`${d}/`));

/** This process and its ancestors (they carry the run's environment and are not leftovers). */
function selfAndAncestors(): Set<number> {
  const out = new Set<number>();
  for (let pid = process.pid; pid > 1 && !out.has(pid); ) {
    out.add(pid);
    try {
      // Field 4 of /proc/<pid>/stat, after the parenthesised command name.
      pid = Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]);
    } catch {
      break;
    }
  }
  return out;
}

function readProc(pid: string, file: string): string {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return ''; // exited meanwhile, or a kernel thread
  }
}

/** Every process that names one of `dirs` or `needles`, or carries one of `env` (the caller and its ancestors excepted). */
function processesOf(dirs: string[], needles: string[], env: string[]): string[] {
  const skip = selfAndAncestors();
  const out: string[] = [];
  if (!fs.existsSync('/proc')) return out; // not Linux: no node ran here
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (skip.has(Number(pid))) continue;
    const args = readProc(pid, 'cmdline').split('\0').join(' ').trim();
    if (!args) continue;
    const named = dirs.some((d) => args.includes(d)) || needles.some((n) => args.includes(n));
    const marked = !named && env.length > 0 && readProc(pid, 'environ').split('\0').some((e) => env.includes(e));
    if (named || marked) out.push(`process ${pid} ${args.slice(0, 200)}`);
  }
  return out;
}

/** Everything of ours still on the machine, one line each. */
export async function leftovers(o: Ours): Promise<string[]> {
  const dirs = o.dirs.map((d) => path.resolve(d));
  const left: string[] = [];
  // Slots held for a cluster of ours (whether or not the caller knew about it).
  const slots = new Map<number, string>((o.slots ?? []).map((s) => [s.slot, s.dir]));
  for (const s of claimedSlots()) {
    const owner = readSlotOwner(s);
    if (owner && (under(owner.dir, dirs) || slots.get(s) === owner.dir)) {
      left.push(`slot ${s} held for ${owner.dir}`);
      slots.set(s, owner.dir);
    }
  }
  // A slot freed by us may already be another cluster's: then its names and addresses are that cluster's.
  const mine = [...slots].filter(([s, dir]) => {
    const owner = readSlotOwner(s);
    return !owner || owner.dir === dir || under(owner.dir, dirs);
  }).map(([s]) => slotAddresses(s));
  const needles = mine.flatMap((s) => [`${s.runDir}/`, `${s.dataDir}/`, `${netnsPath(s.netns)} `]);
  left.push(...processesOf(dirs, needles, o.env ?? []));
  for (const m of mountsUnder([...dirs, ...mine.flatMap((s) => [s.runDir, s.dataDir])])) left.push(`mount ${m}`);
  const links = await sh('ip', ['-o', 'link', 'show']).catch(() => ''); // no iproute2: no node ran here
  const saves = await hostIptables();
  for (const s of mine) {
    if (fs.existsSync(netnsPath(s.netns))) left.push(`network namespace ${s.netns}`);
    if (links.includes(`${s.hostVeth}@`)) left.push(`veth ${s.hostVeth}`);
    for (const d of cgroupDirs(s.netns)) left.push(`cgroup ${d}`);
    if (fs.existsSync(s.runDir)) left.push(`run dir ${s.runDir}`);
    if (fs.existsSync(s.dataDir)) left.push(`data dir ${s.dataDir}`);
    // The host's firewall never holds a rule of ours: the node's live in its own namespace.
    for (const sv of saves) for (const r of rulesNaming(sv.text, [s.podCidr.replace(/0\/24$/, ''), `${s.nodeIp}/`])) left.push(`host iptables rule (${sv.family}) ${r}`);
  }
  for (const p of o.podNetns ?? []) if (fs.existsSync(netnsPath(p))) left.push(`pod network namespace ${p}`);
  if (o.before) {
    for (const c of newChainsOfOurs(o.before.chains, hostChains(saves))) left.push(`host iptables chain ${c}`);
    left.push(...unheldNodeNetns(o.before.netns, links, new Set(mine.map((s) => s.slot))));
    left.push(...(await orphanPodNetns(o.before.netns, o.podNetns ?? [])));
  }
  return left;
}

/**
 * Node namespaces and veths (ocmadm-n<s>, ocmadm-h<s>) that appeared since and whose slot nobody
 * holds: a node's network exists only while its slot is claimed (built after the claim, removed
 * before the release), so these were left by a teardown (a slot being reclaimed counts as held).
 */
function unheldNodeNetns(before: string[], links: string, reported: Set<number>): string[] {
  // Names first, slots second, names again: another run's node is claimed before it is built and
  // removed before it is released, so what is there on both sides of the slot read is unheld.
  const names = netnsNames();
  let slotDirs: string[] = [];
  try {
    slotDirs = fs.readdirSync(path.join(RUN_ROOT, 'slots'));
  } catch {
    /* no slot ever claimed */
  }
  const held = (s: string) => reported.has(Number(s)) || slotDirs.some((d) => d === s || d.startsWith(`${s}.stale-`));
  const out: string[] = [];
  for (const n of names) {
    const m = /^ocmadm-n(\d+)$/.exec(n);
    if (m && !before.includes(n) && !held(m[1]!) && fs.existsSync(netnsPath(n))) out.push(`network namespace ${n} (appeared meanwhile; its slot is free)`);
  }
  for (const m of links.matchAll(/^\d+: (ocmadm-h(\d+))@/gm)) {
    if (!held(m[2]!) && !before.includes(`ocmadm-n${m[2]}`) && fs.existsSync(`/sys/class/net/${m[1]}`)) out.push(`veth ${m[1]} (its slot is free)`);
  }
  return out;
}

/** Pod namespaces (cni-...) that appeared since `before` and that no live node's namespace holds. */
async function orphanPodNetns(before: string[], known: string[]): Promise<string[]> {
  const names = netnsNames();
  const fresh = names.filter((n) => n.startsWith('cni-') && !before.includes(n) && !known.includes(n));
  if (fresh.length === 0) return [];
  const held = new Set((await Promise.all(names.filter((n) => n.startsWith('ocmadm-n')).map((n) => podNetnses(n)))).flat());
  return fresh.filter((n) => !held.has(n) && fs.existsSync(netnsPath(n))).map((n) => `pod network namespace ${n} (appeared meanwhile; no node holds it)`);
}
