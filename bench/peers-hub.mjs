// BENCH_PEERS hub rows: ocmadm's one hub controller against OCM's three hub controllers
// (`registration controller`, `work manager`, `placement controller`) at N simulated clusters.
// Each side gets a fresh hub of its own, one after the other, set up and loaded the same way:
//   - `ocmadm init --runtime local --wait` installs the hub (OCM's CRDs, RBAC, cluster sets,
//     admission policies); for the peer, ocmadm's hub controller is then stopped and OCM's three
//     controllers run as local processes with the hub's admin kubeconfig;
//   - N simulated klusterlets (src/sandbox/sim-agents.ts) file their ManagedCluster and CSR, the
//     real `ocmadm accept` accepts them all, kube-controller-manager signs the CSRs;
//   - once every cluster is Available and every agent has renewed its lease once, RSS and CPU are
//     read over the same steady-state window (BENCH_STEADY_MS, 60 s), summed over OCM's processes.
// No add-on on either side (OCM's add-on manager is not among the peers; ocmadm's controller
// runs its add-on manager idle), so both sides do registration, leases, cluster sets and
// placement/work informers only. Checked on both sides before a row is written: a namespace and a
// hub-made Lease per cluster, every renewing cluster Available at the end, no failed renewal, and
// (after the window) a cluster whose agent stops renewing goes Unknown.
//   BENCH_PEERS_HUB_SCALE=100,1000 (0 or empty: no hub rows)   BENCH_STEADY_MS=60000
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { cpuSeconds, fleet, localRuntimes, mustRun, ROOT, rssMiB } from './lib.mjs';

const dist = (m) => import(path.join(ROOT, 'dist', m));
const { KubeClient } = await dist('kube/client.js');
const { KubeConfig } = await dist('kube/kubeconfig.js');
const { resourcePath } = await dist('kube/resources.js');
const { waitForList, waitForObject } = await dist('kube/wait.js');
const { SimAgents } = await dist('sandbox/sim-agents.js');
const { MANAGED_CLUSTERS } = await dist('api/index.js');
const { COND, LEASE, NS } = await dist('api/names.js');
const { LEASES, NAMESPACES } = await dist('kube/core.js');
const host = await dist('runtime/host/index.js');

/** OCM's hub controllers as the cluster-manager operator starts them (work manager: with its replica-set gate, without which the operator does not run it). */
export const HUB_PEERS = [
  { name: 'registration', args: ['controller'] },
  { name: 'work', args: ['manager', '--feature-gates=ManifestWorkReplicaSet=true'] },
  { name: 'placement', args: ['controller'] },
];
/** Flags every one of them gets out of cluster. */
const commonArgs = (kubeconfig, port) => ['--kubeconfig', kubeconfig, '--namespace', NS.hubRuntime, '--disable-leader-election', '--listen', `127.0.0.1:${port}`];

/** Children started by the peer scenarios: an interrupted bench (run.mjs exits) kills them. */
const children = new Set();
process.once('exit', () => {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* gone meanwhile */
    }
  }
});

/** Spawns a peer program with its output in `logFile`; it is killed if the bench exits first. */
export function spawnPeer(file, args, logFile) {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(file, args, { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return {
    child,
    pid: child.pid,
    log: logFile,
    stop: () => new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : (child.once('exit', r), child.kill('SIGTERM')))),
  };
}

export const freePort = () =>
  new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const available = (mc) => mc?.status?.conditions?.find((c) => c.type === COND.cluster.available)?.status === 'True';
const tail = (file, n = 5) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').slice(-n).join('\n') : '(no log)');

/** Replaces ocmadm's local hub controller of fleet `f` by OCM's three hub controllers. */
async function startPeerHub(bin, f) {
  for (const r of host.listLocalRuntimes('hub-controller', f.env)) await host.stopLocalRuntime('hub-controller', r.instance, { env: f.env, graceMs: 3000 });
  const dir = path.join(f.stateDir, 'peer-hub');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const procs = [];
  for (const p of HUB_PEERS) {
    procs.push({ name: p.name, ...spawnPeer(path.join(bin, p.name), [...p.args, ...commonArgs(f.clusters.hub.adminKubeconfigPath, await freePort())], path.join(dir, `${p.name}.log`)) });
  }
  return procs;
}

