// Handshake and CLI figures on fresh local control planes: init, join, accept -> Available,
// CLI cold start, and the idle footprint of the hub controller and the klusterlet.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cpuShare, fleet, localRuntimes, mustRun, ROOT, rssMiB, run, runProgram, stats } from './lib.mjs';

export async function benchHandshake(rounds) {
  const init = [];
  const join = [];
  const accept = [];
  const availableAfter = [];
  let footprint;
  let cli;
  for (let i = 0; i < rounds; i++) {
    const f = await fleet(['hub', 'spoke']);
    try {
      const r1 = await mustRun(['--kubeconfig', f.clusters.hub.adminKubeconfigPath, 'init', '--runtime', 'local', '--wait', '-o', 'json'], f.env);
      init.push(r1.ms);
      const { 'hub-token': token, 'hub-apiserver': server } = JSON.parse(r1.stdout);
      const r2 = await mustRun(['--kubeconfig', f.clusters.spoke.adminKubeconfigPath, 'join', '--hub-token', token, '--hub-apiserver', server, '--cluster-name', 'c1', '--runtime', 'local', '--wait'], f.env);
      join.push(r2.ms);
      const r3 = await mustRun(['--kubeconfig', f.clusters.hub.adminKubeconfigPath, 'accept', '--clusters', 'c1', '--wait', '-o', 'json'], f.env);
      accept.push(r3.ms);
      const after = JSON.parse(r3.stdout).clusters?.[0]?.availableAfterSeconds;
      if (typeof after === 'number') availableAfter.push(after * 1000);
      if (i === 0) {
        cli = await benchCli(f);
        footprint = await benchFootprint(f);
      }
    } finally {
      await f.stop();
    }
  }
  return {
    initMs: stats(init),
    joinMs: stats(join),
    acceptWaitMs: stats(accept),
    acceptToAvailableMs: stats(availableAfter),
    cli,
    footprint,
  };
}

/**
 * Cold starts of the read-only commands, 15 runs each: `--version` (no cluster), `get clusters -o
 * json` (one joined cluster), and the other `get` nouns and `version` against the same hub.
 */
async function benchCli(f) {
  const times = async (args) => {
    const ms = [];
    for (let i = 0; i < 15; i++) {
      const r = await run(args, f.env);
      if (r.code !== 0) throw new Error(`ocmadm ${args.join(' ')}: ${r.stderr}`);
      ms.push(r.ms);
    }
    return stats(ms);
  };
  return {
    nodeFloorMs: await nodeFloor(f.clusters.hub.adminKubeconfigPath, f.env),
    versionMs: await times(['--version']),
    getClustersJsonMs: await times(['--kubeconfig', f.clusters.hub.adminKubeconfigPath, 'get', 'clusters', '-o', 'json']),
    readOnlyMs: Object.fromEntries(
      await sequential(['version', 'get clustersets', 'get works', 'get placements', 'get addons', 'get hub-info'], async (cmd) => [
        cmd,
        await times(['--kubeconfig', f.clusters.hub.adminKubeconfigPath, ...cmd.split(' '), '-o', 'json']),
      ]),
    ),
  };
}

/**
 * bench/node-floor.mjs, 15 runs: Node's start and one TLS GET of the managed clusters with the
 * kubeconfig's client certificate, which any Node CLI pays; ocmadm's rows above it are the CLI's own.
 */
async function nodeFloor(kubeconfig, env) {
  const { KubeConfig, clusterCaPem } = await import(path.join(ROOT, 'dist', 'kube', 'kubeconfig.js'));
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const cluster = kc.requireCurrentCluster();
  const user = kc.getCurrentUser();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocmadm-bench-floor-'));
  try {
    const pem = (data) => Buffer.from(data, 'base64').toString('utf8');
    fs.writeFileSync(path.join(dir, 'server'), cluster.server);
    fs.writeFileSync(path.join(dir, 'ca.pem'), clusterCaPem(cluster));
    fs.writeFileSync(path.join(dir, 'cert.pem'), pem(user.certData), { mode: 0o600 });
    fs.writeFileSync(path.join(dir, 'key.pem'), pem(user.keyData), { mode: 0o600 });
    const ms = [];
    for (let i = 0; i < 15; i++) {
      const r = await runProgram(process.execPath, [path.join(ROOT, 'bench', 'node-floor.mjs'), dir], env);
      if (r.code !== 0) throw new Error(`node-floor: ${r.stderr}`);
      ms.push(r.ms);
    }
    return stats(ms);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs fn on each item in turn (timings must not overlap). */
async function sequential(items, fn) {
  const out = [];
  for (const item of items) out.push(await fn(item));
  return out;
}

/** Idle RSS and CPU of the two local runtimes, 30 s after the cluster became Available. */
async function benchFootprint(f) {
  const list = await localRuntimes(f.env);
  const pid = (kind) => list.find((r) => r.kind === kind)?.pid;
  const hub = pid('hub-controller');
  const agent = pid('klusterlet');
  const [hubCpu, agentCpu] = await Promise.all([cpuShare(hub, 30_000), cpuShare(agent, 30_000)]);
  return {
    hubController: { rssMiB: Math.round(rssMiB(hub)), cpuPercent: Number((hubCpu * 100).toFixed(2)) },
    klusterlet: { rssMiB: Math.round(rssMiB(agent)), cpuPercent: Number((agentCpu * 100).toFixed(2)) },
  };
}
