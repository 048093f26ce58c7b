/**
 * Where a sandbox lives and what it records: everything under
 * <state root>/sandboxes/<name>/ (control-plane data and PKI, logs, the local runtimes' state,
 * the kubeconfig), described by sandbox.json. The record is written as each process spawns, so
 * `down` finds every process even when `up` itself was killed half-way.
 */
import fs from 'node:fs';
import path from 'node:path';
import { stateRoot, writeSecretFile } from '../../runtime/host/state.js';
import { isRunning, startTicks, type ProcessRecord } from '../../sandbox/detached.js';

export type Role = 'hub' | 'spoke';

export interface SandboxCluster {
  role: Role;
  /** The kubeconfig context, `<sandbox>-hub`, `<sandbox>-spoke1`, ... */
  context: string;
  /** The ManagedCluster name of a spoke on the hub. */
  clusterName?: string;
  /** Set once the control plane is ready. */
  server?: string;
  caFile?: string;
  adminKubeconfig?: string;
  version?: string;
  processes: ProcessRecord[];
}

export interface SandboxRecord {
  name: string;
  createdAt: string;
  bare: boolean;
  kubeconfig: string;
  /** OCMADM_STATE_DIR of the sandbox's local runtimes. */
  stateDir: string;
  /** The `sandbox up` that is (or was) building it: while it runs, the sandbox is starting. */
  up: { pid: number; startTicks?: number };
  /** Set when up finished: every cluster was ready (and, unless bare, Joined and Available). */
  readyAt?: string;
  availableAfterMs?: number;
  /** 1: every cluster has a real node, fed by the sandbox's local registry. */
  nodes?: 0 | 1;
  /** The local registry (nodes: 1), recorded as it spawns. */
  registry?: ProcessRecord & { address?: string };
  /** Where the spokes joined (nodes: 1): the hub's node IP, relayed onto each spoke's node. */
  hubUrl?: string;
  clusters: SandboxCluster[];
}

export const RECORD_FILE = 'sandbox.json';

export function sandboxesRoot(env: NodeJS.ProcessEnv): string {
  return path.join(stateRoot(env), 'sandboxes');
}

export function sandboxDir(name: string, env: NodeJS.ProcessEnv): string {
  return path.join(sandboxesRoot(env), name);
}

/** The environment the sandbox's commands run with: its own state directory for local runtimes. */
export function sandboxEnv(rec: Pick<SandboxRecord, 'stateDir'>, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, OCMADM_STATE_DIR: rec.stateDir };
}

export function newRecord(name: string, dir: string, spokes: number, bare: boolean): SandboxRecord {
  const clusters: SandboxCluster[] = [{ role: 'hub', context: `${name}-hub`, processes: [] }];
  for (let i = 1; i <= spokes; i++) clusters.push({ role: 'spoke', context: `${name}-spoke${i}`, clusterName: `spoke${i}`, processes: [] });
  return {
    name,
    createdAt: new Date().toISOString(),
    bare,
    kubeconfig: path.join(dir, 'kubeconfig'),
    stateDir: path.join(dir, 'state'),
    up: { pid: process.pid, startTicks: startTicks(process.pid) },
    clusters,
  };
}

/** Written whole and atomically (0600: it names key files). */
export function writeRecord(dir: string, rec: SandboxRecord): void {
  writeSecretFile(path.join(dir, RECORD_FILE), `${JSON.stringify(rec, null, 2)}\n`);
}

/** The record, or undefined when missing or unreadable (a sandbox killed while being created). */
export function readRecord(dir: string): SandboxRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, RECORD_FILE), 'utf8')) as SandboxRecord;
  } catch {
    return undefined;
  }
}

/** Names of the sandboxes on this machine (directories under the sandboxes root). */
export function sandboxNames(env: NodeJS.ProcessEnv): string[] {
  const root = sandboxesRoot(env);
  try {
    return fs
      .readdirSync(root, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/** Whether the `sandbox up` that made the record is still at work. */
export function upRunning(rec: SandboxRecord): boolean {
  return !rec.readyAt && isRunning({ component: 'sandbox up', pid: rec.up.pid, startTicks: rec.up.startTicks, logFile: '' });
}
