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

export interface EnsureDeps {
  probe?: PrereqProbe;
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
  const first = checkNodePrereqs(probe);
  if (first.ok) return undefined;
  if (!first.install) return first.reason;
  (deps.log ?? ((l) => process.stderr.write(`${l}\n`)))(`installing ${first.missing.join(' ')} with apt-get (needed by nodes)`);
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
  return again.ok ? undefined : again.reason;
}
