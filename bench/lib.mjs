// Shared helpers of `npm run bench`: private control planes (the real ones from dist/sandbox),
// running the built CLI, timing, statistics and process footprints read from /proc.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import 'reflect-metadata';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin', 'ocmadm');

const { startCluster } = await import(path.join(ROOT, 'dist/sandbox/cluster.js'));
const host = await import(path.join(ROOT, 'dist/runtime/host/index.js'));

/** Starts named control planes; returns them with a state dir for local runtimes and a stop(). */
/** Fleets not yet stopped (their env and clusters): an interrupted bench kills what they run. */
const liveFleets = new Map();

/**
 * For a signal handler: kills (SIGKILL) the local runtimes of every fleet still running, then the
 * control planes (`killControlPlanes`), then removes the fleets' state and cluster directories.
 */
export function interruptFleetsSync(killControlPlanes) {
  for (const [env] of liveFleets) {
    for (const kind of ['klusterlet', 'hub-controller']) {
      for (const r of host.listLocalRuntimes(kind, env)) {
        try {
          if (r.running && r.pid) process.kill(r.pid, 'SIGKILL');
        } catch {
          /* gone meanwhile */
        }
      }
    }
  }
  killControlPlanes();
  for (const [env, clusters] of liveFleets) {
    for (const dir of [env.OCMADM_STATE_DIR, ...Object.values(clusters).map((c) => c.dir)]) fs.rmSync(dir, { recursive: true, force: true });
  }
  liveFleets.clear();
}

export async function fleet(names) {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocmadm-bench-'));
  const env = { ...process.env, OCMADM_STATE_DIR: stateDir, NO_COLOR: '1' };
  const clusters = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await startCluster({ name: `bench-${n}` })])));
  liveFleets.set(env, clusters);
  return {
    clusters,
    env,
    stateDir,
    cli: (name, args) => run(['--kubeconfig', clusters[name].adminKubeconfigPath, ...args], env),
    async stop() {
      for (const kind of ['klusterlet', 'hub-controller']) {
        for (const r of host.listLocalRuntimes(kind, env)) await host.stopLocalRuntime(kind, r.instance, { env, graceMs: 3000 });
      }
      liveFleets.delete(env);
      await Promise.all(Object.values(clusters).map((c) => c.stop()));
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** The fleet's local runtimes (`ocmadm runtime list -o json`): kind, instance, pid, log. */
export async function localRuntimes(env) {
  return JSON.parse((await mustRun(['runtime', 'list', '-o', 'json'], env)).stdout).items;
}

/** Runs the built CLI; resolves with code, stdout, stderr and wall milliseconds. */
export const run = (args, env = process.env) => runProgram(process.execPath, [CLI, ...args], env);

/** Runs a program; resolves with code, stdout, stderr and wall milliseconds. */
export function runProgram(file, args, env = process.env) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
  });
}

export async function mustRun(args, env) {
  const r = await run(args, env);
  if (r.code !== 0) throw new Error(`ocmadm ${args.join(' ')} exited ${r.code}: ${r.stderr.trim().split('\n').pop()}`);
  return r;
}

/** Median, min and max of a list of numbers, rounded. */
export function stats(values, digits = 0) {
  const v = [...values].sort((a, b) => a - b);
  const round = (x) => Number(x.toFixed(digits));
  const median = v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  return { median: round(median), min: round(v[0]), max: round(v[v.length - 1]), n: v.length };
}

export function percentile(values, p) {
  const v = [...values].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.ceil((p / 100) * v.length) - 1)];
}

/** Resident memory (MiB) of a process, from /proc. */
export function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** USER_HZ: 100 on every Linux Node.js runs on (it is not exposed to JavaScript). */
const CLOCK_TICKS = 100;

/** CPU seconds (user + system) a process has used, from /proc. */
export function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Share of one core a process used over a window of `ms` milliseconds (the window is the measurement). */
export async function cpuShare(pid, ms) {
  const a = cpuSeconds(pid);
  await new Promise((r) => setTimeout(r, ms));
  return (cpuSeconds(pid) - a) / (ms / 1000);
}

export const machine = () => ({
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.versions.node,
  kernel: os.release(),
});
