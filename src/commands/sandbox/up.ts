/**
 * `ocmadm sandbox up`: a hub and N spoke control planes on loopback as processes that outlive
 * the command, one kubeconfig with a context each, then (unless --bare) the real OCM handshake
 * run in-process: init --runtime local --wait, get token, join --runtime local --wait on every
 * spoke, accept --wait. Any failure takes down everything started so far.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { KubeConfig } from '../../kube/kubeconfig.js';
import { CommandContext, type Io } from '../../cli/context.js';
import { CliError, InterruptedError } from '../../cli/errors.js';
import { writeSecretFile } from '../../runtime/host/state.js';
import { findBinaries } from '../../sandbox/binaries.js';
import { startCluster, type LocalCluster } from '../../sandbox/cluster.js';
import { relayHubToSpokes } from '../../sandbox/hub-relay.js';
import { recordOf, startTicks } from '../../sandbox/detached.js';
import { NODE_IMAGE, PAUSE_IMAGE, pushSandboxImages, startRegistry } from '../../sandbox/images/index.js';
import { ensureNodePrereqs } from '../../sandbox/node/prereqs.js';
import { runInit } from '../init/run.js';
import { validateInitOptions } from '../init/options.js';
import { runGetToken } from '../get/token/run.js';
import { validateGetTokenOptions } from '../get/token/options.js';
import { runJoin } from '../join/run.js';
import { joinOptions } from '../join/options.js';
import { acceptExitCode, runAccept } from '../accept/run.js';
import { acceptOptions } from '../accept/options.js';
import { runDown } from './down.js';
import type { UpOptions } from './options.js';
import { newRecord, readRecord, sandboxDir, sandboxEnv, sandboxesRoot, upRunning, writeRecord, type SandboxCluster, type SandboxRecord } from './state.js';

export interface UpResult {
  name: string;
  kubeconfig: string;
  bare: boolean;
  hub: { context: string; server: string };
  spokes: { context: string; server: string; clusterName: string }[];
  /** The kubectl built with the control planes (matches their version). */
  kubectl: string;
  version: string;
  /** From the start of `up` until every cluster was Available (bare: until every control plane was ready). */
  durationMs: number;
  controlPlanesMs: number;
  /** 1: every cluster has one real node. */
  nodes: 0 | 1;
  /** The local registry serving the nodes' images (nodes: 1). */
  registry?: string;
  /** Where spokes join the hub (nodes: 1): its node IP, relayed onto the spokes' nodes. */
  hubUrl?: string;
}

/** The JSON shape promised by the CLI: nothing more, so scripts can rely on it. */
export const upJson = (r: UpResult) => ({ name: r.name, kubeconfig: r.kubeconfig, hub: r.hub, spokes: r.spokes, nodes: r.nodes });

/**
 * Whether the clusters get nodes: --nodes 0 never; --nodes 1 or unset when the machine can (root
 * on Linux, missing Debian packages installed with apt-get). Unset and it cannot: one line, then
 * control planes only; --nodes 1 and it cannot: an error, before anything starts.
 */
async function decideNodes(wanted: 0 | 1 | undefined, ctx: CommandContext): Promise<0 | 1> {
  if (wanted === 0) return 0;
  const why = await ensureNodePrereqs({ log: (l) => ctx.progress.info(l) });
  if (!why) return 1;
  if (wanted === 1) throw new CliError(`--nodes 1: ${why}`);
  ctx.progress.warn(`no nodes: ${why}; starting control planes only (--nodes 0)`);
  return 0;
}

function alreadyThere(name: string, dir: string): CliError {
  const rec = readRecord(dir);
  const state = !rec ? 'incomplete' : upRunning(rec) ? 'still starting' : rec.readyAt ? `up since ${rec.readyAt}` : 'crashed while starting';
  return new CliError(`sandbox "${name}" already exists (${state}, ${dir}); run ocmadm sandbox down --name ${name} first, or choose another --name`);
}

/** One kubeconfig with a context per cluster, named after the sandbox (0600: admin keys inside). */
function combinedKubeconfig(rec: SandboxRecord): string {
  const out = new KubeConfig();
  for (const c of rec.clusters) {
    const admin = KubeConfig.fromText(fs.readFileSync(c.adminKubeconfig!, 'utf8'), c.adminKubeconfig!);
    out.addCluster({ ...admin.clusters[0]!, name: c.context });
    out.addUser({ ...admin.users[0]!, name: `${c.context}-admin` });
    out.addContext({ name: c.context, cluster: c.context, user: `${c.context}-admin` });
  }
  out.setCurrentContext(rec.clusters[0]!.context);
  return out.toYaml();
}