/** One side at `n` clusters on a fresh hub: 'ocmadm' or 'peer' (OCM's controllers from `bin`). */
async function hubRun(side, n, steadyMs, bin) {
  const f = await fleet(['hub']);
  const hub = f.clusters.hub;
  const kc = new KubeConfig();
  kc.loadFromFile(hub.adminKubeconfigPath);
  const admin = await KubeClient.create(kc, 'ocmadm-bench');
  const sims = new SimAgents({ server: hub.server, caPem: hub.caPem }, { userAgent: 'ocmadm-bench-agent' });
  const ctrl = new AbortController();
  let running;
  let peers = [];
  try {
    await mustRun(['--kubeconfig', hub.adminKubeconfigPath, 'init', '--runtime', 'local', '--wait'], f.env);
    let procs;
    if (side === 'peer') {
      peers = await startPeerHub(bin, f);
      procs = peers.map((p) => ({ name: p.name, pid: p.pid }));
    } else {
      const list = await localRuntimes(f.env);
      procs = [{ name: 'hub-controller', pid: list.find((r) => r.kind === 'hub-controller').pid }];
    }
    const token = JSON.parse((await mustRun(['--kubeconfig', hub.adminKubeconfigPath, 'get', 'token', '--ttl', '2h', '-o', 'json'], f.env)).stdout)['hub-token'];
    const names = Array.from({ length: n }, (_, i) => `sim-${String(i).padStart(4, '0')}`);
    const mine = new Set(names);
    await sims.register(token, names);
    running = sims.run(admin, ctrl.signal);

    const tAccept = Date.now();
    await mustRun(['--kubeconfig', hub.adminKubeconfigPath, 'accept', '--clusters', names.join(','), '-o', 'json'], f.env);
    const deadline = Date.now() + 900_000;
    await retryTimeouts(deadline, () => waitForList(admin, resourcePath(MANAGED_CLUSTERS), (items) => items.filter(available).length >= n, { deadline, what: `${n} ManagedClusters Available (${side})` }));
    const acceptToAllAvailableMs = Date.now() - tAccept;
    // Steady state starts once the hub has made every cluster's Lease (the agents renew from then on).
    sims.resetErrors();
    const leaseQuery = { deadline, fieldSelector: `metadata.name=${LEASE.managedCluster}`, what: `${n} cluster Leases (${side})` };
    await retryTimeouts(deadline, () => waitForList(admin, resourcePath(LEASES), (items) => items.filter((o) => mine.has(o.metadata.namespace)).length >= n, leaseQuery));
    // And once every agent has renewed once (a first try that found no Lease waits a lease period).
    await sims.allRenewed(Math.max(0, deadline - Date.now()));

    const loadBefore = os.loadavg()[0];
    const cpu0 = procs.map((p) => cpuSeconds(p.pid));
    await new Promise((r) => setTimeout(r, steadyMs));
    const perProcess = procs.map((p, i) => ({ name: p.name, rssMiB: Math.round(rssMiB(p.pid)), cpuPercent: Number((((cpuSeconds(p.pid) - cpu0[i]) / (steadyMs / 1000)) * 100).toFixed(2)) }));
    const loadAverage = [loadBefore, os.loadavg()[0]].map((l) => Number(l.toFixed(1)));

    // The same work done: a namespace and a hub-made Lease per cluster, all Available, renewals fine.
    const dead = peers.find((p) => p.child.exitCode !== null || p.child.signalCode !== null);
    if (dead) throw new Error(`OCM's ${dead.name} exited during the run: ${tail(dead.log)}`);
    const namespaces = (await retryTimeouts(Date.now() + 120_000, () => admin.list(resourcePath(NAMESPACES)))).items.filter((o) => mine.has(o.metadata.name)).length;
    const leases = (await retryTimeouts(Date.now() + 120_000, () => admin.list(resourcePath(LEASES), { fieldSelector: `metadata.name=${LEASE.managedCluster}` }))).items.filter((o) => mine.has(o.metadata.namespace)).length;
    const availableAtEnd = (await retryTimeouts(Date.now() + 120_000, () => admin.list(resourcePath(MANAGED_CLUSTERS)))).items.filter(available).length;
    if (namespaces < n || leases < n) throw new Error(`${side}: ${n - namespaces} cluster namespaces and ${n - leases} cluster Leases missing on the hub`);
    if (availableAtEnd < n) throw new Error(`${side}: ${n - availableAtEnd} of ${n} simulated clusters are not Available at the end of the steady state`);
    if (sims.failures.length) throw new Error(`${side}: ${sims.failures.length} simulated agents failed to start: ${sims.failures[0].error}`);
    const failing = sims.failing();
    if (failing.length) throw new Error(`${side}: ${failing.length} simulated agents failed to renew at steady state: ${failing[0].lastError}`);
    // After the window, the hub's lease controller at work: one agent stops renewing and its lease
    // becomes 5 s; its cluster must go Unknown (five lease durations later).
    const probe = sims.agents.get(names[0]);
    sims.stop(probe);
    await admin.patch(resourcePath({ ...MANAGED_CLUSTERS, name: probe.name }), { spec: { leaseDurationSeconds: 5 } }, 'merge');
    const tProbe = Date.now();
    const unknown = (mc) => mc?.status?.conditions?.find((c) => c.type === COND.cluster.available)?.status === 'Unknown';
    await waitForObject(admin, { ...MANAGED_CLUSTERS, name: probe.name }, unknown, { deadline: Date.now() + 180_000, what: `${probe.name} Available Unknown after its agent stopped (${side})` });
    const leaseExpirySeenMs = Date.now() - tProbe;
    return {
      side,
      ...(peers.length ? { logErrors: peers.map((p) => ({ name: p.name, ...klogErrors(p.log) })) } : {}),
      clusters: n,
      acceptToAllAvailableMs,
      rssMiB: perProcess.reduce((s, p) => s + p.rssMiB, 0),
      cpuPercent: Number(perProcess.reduce((s, p) => s + p.cpuPercent, 0).toFixed(2)),
      perProcess,
      loadAverage,
      checked: { namespaces, leases, availableAtEnd, leaseExpirySeenMs },
    };
  } catch (err) {
    for (const p of peers) process.stderr.write(`bench: peers hub: ${p.name} log (last lines):\n${tail(p.log)}\n`);
    throw err;
  } finally {
    ctrl.abort();
    await running;
    await sims.close();
    await admin.close();
    await Promise.all(peers.map((p) => p.stop()));
    await f.stop();
  }
}

