import fs from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * What a real node needs from the machine: Linux, root (network namespaces, mounts, cgroups,
 * iptables), and programs from Debian packages. Missing packages are installed with apt-get when
 * running as root where apt-get exists; otherwise one line says what is missing and how to get it.
 */
const execFileP = promisify(execFile);

/** Debian package -> a file it installs that proves it is there. */
export const NODE_PACKAGES: Record<string, string> = {
  containerd: 'containerd',
  runc: 'runc',
  'containernetworking-plugins': '/usr/lib/cni/bridge',
  iptables: 'iptables',
  iproute2: 'ip',
  socat: 'socat',
  'util-linux': 'nsenter',
};

export interface PrereqProbe {
  platform: NodeJS.Platform;
  uid: number;
  /** Whether a program (bare name: on PATH) or absolute file exists. */
  has(fileOrProgram: string): boolean;
}

const PATH_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export const machineProbe: PrereqProbe = {
  platform: process.platform,
  uid: process.getuid?.() ?? -1,
  has(f) {
    const candidates = f.startsWith('/') ? [f] : [...(process.env.PATH ?? '').split(':').filter(Boolean), ...PATH_DIRS].map((d) => `${d}/${f}`);
    return candidates.some((c) => {
      try {
        fs.accessSync(c, fs.constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
  },
};

export type PrereqVerdict =
  | { ok: true }
  /** `install`: the missing packages can be installed here (root with apt-get). */
  | { ok: false; reason: string; missing: string[]; install: boolean };

/** Pure: what the machine lacks for a node. */
export function checkNodePrereqs(probe: PrereqProbe = machineProbe): PrereqVerdict {
  if (probe.platform !== 'linux') return { ok: false, reason: `nodes need Linux (this is ${probe.platform})`, missing: [], install: false };
  if (probe.uid !== 0) return { ok: false, reason: 'nodes need root (network namespaces, mounts, cgroups, iptables): run as root', missing: [], install: false };
  const missing = Object.entries(NODE_PACKAGES)
    .filter(([, file]) => !probe.has(file))
    .map(([pkg]) => pkg);
  if (missing.length === 0) return { ok: true };
  const install = probe.has('apt-get');
  const how = install ? 'they can be installed with apt-get' : `install them with your package manager (Debian: apt-get install -y ${missing.join(' ')})`;
  return { ok: false, reason: `nodes need the packages ${missing.join(', ')}; ${how}`, missing, install };
}

/**
 * Inotify instances one user may hold, machine-wide. Each kubelet takes 6 (cAdvisor, certificate
 * and config watchers), each control plane 7 (apiserver 3, controller manager 4), containerd and
 * kube-proxy 1 each: Linux's default of 128 lasts about eight clusters with nodes, and then a
 * starting kubelet exits with "Failed to start cAdvisor: inotify_init: too many open files".
 */
export const INOTIFY_INSTANCES = 1024;

/** fs.inotify.max_user_instances, read and raised (root only). */
export interface InotifyLimit {
  get(): number;
  set(n: number): void;
}

const INOTIFY_SYSCTL = '/proc/sys/fs/inotify/max_user_instances';
export const machineInotify: InotifyLimit = {
  get: () => Number(fs.readFileSync(INOTIFY_SYSCTL, 'utf8').trim()),
  set: (n) => fs.writeFileSync(INOTIFY_SYSCTL, `${n}\n`),
};

/** Inotify instances open by processes of this user now (each shows as an anon_inode:inotify descriptor). */
export function inotifyInUse(uid = process.getuid?.() ?? 0): number {
  let n = 0;
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (fs.statSync(`/proc/${pid}`).uid !== uid) continue;
      for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === 'anon_inode:inotify') n++;
    } catch {
      /* exited meanwhile */
    }
  }
  return n;
}

export interface EnsureDeps {
  probe?: PrereqProbe;
  inotify?: InotifyLimit;
  /** Runs a command (default: execFile); rejects on a non-zero exit. */
  run?: (cmd: string, args: string[]) => Promise<void>;
  log?: (line: string) => void;
}

const defaultRun = async (cmd: string, args: string[]) => {
  await execFileP(cmd, args, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, maxBuffer: 64 * 1024 * 1024 });
};

/**
 * Makes the machine able to run nodes: installs missing packages when it can (one log line),
 * otherwise returns the one line that says why it cannot. Resolves to undefined when ready.
 */
export async function ensureNodePrereqs(deps: EnsureDeps = {}): Promise<string | undefined> {
  const probe = deps.probe ?? machineProbe;
  const log = deps.log ?? ((l) => process.stderr.write(`${l}\n`));
  const first = checkNodePrereqs(probe);
  if (first.ok) return ensureInotify(deps.inotify ?? machineInotify, log);
  if (!first.install) return first.reason;
  log(`installing ${first.missing.join(' ')} with apt-get (needed by nodes)`);
  const run = deps.run ?? defaultRun;
  try {
    // Another apt-get (another session, another test process) may hold the dpkg lock: wait for it.
    const lock = ['-o', 'DPkg::Lock::Timeout=600'];
    await run('apt-get', [...lock, 'update', '-q']);
    await run('apt-get', [...lock, 'install', '-y', '-q', '--no-install-recommends', ...first.missing]);
  } catch (err) {
    return `nodes need the packages ${first.missing.join(', ')}; apt-get install failed: ${((err as Error).message.split('\n')[0] ?? '').trim()}`;
  }
  const again = checkNodePrereqs(probe);
  return again.ok ? ensureInotify(deps.inotify ?? machineInotify, log) : again.reason;
}

/** Raises fs.inotify.max_user_instances to INOTIFY_INSTANCES (never lowers it); one log line when it does. */
export function ensureInotify(limit: InotifyLimit, log: (line: string) => void): string | undefined {
  try {
    const now = limit.get();
    if (now >= INOTIFY_INSTANCES) return undefined;
    limit.set(INOTIFY_INSTANCES);
    log(`raised fs.inotify.max_user_instances from ${now} to ${INOTIFY_INSTANCES} (each node's kubelet needs 6; the default runs out at about eight clusters)`);
    return undefined;
  } catch (err) {
    return `nodes need fs.inotify.max_user_instances of at least ${INOTIFY_INSTANCES} and it could not be raised (${(err as Error).message}): run sysctl -w fs.inotify.max_user_instances=${INOTIFY_INSTANCES}`;
  }
}
