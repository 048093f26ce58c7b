/**
 * `ocmadm sandbox down`: stops every process of a sandbox, whatever state it is in (running,
 * crashed, or half-built by a killed `up`), then removes its directory. Local runtimes go
 * first, while the API servers still answer, so they stop gracefully.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readNodeRecord, teardownNode, type NodeRecord } from '../../sandbox/node/index.js';
import { CliError } from '../../cli/errors.js';
import { runtimeDir, stopLocalRuntime } from '../../runtime/host/index.js';
import { stopRecorded, type ProcessRecord } from '../../sandbox/detached.js';
import { KINDS, listRuntimes } from '../runtime/run.js';
import { readRecord, sandboxDir, sandboxEnv, sandboxNames, upRunning, type SandboxRecord } from './state.js';

export interface StoppedProcess {
  context: string;
  component: string;
  pid: number;
}

export interface DownResult {
  name: string;
  /** Control-plane processes that were running and are stopped now. */
  stopped: StoppedProcess[];
  /** Local runtimes (hub controller, klusterlets) that were running. */
  runtimes: { kind: string; name: string; pid?: number }[];
  removed: string;
  durationMs: number;
}

/** Runtimes pointing at the sandbox's API servers: its own, and any started by hand (after --bare) in `env`'s state dir. */
async function stopRuntimes(rec: SandboxRecord | undefined, dir: string, env: NodeJS.ProcessEnv): Promise<DownResult['runtimes']> {
  const servers = new Set((rec?.clusters ?? []).map((c) => c.server).filter(Boolean));
  const own = sandboxEnv({ stateDir: rec?.stateDir ?? `${dir}/state` }, env);
  const stopped: DownResult['runtimes'] = [];
  // Klusterlets before the hub controller, as `ocmadm clean` would.
  for (const kind of [...KINDS].reverse()) {
    const targets = [
      ...listRuntimes(own).filter((r) => r.kind === kind).map((r) => ({ r, env: own, foreign: false })),
      ...listRuntimes(env).filter((r) => r.kind === kind && r.server && servers.has(r.server)).map((r) => ({ r, env, foreign: true })),
    ];
    await Promise.all(
      targets.map(async ({ r, env: e, foreign }) => {
        if (await stopLocalRuntime(kind, r.name, { env: e, graceMs: 3_000 })) stopped.push({ kind, name: r.name, pid: r.pid });
        // Its credentials are for clusters that are going away (the sandbox's own go with its directory).
        if (foreign) fs.rmSync(runtimeDir(kind, r.name, e), { recursive: true, force: true });
      }),
    );
  }
  return stopped;
}

/** Tears down the node of every cluster directory of the sandbox that has one (node.json). */
async function teardownSandboxNodes(dir: string): Promise<void> {
  const clustersDir = path.join(dir, 'clusters');
  let names: string[] = [];
  try {
    names = fs.readdirSync(clustersDir);
  } catch {
    return;
  }
  const records = names.map((n) => readNodeRecord(path.join(clustersDir, n))).filter((r): r is NodeRecord => !!r);
  await Promise.all(records.map((r) => teardownNode(r)));
}

export async function runDown(name: string, env: NodeJS.ProcessEnv, opts: { force?: boolean } = {}): Promise<DownResult> {
  const t0 = Date.now();
  const dir = sandboxDir(name, env);
  if (!fs.existsSync(dir)) {
    const known = sandboxNames(env);
    throw new CliError(`no sandbox named "${name}" (${known.length ? `sandboxes: ${known.join(', ')}` : 'there are none'}); ocmadm sandbox status lists them`);
  }
  const rec = readRecord(dir);
  if (rec && !opts.force && upRunning(rec)) {
    throw new CliError(`sandbox "${name}" is still being started by ocmadm sandbox up (pid ${rec.up.pid}); stop that first (Ctrl-C), then run down again`);
  }
  const runtimes = await stopRuntimes(rec, dir, env);
  // Nodes first: every process in their namespaces (kubelet, containerd, shims, containers), mounts,
  // namespaces, cgroups, slots, whether their processes were recorded, crashed or SIGKILLed.
  await teardownSandboxNodes(dir);
  const all: { context: string; rec: ProcessRecord }[] = (rec?.clusters ?? []).flatMap((c) => c.processes.map((p) => ({ context: c.context, rec: p })));
  // Clusters in parallel; within one, the reverse of start order (kube-apiserver stalls its
  // shutdown for the full grace period when etcd goes first).
  const results = await Promise.all(
    (rec?.clusters ?? []).map(async (c) => {
      const out = { stopped: [] as ProcessRecord[], survivors: [] as ProcessRecord[] };
      const order = ['kube-controller-manager', 'kube-apiserver', 'etcd'];
      const groups = [...order.map((n) => c.processes.filter((p) => p.component === n)), c.processes.filter((p) => !order.includes(p.component))];
      for (const group of groups) {
        const r = await stopRecorded(group);
        out.stopped.push(...r.stopped);
        out.survivors.push(...r.survivors);
      }
      return out;
    }),
  );
  const stopped = results.flatMap((r) => r.stopped);
  const survivors = results.flatMap((r) => r.survivors);
  if (rec?.registry) {
    const r = await stopRecorded([rec.registry]);
    stopped.push(...r.stopped);
    survivors.push(...r.survivors);
  }
  if (survivors.length) {
    // Keep the record so that another `down` can try again.
    throw new CliError(`sandbox "${name}": processes ${survivors.map((s) => `${s.component} (pid ${s.pid})`).join(', ')} did not stop even after SIGKILL; its files are kept`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const context = (p: ProcessRecord) => all.find((a) => a.rec === p)?.context ?? '';
  return {
    name,
    stopped: stopped.map((p) => ({ context: context(p), component: p.component, pid: p.pid })),
    runtimes,
    removed: dir,
    durationMs: Date.now() - t0,
  };
}

export function renderDown(r: DownResult): string {
  const planes = new Set(r.stopped.map((s) => s.context).filter(Boolean)).size;
  return [
    `Sandbox "${r.name}" is down (${(r.durationMs / 1000).toFixed(1)} s): stopped ${r.stopped.length} processes of ${planes} clusters and ${r.runtimes.length} local runtimes.`,
    `Removed ${r.removed}.`,
    '',
  ].join('\n');
}