/** Progress of the in-process commands: hidden, or with -v prefixed by the cluster and never a spinner. */
function subIo(ctx: CommandContext, env: NodeJS.ProcessEnv, label: string): Io {
  const out = ctx.io.stderr;
  const stderr = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (ctx.globals.verbose) {
        for (const line of chunk.toString().split('\n').filter((l) => l.trim())) out.write(`  [${label}] ${line.replace(/\r?\x1b\[2K/g, '')}\n`);
      }
      cb();
    },
  });
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  return { stdout: sink, stderr, stdin: Readable.from([]), env };
}

/** `hubUrl`: where the spokes join (the hub's node IP with nodes), else the hub's address in the token. */
async function handshake(rec: SandboxRecord, ctx: CommandContext, deadline: number, hubUrl?: string): Promise<void> {
  const env = sandboxEnv(rec, ctx.io.env);
  const contexts: CommandContext[] = [];
  const contextFor = (c: SandboxCluster) => {
    const access = { ...ctx.globals, kubeconfig: rec.kubeconfig, context: c.context };
    const sub = new CommandContext(subIo(ctx, env, c.clusterName ?? 'hub'), access, ctx.signal);
    contexts.push(sub);
    return sub;
  };
  const [hubCluster, ...spokes] = rec.clusters;
  try {
    const hub = contextFor(hubCluster!);
    ctx.progress.start('ocmadm init --runtime local --wait');
    await runInit(validateInitOptions({ runtime: 'local', wait: true }), hub);
    ctx.progress.done('hub initialized, its controller leads');
    ctx.progress.start('ocmadm get token');
    const token = await runGetToken(validateGetTokenOptions({}), hub);
    if (spokes.length === 0) return;
    ctx.progress.start(`ocmadm join --runtime local --wait (${spokes.map((s) => s.clusterName).join(', ')})`);
    await Promise.all(
      spokes.map(async (s) => {
        const sub = contextFor(s);
        const opts = joinOptions({ hubToken: token.token.token, hubApiserver: hubUrl ?? token.hubApiserver, clusterName: s.clusterName, runtime: 'local', wait: true });
        await runJoin(opts, { spoke: await sub.client(), progress: sub.progress, env, deadline, signal: ctx.signal, track: (c) => sub.track(c) });
      }),
    );
    ctx.progress.done(`${spokes.length} spokes joined, their CSRs wait for acceptance`);
    ctx.progress.start(`ocmadm accept --wait (${spokes.map((s) => s.clusterName).join(', ')})`);
    const accepted = await runAccept(acceptOptions({ clusters: spokes.map((s) => s.clusterName).join(','), wait: true }, false), {
      hub: await hub.client(),
      progress: hub.progress,
      deadline,
      signal: ctx.signal,
    });
    if (acceptExitCode(accepted) !== 0) {
      throw new CliError(`accept did not finish: ${accepted.clusters.map((c) => `${c.cluster}: ${c.message}`).join('; ')}`);
    }
    ctx.progress.done(`${spokes.length} spokes accepted, Joined and Available`);
  } finally {
    await Promise.all(contexts.map((c) => c.close()));
  }
}

