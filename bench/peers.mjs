// BENCH_PEERS=1 (or BENCH_ONLY=peers): the same scenarios with OCM's own programs beside ocmadm's,
// on the same control planes in the same run, each row as ocmadm, peer and ratio (ocmadm / peer).
// Peers come from scripts/build-peers.sh (pinned clusteradm and OCM, built from the Go module proxy).
//   - CLI cold start: `ocmadm --version` / `clusteradm version`, `ocmadm get clusters` / `clusteradm get clusters`;
//   - accept → Available and idle footprint: ocmadm's klusterlet against OCM's singleton agent
//     (`registration-operator agent`: registration and work in one process), both registering
//     with the same ocmadm hub controller and accepted by the same `ocmadm accept`;
//   - 1/10/100 ManifestWorks create → Applied on two spokes with ocmadm's agents, then on two
//     spokes with OCM's agents.
//   - hub controller RSS and CPU at 100 and 1,000 simulated clusters: ocmadm's one hub controller
//     against OCM's registration, work and placement controllers together, each on a fresh hub
//     (bench/peers-hub.mjs; BENCH_PEERS_HUB_SCALE=100,1000).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cpuShare, fleet, localRuntimes, mustRun, ROOT, rssMiB, run, runProgram, stats } from './lib.mjs';
import { createBatch } from './work.mjs';
import { benchPeersHub, freePort, spawnPeer } from './peers-hub.mjs';

const dist = (m) => import(path.join(ROOT, 'dist', m));
const { KubeClient } = await dist('kube/client.js');
const { KubeConfig, singleContextConfig } = await dist('kube/kubeconfig.js');
const { resourcePath } = await dist('kube/resources.js');
const { spokeCrds, applyCrdsAndWait } = await dist('install/klusterlet/crds.js');
const { MANAGED_CLUSTERS } = await dist('api/index.js');
const { waitForObject } = await dist('kube/wait.js');

const AGENT_NS = 'open-cluster-management-agent';

/** The peers' directory, built (or found in the cache) by scripts/build-peers.sh. */
function peersDir() {
  const out = execFileSync('bash', [path.join(ROOT, 'scripts/build-peers.sh')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  return out.trim().split('\n').pop();
}

const adminClient = (file) => {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  return KubeClient.create(kc, 'ocmadm-bench');
};

/** Wall times of a command, runs of the two commands interleaved so that load falls on both alike. */
async function coldStart(a, b, runs = 15) {
  const ta = [];
  const tb = [];
  for (let i = 0; i < runs; i++) {
    for (const [cmd, into] of [
      [a, ta],
      [b, tb],
    ]) {
      const r = await cmd();
      if (r.code !== 0) throw new Error(`cold start: exit ${r.code}: ${r.stderr.trim().split('\n').pop()}`);
      into.push(r.ms);
    }
  }
  return [stats(ta), stats(tb)];
}

/**
 * Starts OCM's singleton klusterlet agent for `name` on a spoke: the spoke CRDs and the agent
 * namespace first (what OCM's klusterlet operator would have made), a bootstrap kubeconfig with
 * the hub token, and the agent as a local process with its own health port.
 */
async function startPeerAgent(bin, f, name, hub) {
  const spokeKc = f.clusters[name].adminKubeconfigPath;
  const spoke = await adminClient(spokeKc);
  try {
    await applyCrdsAndWait(spoke, spokeCrds(), Date.now() + 60_000);
    await spoke.create(resourcePath({ group: '', version: 'v1', resource: 'namespaces' }), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: AGENT_NS } });
  } finally {
    await spoke.close();
  }
  const dir = path.join(f.stateDir, `peer-${name}`);
  fs.mkdirSync(path.join(dir, 'hub-kubeconfig'), { recursive: true, mode: 0o700 });
  const hubKc = new KubeConfig();
  hubKc.loadFromFile(f.clusters.hub.adminKubeconfigPath);
  const ca = hubKc.requireCurrentCluster();
  const boot = singleContextConfig({
    cluster: { name: 'hub', server: hub.server, caData: ca.caData, caFile: ca.caData ? undefined : ca.caFile, skipTLSVerify: false },
    user: { name: 'bootstrap', token: hub.token },
    context: { name: 'bootstrap' },
  });
  const bootFile = path.join(dir, 'bootstrap.kubeconfig');
  fs.writeFileSync(bootFile, boot.toYaml(), { mode: 0o600 });
  return spawnPeer(
    path.join(bin, 'registration-operator'),
    ['agent', '--spoke-cluster-name', name, '--bootstrap-kubeconfig', bootFile, '--hub-kubeconfig-dir', path.join(dir, 'hub-kubeconfig'), '--workload-source-config', path.join(dir, 'hub-kubeconfig', 'kubeconfig'), '--kubeconfig', spokeKc, '--namespace', AGENT_NS, '--disable-leader-election', '--listen', `127.0.0.1:${await freePort()}`],
    path.join(dir, 'agent.log'),
  );
}

