/**
 * `ocmadm sandbox status`: the sandboxes on this machine, each process (running or not), each
 * API server's /readyz and the local runtimes. Reads the records; asks nothing but /readyz.
 */
import fs from 'node:fs';
import { CliError } from '../../cli/errors.js';
import { httpOk } from '../../sandbox/readiness.js';
import { isRunning } from '../../sandbox/detached.js';
import { listRuntimes } from '../runtime/run.js';
import { age, renderTable } from '../../ui/output.js';
import { readRecord, sandboxDir, sandboxEnv, sandboxNames, upRunning } from './state.js';

export type Health = 'healthy' | 'starting' | 'degraded' | 'stopped';

export interface ClusterStatus {
  context: string;
  role: string;
  clusterName?: string;
  server?: string;
  readyz: 'ok' | 'not ready' | 'unreachable' | 'not started';
  processes: { component: string; pid: number; running: boolean }[];
}

export interface SandboxStatus {
  name: string;
  health: Health;
  createdAt?: string;
  kubeconfig?: string;
  bare?: boolean;
  clusters: ClusterStatus[];
  runtimes: { kind: string; name: string; pid?: number; running: boolean }[];
}

async function readyz(server: string | undefined, caFile: string | undefined): Promise<ClusterStatus['readyz']> {
  if (!server || !caFile) return 'not started';
  try {
    const ca = fs.readFileSync(caFile, 'utf8');
    return (await httpOk(`${server}/readyz`, { ca })) ? 'ok' : 'not ready';
  } catch {
    return 'unreachable';
  }
}

export async function sandboxStatus(name: string, env: NodeJS.ProcessEnv): Promise<SandboxStatus> {
  const dir = sandboxDir(name, env);
  const rec = readRecord(dir);
  if (!rec) return { name, health: 'stopped', clusters: [], runtimes: [] };
  const clusters = await Promise.all(
    rec.clusters.map(async (c) => ({
      context: c.context,
      role: c.role,
      clusterName: c.clusterName,
      server: c.server,
      readyz: await readyz(c.server, c.caFile),
      // The newest record per component: failed port attempts leave older, stopped ones.
      processes: [...new Map(c.processes.map((p) => [p.component, p])).values()].map((p) => ({ component: p.component, pid: p.pid, running: isRunning(p) })),
    })),
  );
  const runtimes = listRuntimes(sandboxEnv(rec, env)).map((r) => ({ kind: r.kind, name: r.name, pid: r.pid, running: r.status === 'running' }));
  const procs = [...clusters.flatMap((c) => c.processes.map((p) => p.running)), ...runtimes.map((r) => r.running)];
  let health: Health;
  if (upRunning(rec)) health = 'starting';
  else if (procs.length > 0 && !procs.some(Boolean)) health = 'stopped';
  else if (rec.readyAt && procs.every(Boolean) && clusters.every((c) => c.readyz === 'ok')) health = 'healthy';
  else health = 'degraded';
  return { name, health, createdAt: rec.createdAt, kubeconfig: rec.kubeconfig, bare: rec.bare, clusters, runtimes };
}

export async function runStatus(name: string | undefined, env: NodeJS.ProcessEnv): Promise<{ sandboxes: SandboxStatus[] }> {
  const names = name ? sandboxNames(env).filter((n) => n === name) : sandboxNames(env);
  if (name && !names.length) {
    const known = sandboxNames(env);
    throw new CliError(`no sandbox named "${name}" (${known.length ? `sandboxes: ${known.join(', ')}` : 'there are none'}); ocmadm sandbox up --name ${name} starts one`);
  }
  return { sandboxes: await Promise.all(names.map((n) => sandboxStatus(n, env))) };
}

export function renderStatus(r: { sandboxes: SandboxStatus[] }): string {
  if (r.sandboxes.length === 0) return 'No sandboxes on this machine: ocmadm sandbox up starts one.\n';
  const parts: string[] = [];
  for (const s of r.sandboxes) {
    parts.push(`Sandbox ${s.name}: ${s.health}${s.createdAt ? `, created ${age(s.createdAt)} ago` : ''}${s.bare ? ', bare' : ''}`);
    if (s.kubeconfig) parts.push(`Kubeconfig: ${s.kubeconfig}`);
    const rows = s.clusters.flatMap((c) =>
      c.processes.map((p, i) => [i === 0 ? c.context : '', i === 0 ? (c.server ?? '-') : '', i === 0 ? c.readyz : '', p.component, String(p.pid), p.running ? 'running' : 'stopped']),
    );
    for (const rt of s.runtimes) rows.push(['runtime', '', '', `${rt.kind}/${rt.name}`, rt.pid ? String(rt.pid) : '-', rt.running ? 'running' : 'stopped']);
    if (rows.length) parts.push(renderTable(['context', 'server', 'readyz', 'process', 'pid', 'state'], rows).trimEnd());
    if (s.health === 'degraded' || s.health === 'stopped') parts.push(`Not everything runs: ocmadm sandbox down --name ${s.name} removes it, then sandbox up starts it afresh.`);
    parts.push('');
  }
  return parts.join('\n');
}