/** Runs `fn` again while a request of it times out (an API server overloaded by 1,000 clusters on a busy machine), until `deadline`. */
async function retryTimeouts(deadline, fn) {
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (err?.reason !== 'Timeout' || Date.now() > deadline) throw err;
      process.stderr.write(`bench: peers hub: ${err.message}; again\n`);
    }
  }
}

/** Error lines (klog's `E` prefix) in a peer's log, grouped by the Go source line that wrote them: count and one sample each. */
function klogErrors(file) {
  const groups = new Map();
  for (const l of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!/^E\d{4} /.test(l)) continue;
    const at = /\s(\S+\.go:\d+)\]/.exec(l)?.[1] ?? '?';
    const g = groups.get(at) ?? { at, count: 0, sample: l.slice(l.indexOf(']') + 2, l.indexOf(']') + 300) };
    g.count++;
    groups.set(at, g);
  }
  return { errors: [...groups.values()].reduce((s, g) => s + g.count, 0), by: [...groups.values()].sort((x, y) => y.count - x.count).slice(0, 5) };
}

const ratio = (a, b) => (b ? Number((a / b).toFixed(2)) : null);

/** The hub rows at each size of BENCH_PEERS_HUB_SCALE: ocmadm first, then OCM's, each on its own fresh hub. */
export async function benchPeersHub(bin) {
  const sizes = (process.env.BENCH_PEERS_HUB_SCALE ?? '100,1000').split(',').map(Number).filter((s) => s > 0);
  const steadyMs = Number(process.env.BENCH_STEADY_MS ?? 60_000);
  const runs = [];
  for (const n of sizes) {
    for (const side of ['ocmadm', 'peer']) {
      process.stderr.write(`bench: peers hub: ${side} at ${n} simulated clusters...\n`);
      runs.push(await hubRun(side, n, steadyMs, bin));
    }
  }
  const rows = sizes.flatMap((n) => {
    const o = runs.find((r) => r.clusters === n && r.side === 'ocmadm');
    const p = runs.find((r) => r.clusters === n && r.side === 'peer');
    const parts = p.perProcess.map((x) => `${x.name} ${x.rssMiB}`).join(' + ');
    const cpuParts = p.perProcess.map((x) => `${x.name} ${x.cpuPercent}`).join(' + ');
    const load = (r) => `load ${r.loadAverage.join(' → ')}`;
    return [
      { what: `${n} simulated clusters: accept → all Available (one hub controller / OCM's registration controller)`, ocmadm: `${(o.acceptToAllAvailableMs / 1000).toFixed(1)} s`, peer: `${(p.acceptToAllAvailableMs / 1000).toFixed(1)} s`, ratio: ratio(o.acceptToAllAvailableMs, p.acceptToAllAvailableMs) },
      { what: `${n} simulated clusters: hub controller RSS at steady state (OCM: registration + work + placement)`, ocmadm: `${o.rssMiB} MiB`, peer: `${p.rssMiB} MiB (${parts})`, ratio: ratio(o.rssMiB, p.rssMiB) },
      { what: `${n} simulated clusters: hub controller CPU, % of a core over ${steadyMs / 1000} s (OCM: the three summed)`, ocmadm: `${o.cpuPercent} % (${load(o)})`, peer: `${p.cpuPercent} % (${cpuParts}; ${load(p)})`, ratio: ratio(o.cpuPercent, p.cpuPercent) },
    ];
  });
  const flags = Object.fromEntries(HUB_PEERS.map((p) => [p.name, [...p.args, ...commonArgs('<hub admin kubeconfig>', '<free port>')].join(' ')]));
  return { flags, steadyMs, runs, rows };
}