/** Waits until a cluster has filed its join request (a ManagedCluster exists), so accept finds it. */
async function waitForJoinRequest(hub, name) {
  await waitForObject(hub, { ...MANAGED_CLUSTERS, name }, (o) => Boolean(o), { deadline: Date.now() + 120_000, what: `ManagedCluster ${name}` });
}

const ratio = (a, b) => (b ? Number((a / b).toFixed(2)) : null);

export async function benchPeers() {
  const bin = peersDir();
  const agents = await benchPeersAgents(bin);
  // After the agent scenarios' clusters are gone: each hub side runs on its own fresh hub.
  const hub = await benchPeersHub(bin);
  return { ...agents, hub: { flags: hub.flags, steadyMs: hub.steadyMs, runs: hub.runs }, rows: [...agents.rows, ...hub.rows] };
}

/** CLI cold start, accept → Available, idle footprint and works, on one hub with four spokes. */
async function benchPeersAgents(bin) {
  const f = await fleet(['hub', 'o1', 'o2', 'p1', 'p2']);
  const peers = [];
  let hub;
  try {
    const hubKc = f.clusters.hub.adminKubeconfigPath;
    const init = JSON.parse((await mustRun(['--kubeconfig', hubKc, 'init', '--runtime', 'local', '--wait', '-o', 'json'], f.env)).stdout);
    const joinHub = { server: init['hub-apiserver'], token: init['hub-token'] };
    hub = await adminClient(hubKc);

    // Register: ocmadm's klusterlets on o1, o2 (local runtime), OCM's singleton agents on p1, p2.
    await Promise.all(['o1', 'o2'].map((s) => mustRun(['--kubeconfig', f.clusters[s].adminKubeconfigPath, 'join', '--hub-token', joinHub.token, '--hub-apiserver', joinHub.server, '--cluster-name', s, '--runtime', 'local', '--wait'], f.env)));
    for (const p of ['p1', 'p2']) peers.push(await startPeerAgent(bin, f, p, joinHub));
    await Promise.all(['p1', 'p2'].map((p) => waitForJoinRequest(hub, p)));

    // accept → Available, one cluster at a time, each side twice.
    const acceptAfter = { ocmadm: [], peer: [] };
    for (const [side, cluster] of [['ocmadm', 'o1'], ['peer', 'p1'], ['ocmadm', 'o2'], ['peer', 'p2']]) {
      const r = await mustRun(['--kubeconfig', hubKc, 'accept', '--clusters', cluster, '--wait', '-o', 'json'], f.env);
      const after = JSON.parse(r.stdout).clusters?.[0]?.availableAfterSeconds;
      if (typeof after === 'number') acceptAfter[side].push(after * 1000);
    }

    // Idle footprint over the same 30 s window: one ocmadm klusterlet and one OCM singleton agent.
    const runtimes = await localRuntimes(f.env);
    const ours = runtimes.find((r) => r.kind === 'klusterlet' && r.instance?.includes('o1'))?.pid ?? runtimes.find((r) => r.kind === 'klusterlet')?.pid;
    const [ourCpu, peerCpu] = await Promise.all([cpuShare(ours, 30_000), cpuShare(peers[0].pid, 30_000)]);
    const idle = {
      ocmadm: { rssMiB: Math.round(rssMiB(ours)), cpuPercent: Number((ourCpu * 100).toFixed(2)) },
      peer: { rssMiB: Math.round(rssMiB(peers[0].pid)), cpuPercent: Number((peerCpu * 100).toFixed(2)) },
    };

    // CLI cold start against the hub with four clusters.
    const clusteradm = path.join(bin, 'clusteradm');
    const [ourVersion, peerVersion] = await coldStart(() => run(['--version'], f.env), () => runProgram(clusteradm, ['version', '--kubeconfig', hubKc], f.env));
    const [ourGet, peerGet] = await coldStart(() => run(['--kubeconfig', hubKc, 'get', 'clusters'], f.env), () => runProgram(clusteradm, ['get', 'clusters', '--kubeconfig', hubKc], f.env));

    // Works: the same batches on ocmadm's two spokes, then on OCM's.
    const works = { ocmadm: [], peer: [] };
    for (const [round, n] of [1, 10, 100].entries()) {
      works.ocmadm.push(await createBatch(hub, n, `o${round}`, ['o1', 'o2']));
      works.peer.push(await createBatch(hub, n, `p${round}`, ['p1', 'p2']));
    }

    const a = stats(acceptAfter.ocmadm);
    const b = stats(acceptAfter.peer);
    const rows = [
      { what: 'CLI cold start: `ocmadm --version` / `clusteradm version`', ocmadm: `${ourVersion.median} ms`, peer: `${peerVersion.median} ms`, ratio: ratio(ourVersion.median, peerVersion.median) },
      { what: 'CLI cold start: `get clusters` (4 clusters)', ocmadm: `${ourGet.median} ms`, peer: `${peerGet.median} ms`, ratio: ratio(ourGet.median, peerGet.median) },
      { what: 'accept → Available (same hub, same `ocmadm accept`)', ocmadm: `${a.median} ms (n=${a.n})`, peer: `${b.median} ms (n=${b.n})`, ratio: ratio(a.median, b.median) },
      { what: 'agent idle RSS (klusterlet / OCM singleton agent)', ocmadm: `${idle.ocmadm.rssMiB} MiB`, peer: `${idle.peer.rssMiB} MiB`, ratio: ratio(idle.ocmadm.rssMiB, idle.peer.rssMiB) },
      { what: 'agent idle CPU (% of a core, 30 s)', ocmadm: `${idle.ocmadm.cpuPercent} %`, peer: `${idle.peer.cpuPercent} %`, ratio: ratio(idle.ocmadm.cpuPercent, idle.peer.cpuPercent) },
      ...works.ocmadm.map((w, i) => {
        const p = works.peer[i];
        return { what: `${w.n} ManifestWork${w.n > 1 ? 's' : ''} at once (2 spokes): create → Applied, p99`, ocmadm: `${w.p99} ms (p50 ${w.p50})`, peer: `${p.p99} ms (p50 ${p.p50})`, ratio: ratio(w.p99, p.p99) };
      }),
    ];
    return { versions: fs.readFileSync(path.join(bin, 'VERSIONS'), 'utf8').trim(), acceptAfterMs: { ocmadm: a, peer: b }, idle, cli: { ourVersion, peerVersion, ourGet, peerGet }, works, rows };
  } catch (err) {
    for (const p of peers) process.stderr.write(`bench: peers: agent log ${p.log}\n`);
    throw err;
  } finally {
    await hub?.close();
    await Promise.all(peers.map((p) => p.stop()));
    await f.stop();
  }
}