export async function runUp(opts: UpOptions, ctx: CommandContext): Promise<UpResult> {
  const t0 = Date.now();
  const deadline = ctx.deadline();
  const env = ctx.io.env;
  const dir = sandboxDir(opts.name, env);
  if (fs.existsSync(dir)) throw alreadyThere(opts.name, dir);
  const nodes = await decideNodes(opts.nodes, ctx);
  fs.mkdirSync(sandboxesRoot(env), { recursive: true, mode: 0o700 });
  try {
    fs.mkdirSync(dir, { mode: 0o700 }); // atomic: of two concurrent ups of one name, one wins
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw alreadyThere(opts.name, dir);
    throw err;
  }
  const rec = newRecord(opts.name, dir, opts.spokes, opts.bare);
  rec.nodes = nodes;
  writeRecord(dir, rec);
  try {
    const binaries = await findBinaries();
    let registry: string | undefined;
    if (nodes) {
      ctx.progress.start('local registry with the pause and Node.js images (built once per machine)');
      const reg = await startRegistry({ dir: path.join(dir, 'registry'), outlive: true });
      rec.registry = { component: 'registry', pid: reg.pid, startTicks: startTicks(reg.pid), logFile: reg.logFile, address: reg.address };
      writeRecord(dir, rec);
      await pushSandboxImages(reg.address);
      registry = reg.address;
      ctx.progress.done(`local registry ${reg.address} serves ${PAUSE_IMAGE} and ${NODE_IMAGE}`);
    }
    const names = rec.clusters.map((c) => c.context);
    ctx.progress.start(`starting ${names.length} control planes (${names.join(', ')})`);
    const started = await Promise.allSettled(
      rec.clusters.map((c) =>
        startCluster({
          name: c.context,
          baseDir: path.join(dir, 'clusters'),
          logDir: path.join(dir, 'logs', c.context),
          binaries,
          outlive: true,
          nodes,
          registry,
          timeoutMs: Math.max(1_000, deadline - Date.now()),
          onSpawn: (p) => {
            c.processes.push(recordOf(p));
            writeRecord(dir, rec);
          },
        }),
      ),
    );
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    started.forEach((s, i) => {
      const lc = (s as PromiseFulfilledResult<LocalCluster>).value;
      Object.assign(rec.clusters[i]!, { server: lc.server, caFile: lc.caFile, adminKubeconfig: lc.adminKubeconfigPath, version: lc.version });
    });
    writeSecretFile(rec.kubeconfig, combinedKubeconfig(rec));
    writeRecord(dir, rec);
    const controlPlanesMs = Date.now() - t0;
    ctx.progress.done(`${names.length} control planes ready in ${(controlPlanesMs / 1000).toFixed(1)} s`);
    if (ctx.signal.aborted) throw new InterruptedError();

    // With nodes the spokes join at the hub's node IP, relayed onto their nodes, so that pods
    // there (add-on agents, embedded runtimes) reach the hub at the URL the klusterlet hands them.
    // The relays are recorded processes of the spokes: `sandbox down` stops them with the nodes.
    const clusters = started.map((s) => (s as PromiseFulfilledResult<LocalCluster>).value);
    let hubUrl: string | undefined;
    if (nodes && clusters.length > 1) {
      hubUrl = await relayHubToSpokes(clusters[0]!, clusters.slice(1));
      rec.hubUrl = hubUrl;
      writeRecord(dir, rec);
      ctx.progress.done(`the spokes reach the hub at ${hubUrl} (its node IP, relayed onto their nodes for their pods)`);
    }
    if (!opts.bare) await handshake(rec, ctx, deadline, hubUrl);
    if (ctx.signal.aborted) throw new InterruptedError();

    const durationMs = Date.now() - t0;
    rec.readyAt = new Date().toISOString();
    rec.availableAfterMs = durationMs;
    writeRecord(dir, rec);
    const [hub, ...spokes] = rec.clusters;
    return {
      name: opts.name,
      kubeconfig: rec.kubeconfig,
      bare: opts.bare,
      hub: { context: hub!.context, server: hub!.server! },
      spokes: spokes.map((s) => ({ context: s.context, server: s.server!, clusterName: s.clusterName! })),
      kubectl: binaries.kubectl,
      version: hub!.version!,
      durationMs,
      controlPlanesMs,
      nodes,
      registry,
      hubUrl,
    };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    ctx.progress.fail('sandbox up failed; stopping what it started');
    // The logs go with the sandbox: -v keeps the details (log tails of a failed component).
    if (msg.includes('\n')) ctx.progress.debug(msg);
    try {
      await runDown(opts.name, env, { force: true });
    } catch (downErr) {
      ctx.progress.warn(`could not take the sandbox down: ${(downErr as Error).message}`);
    }
    if (err instanceof InterruptedError || ctx.signal.aborted) throw new InterruptedError('interrupted: the sandbox was taken down');
    // A component's log went with the sandbox: the line does not point at it (-v shows its tail).
    const first = msg.split('\n')[0]!.replace(/; last lines of \S+:$/, '');
    throw new CliError(`sandbox up failed: ${first}; everything it started is stopped and removed${msg.includes('\n') ? ` (details with --verbose)` : ''}`);
  }
}
