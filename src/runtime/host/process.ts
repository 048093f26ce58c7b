import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runtimeDir, writeSecretFile, type RuntimeKind } from './state.js';
import { RUNTIME_NODE_FLAGS } from '../node-flags.js';

const ENTRYPOINTS: Record<RuntimeKind, string> = {
  'hub-controller': '../hub/main.js',
  klusterlet: '../klusterlet/main.js',
};

export interface LocalRuntimeSpec {
  kind: RuntimeKind;
  /** Instance name: the hub's context/server key, or the managed cluster name. */
  instance: string;
  /** Kubeconfig of the runtime's own least-privilege identity; written 0600 into the state dir. */
  kubeconfig: string;
  /** Extra arguments for the entrypoint; `--kubeconfig <state>/kubeconfig` is added first. */
  args: string[];
  env?: NodeJS.ProcessEnv;
}

export interface LocalRuntimeInfo {
  kind: RuntimeKind;
  instance: string;
  dir: string;
  pid?: number;
  running: boolean;
  logFile: string;
  kubeconfigFile: string;
  startedAt?: string;
}

interface PidRecord {
  pid: number;
  startedAt: string;
  args: string[];
}

const files = (dir: string) => ({
  pid: path.join(dir, 'pid.json'),
  log: path.join(dir, 'runtime.log'),
  kubeconfig: path.join(dir, 'kubeconfig'),
});

/** Whether a process with this pid exists (signal 0 probes without killing). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed process whose parent never reaps it lingers as a zombie: it is not running.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

export function localRuntimeInfo(kind: RuntimeKind, instance: string, env?: NodeJS.ProcessEnv): LocalRuntimeInfo {
  const dir = runtimeDir(kind, instance, env);
  const f = files(dir);
  const rec = readPid(f.pid);
  return {
    kind,
    instance,
    dir,
    pid: rec?.pid,
    running: !!rec && isAlive(rec.pid),
    logFile: f.log,
    kubeconfigFile: f.kubeconfig,
    startedAt: rec?.startedAt,
  };
}

/**
 * Starts (or restarts) a runtime as a detached process that outlives the CLI: its own session,
 * output appended to runtime.log, pid recorded in pid.json. Idempotent: a running instance is
 * stopped first so the new kubeconfig and flags take effect.
 */
export async function startLocalRuntime(spec: LocalRuntimeSpec): Promise<LocalRuntimeInfo> {
  const dir = runtimeDir(spec.kind, spec.instance, spec.env);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  await stopLocalRuntime(spec.kind, spec.instance, { env: spec.env });
  const f = files(dir);
  writeSecretFile(f.kubeconfig, spec.kubeconfig);
  const entry = fileURLToPath(new URL(ENTRYPOINTS[spec.kind], import.meta.url));
  const flags = ['--kubeconfig', f.kubeconfig, ...spec.args];
  const log = fs.openSync(f.log, 'a', 0o600);
  const child = spawn(process.execPath, [...RUNTIME_NODE_FLAGS[spec.kind], entry, ...flags], {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...(spec.env ?? process.env) },
    cwd: dir,
  });
  fs.closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start the ${spec.kind} runtime`);
  child.unref();
  const rec: PidRecord = { pid, startedAt: new Date().toISOString(), args: flags };
  fs.writeFileSync(f.pid, JSON.stringify(rec), { mode: 0o600 });
  return localRuntimeInfo(spec.kind, spec.instance, spec.env);
}

/**
 * Stops a local runtime: SIGTERM (graceful: it releases its leases), SIGKILL after `graceMs`.
 * Returns true when a process was running. Waits on the process's exit, not a fixed sleep.
 */
export async function stopLocalRuntime(
  kind: RuntimeKind,
  instance: string,
  opts: { graceMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<boolean> {
  const dir = runtimeDir(kind, instance, opts.env);
  const f = files(dir);
  const rec = readPid(f.pid);
  if (!rec || !isAlive(rec.pid)) {
    fs.rmSync(f.pid, { force: true });
    return false;
  }
  signal(rec.pid, 'SIGTERM');
  if (!(await waitForExit(rec.pid, opts.graceMs ?? 10_000))) {
    signal(rec.pid, 'SIGKILL');
    await waitForExit(rec.pid, 5_000);
  }
  fs.rmSync(f.pid, { force: true });
  return true;
}

/** Stops the runtime and deletes its state directory (credentials included). */
export async function removeLocalRuntime(kind: RuntimeKind, instance: string, env?: NodeJS.ProcessEnv): Promise<boolean> {
  const stopped = await stopLocalRuntime(kind, instance, { env });
  fs.rmSync(runtimeDir(kind, instance, env), { recursive: true, force: true });
  return stopped;
}

/** All instances of a kind that have a state directory. */
export function listLocalRuntimes(kind: RuntimeKind, env?: NodeJS.ProcessEnv): LocalRuntimeInfo[] {
  const root = path.dirname(runtimeDir(kind, 'x', env));
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .filter((n) => fs.statSync(path.join(root, n)).isDirectory())
    .map((n) => localRuntimeInfo(kind, n, env));
}

function readPid(file: string): PidRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as PidRecord;
  } catch {
    return undefined;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig); // the whole process group (detached child leads its own)
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      /* already gone */
    }
  }
}

/** Resolves true once the pid is gone, false at the deadline. Exit of a non-child can only be probed. */
async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  let delay = 10;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 200);
  }
  return !isAlive(pid);
}
