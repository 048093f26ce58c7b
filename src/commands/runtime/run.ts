/**
 * `ocmadm runtime list|stop`: the local runtimes (hub controllers and klusterlets started with
 * `--runtime local`) on this machine, read from the state directory; no cluster is contacted.
 */
import fs from 'node:fs';
import yaml from 'js-yaml';
import { CliError, UsageError } from '../../cli/errors.js';
import { listLocalRuntimes, localRuntimeInfo, stopLocalRuntime, type LocalRuntimeInfo } from '../../runtime/host/index.js';
import type { RuntimeKind } from '../../runtime/host/state.js';

export const KINDS: readonly RuntimeKind[] = ['hub-controller', 'klusterlet'];

export interface RuntimeRow {
  kind: RuntimeKind;
  name: string;
  /** The API server the runtime talks to (from its kubeconfig). */
  server?: string;
  pid?: number;
  status: 'running' | 'stopped';
  startedAt?: string;
  log: string;
}

function serverOf(kubeconfigFile: string): string | undefined {
  try {
    const kc = yaml.load(fs.readFileSync(kubeconfigFile, 'utf8')) as { clusters?: { cluster?: { server?: string } }[] };
    return kc.clusters?.[0]?.cluster?.server;
  } catch {
    return undefined;
  }
}

const row = (i: LocalRuntimeInfo): RuntimeRow => ({
  kind: i.kind,
  name: i.instance,
  server: serverOf(i.kubeconfigFile),
  pid: i.running ? i.pid : undefined,
  status: i.running ? 'running' : 'stopped',
  startedAt: i.running ? i.startedAt : undefined,
  log: i.logFile,
});

export function listRuntimes(env: NodeJS.ProcessEnv): RuntimeRow[] {
  return KINDS.flatMap((k) => listLocalRuntimes(k, env).map(row));
}

export function parseKind(kind: string): RuntimeKind {
  if (!(KINDS as string[]).includes(kind)) throw new UsageError(`unknown runtime kind "${kind}": use ${KINDS.join(' or ')}`);
  return kind as RuntimeKind;
}

/** Stops one runtime (its state stays: `init`/`join` start it again). */
export async function stopRuntime(kind: RuntimeKind, name: string, env: NodeJS.ProcessEnv): Promise<RuntimeRow & { wasRunning: boolean }> {
  const names = listLocalRuntimes(kind, env).map((i) => i.instance);
  if (!names.includes(name)) {
    throw new CliError(`no local ${kind} named "${name}"${names.length ? ` (there are: ${names.join(', ')})` : ''}; see ocmadm runtime list`);
  }
  const wasRunning = await stopLocalRuntime(kind, name, { env });
  return { ...row(localRuntimeInfo(kind, name, env)), wasRunning };
}
