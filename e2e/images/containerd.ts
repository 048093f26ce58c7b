/**
 * A private containerd for the image e2e tests: its own root, state, socket, runc root and
 * registry hosts under one temporary directory, nothing in /run/containerd, /var/lib/containerd
 * or /opt/containerd; `ctr` against it; and what must be gone after it stops.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { startComponent, type Component } from '../../src/sandbox/process.js';
import { waitForCondition } from '../../src/sandbox/readiness.js';

const execFileP = promisify(execFile);

export interface PrivateContainerd {
  dir: string;
  socket: string;
  hostsDir: string;
  cgroupParent: string;
  proc: Component;
  /** Runs `ctr -a <socket> -n k8s.io ARGS`; rejects with its stderr on a non-zero exit. */
  ctr(args: string[]): Promise<{ stdout: string; stderr: string }>;
  /** `ctr` as a child process (for a container that runs until it is signalled). */
  spawnCtr(args: string[]): ReturnType<typeof spawn>;
  stop(): Promise<void>;
}

export function containerdConfig(dir: string): string {
  const q = JSON.stringify;
  return `version = 2
root = ${q(path.join(dir, 'root'))}
state = ${q(path.join(dir, 'state'))}
# Plugins that would write to shared places (/opt/containerd) or need other filesystems.
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.overlayfs"]
[grpc]
  address = ${q(path.join(dir, 'containerd.sock'))}
[ttrpc]
  address = ${q(path.join(dir, 'containerd.sock.ttrpc'))}
[metrics]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.10.2"
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "native"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = ${q(path.join(dir, 'certs.d'))}
`;
}

export async function startContainerd(dir: string): Promise<PrivateContainerd> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const config = path.join(dir, 'containerd.toml');
  fs.writeFileSync(config, containerdConfig(dir));
  const socket = path.join(dir, 'containerd.sock');
  const hostsDir = path.join(dir, 'certs.d');
  const runcRoot = path.join(dir, 'runc');
  const cgroupParent = `ocmadm-e2e-images-${process.pid}`;
  const proc = startComponent('containerd', '/usr/bin/containerd', ['--config', config], path.join(dir, 'containerd.log'));
  const base = ['-a', socket, '-n', 'k8s.io'];
  const ctr = async (args: string[]) => {
    try {
      return await execFileP('ctr', [...base, ...withRuncRoot(args, runcRoot)], { maxBuffer: 16 << 20 });
    } catch (err) {
      const e = err as Error & { stderr?: string };
      throw new Error(`ctr ${args.join(' ')}: ${(e.stderr ?? e.message).trim()}`);
    }
  };
  await waitForCondition('containerd to serve its socket', async () => (await ctr(['version'])).stdout.includes('Server:'), {
    deadline: Date.now() + 60_000,
    watch: [proc],
  });
  return {
    dir,
    socket,
    hostsDir,
    cgroupParent,
    proc,
    ctr,
    spawnCtr: (args) => spawn('ctr', [...base, ...withRuncRoot(args, runcRoot)], { stdio: ['ignore', 'pipe', 'pipe'] }),
    stop: () => proc.stop(),
  };
}

/**
 * `ctr run` keeps runc's state and its IO fifos under our directory instead of /run/containerd.
 * (containerd 1.6 shims still put their sockets in /run/containerd/s, removed when they exit.)
 */
function withRuncRoot(args: string[], runcRoot: string): string[] {
  const fifo = ['--fifo-dir', path.join(path.dirname(runcRoot), 'fifo')];
  if (args[0] === 'run') return ['run', '--runc-root', runcRoot, ...fifo, ...args.slice(1)];
  if (args[0] === 'tasks' && args[1] === 'exec') return ['tasks', 'exec', ...fifo, ...args.slice(2)];
  return args;
}

/** Mount points at or below `dir` (from /proc/self/mountinfo). */
export function mountsUnder(dir: string): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m === dir || m.startsWith(dir + '/'));
}

/** Processes whose command line mentions `needle` (the shims name our socket's directory). */
export function processesMentioning(needle: string): string[] {
  const out: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(needle) && Number(pid) !== process.pid) out.push(`${pid} ${cmd.trim()}`);
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/** cgroup directories named `name` in any hierarchy (v1: one per controller). */
export function cgroupDirs(name: string): string[] {
  const root = '/sys/fs/cgroup';
  const found: string[] = [];
  const candidates = [path.join(root, name), ...fs.readdirSync(root).map((h) => path.join(root, h, name))];
  for (const c of candidates) if (fs.existsSync(c)) found.push(c);
  return found;
}

/** Removes the (empty) cgroup directories of `name`, deepest first. */
export function removeCgroups(name: string): void {
  for (const dir of cgroupDirs(name)) {
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
      fs.rmdirSync(d);
    };
    walk(dir);
  }
}

export async function runIn(cmd: string, args: string[]): Promise<string> {
  return (await execFileP(cmd, args)).stdout;
}
