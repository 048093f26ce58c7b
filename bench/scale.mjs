// Hub scale: N simulated registration agents in this one process against a real hub (real
// CSRs signed by kube-controller-manager, real status patches and lease renewals with each
// agent's own certificate), accepted with the real `ocmadm accept`, served by the real hub
// controller (local runtime). Measures the time until all are Available, the hub controller's
// RSS and CPU at steady state, and how late lease expiry is detected.
//   BENCH_SCALE=100,1000   BENCH_STEADY_MS=60000
import path from 'node:path';
import { cpuShare, fleet, mustRun, ROOT, rssMiB, stats } from './lib.mjs';

const dist = (m) => import(path.join(ROOT, 'dist', m));
const { KubeClient } = await dist('kube/client.js');
const { KubeConfig } = await dist('kube/kubeconfig.js');
const { resourcePath } = await dist('kube/resources.js');
const { generateKeyAndRequest, csrObject, issuedCertificate, CSRS } = await dist('runtime/klusterlet/csr.js');
const { MANAGED_CLUSTERS, TYPE } = await dist('api/index.js');
const { LABEL, COND, LEASE } = await dist('api/names.js');
const { microTime } = await dist('runtime/core/leader.js');

/** Clusters whose agent stops renewing, to measure how late expiry is seen; their lease is short. */
const EXPIRY_PROBES = 5;
const PROBE_LEASE_SECONDS = 5;

function clientFor(server, caPem, user) {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'hub', server, caData: Buffer.from(caPem).toString('base64') }],
    users: [{ name: 'u', ...user }],
    contexts: [{ name: 'c', cluster: 'hub', user: 'u' }],
    currentContext: 'c',
  });
  return KubeClient.create(kc, 'ocmadm-bench-agent');
}

/** Runs `fn` over items with at most `limit` at a time. */
async function pool(items, limit, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

const available = (mc) => mc?.status?.conditions?.find((c) => c.type === COND.cluster.available)?.status;

async function runScale(n, steadyMs) {
  const f = await fleet(['hub']);
  const hub = f.clusters.hub;
  const admin = await KubeClient.create((() => { const kc = new KubeConfig(); kc.loadFromFile(hub.adminKubeconfigPath); return kc; })(), 'ocmadm-bench');
  const agents = [];
  try {
    await mustRun(['--kubeconfig', hub.adminKubeconfigPath, 'init', '--runtime', 'local', '--wait'], f.env);
    const token = JSON.parse((await mustRun(['--kubeconfig', hub.adminKubeconfigPath, 'get', 'token', '--ttl', '2h', '-o', 'json'], f.env)).stdout)['hub-token'];
    const boot = await clientFor(hub.server, hub.caPem, { token });
    const names = Array.from({ length: n }, (_, i) => `sim-${String(i).padStart(4, '0')}`);

    // Register: key, ManagedCluster, CSR, as the bootstrap identity.
    const t0 = Date.now();
    await pool(names, 32, async (name) => {
      const { keyPem, csrPem } = await generateKeyAndRequest(name, 'simagent');
      const lease = 60;
      await boot.create(resourcePath(MANAGED_CLUSTERS), { ...TYPE.managedCluster, metadata: { name }, spec: { hubAcceptsClient: false, leaseDurationSeconds: lease } });
      await boot.create(resourcePath(CSRS), csrObject(name, csrPem));
      agents.push({ name, keyPem, lease, client: undefined, timer: undefined, lastRenew: 0 });
    });
    const registerMs = Date.now() - t0;
    await boot.close();

    // Certificates arrive through one watch (the simulation's shortcut for N agents' own watches).
    const byName = new Map(agents.map((a) => [a.name, a]));
    const ctrl = new AbortController();
    const started = [];
    const csrWatch = (async () => {
      const list = await admin.list(resourcePath(CSRS), { labelSelector: LABEL.clusterName });
      const onCsr = (csr) => {
        const a = byName.get(csr.metadata?.labels?.[LABEL.clusterName]);
        const cert = issuedCertificate(csr);
        if (a && cert && !a.starting) (a.starting = true), started.push(startAgent(a, cert));
      };
      list.items.forEach(onCsr);
      await admin.watch(resourcePath(CSRS), { labelSelector: LABEL.clusterName, resourceVersion: list.metadata.resourceVersion }, (ev) => ev.type !== 'BOOKMARK' && onCsr(ev.object), { signal: ctrl.signal, idleMs: 600_000 }).catch(() => undefined);
    })();

    async function startAgent(a, certPem) {
      a.credentials = { certData: Buffer.from(certPem).toString('base64'), keyData: Buffer.from(a.keyPem).toString('base64') };
      a.client = await clientFor(hub.server, hub.caPem, a.credentials);
      const now = new Date().toISOString();
      const cond = (type, reason) => ({ type, status: 'True', reason, message: 'simulated agent', lastTransitionTime: now });
      // The certificate can come before the hub controller grants the cluster's RBAC (accept sets
      // hubAcceptsClient after approving): retry with backoff, as the real agent does.
      await retry403(() => a.client.patch(`${resourcePath({ ...MANAGED_CLUSTERS, name: a.name })}/status`, {
        status: {
          conditions: [cond(COND.cluster.joined, 'ManagedClusterJoined'), cond(COND.cluster.available, 'ManagedClusterAvailable')],
          version: { kubernetes: 'v1.36.3' },
          capacity: { cpu: '4', memory: '8Gi' },
          allocatable: { cpu: '4', memory: '8Gi' },
        },
      }, 'merge'));
      // GET and PUT spec.renewTime, as the real agent (its RBAC allows update, not patch).
      const leasePath = resourcePath({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: a.name, name: LEASE.managedCluster });
      const renew = async () => {
        try {
          const lease = await a.client.get(leasePath);
          a.lastRenew = Date.now();
          await a.client.replace(leasePath, { ...lease, spec: { ...lease.spec, renewTime: microTime(new Date(a.lastRenew)) } });
        } catch (err) {
          a.renewErrors = (a.renewErrors ?? 0) + 1;
          a.lastError = String(err?.message ?? err);
          // A closed pool (seen once on the last agents of a run, cause not found yet): reopen it.
          if (/UND_ERR_(CLOSED|DESTROYED)/.test(a.lastError)) a.client = await clientFor(hub.server, hub.caPem, a.credentials);
          if (process.env.BENCH_DEBUG) process.stderr.write(`bench: ${a.name}: renew failed: ${a.lastError}\n`);
        }
      };
      await renew();
      a.timer = setInterval(renew, a.lease * 1000);
    }

    // Accept them all with the real CLI, then watch until every one is Available.
    const tAccept = Date.now();
    const acceptRun = await mustRun(['--kubeconfig', hub.adminKubeconfigPath, 'accept', '--clusters', names.join(','), '-o', 'json'], f.env);
    const acceptMs = acceptRun.ms;
    const allAvailable = await watchUntil(admin, (mcs) => mcs.filter((m) => available(m) === 'True').length >= n, 900_000);
    // Renewals fail until the hub has made the cluster's Lease and RBAC; after that they must not.
    for (const a of agents) a.renewErrors = 0;
    const availableMs = allAvailable - tAccept;

    // Expiry: the probe agents stop renewing and their lease becomes 5 s; the hub should mark them
    // Unknown 5 lease durations after the last renewal.
    const probes = agents.slice(0, EXPIRY_PROBES);
    for (const p of probes) clearInterval(p.timer);
    await Promise.all(probes.map((p) => admin.patch(resourcePath({ ...MANAGED_CLUSTERS, name: p.name }), { spec: { leaseDurationSeconds: PROBE_LEASE_SECONDS } }, 'merge')));
    // A lease whose new grace had already run out when the duration changed expires at the change.
    const shortenedAt = Date.now();
    // The last renewal the hub saw is the Lease's renewTime (the authority, not our clock of the attempt).
    const leaseOf = (name) => admin.get(resourcePath({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: name, name: LEASE.managedCluster }));
    const stoppedAt = new Map(await Promise.all(probes.map(async (p) => [p.name, Date.parse((await leaseOf(p.name)).spec.renewTime)])));
    const late = [];
    await watchUntil(admin, (mcs) => {
      for (const m of mcs) {
        const at = stoppedAt.get(m.metadata.name);
        if (at !== undefined && available(m) === 'Unknown' && !late.some((l) => l.name === m.metadata.name)) {
          late.push({ name: m.metadata.name, ms: Date.now() - Math.max(at + 5 * PROBE_LEASE_SECONDS * 1000, shortenedAt) });
        }
      }
      return late.length >= probes.length;
    }, 120_000);

    // Steady state: every other agent renewing each 60 s.
    const list = JSON.parse((await mustRun(['runtime', 'list', '-o', 'json'], f.env)).stdout).items;
    const pid = list.find((r) => r.kind === 'hub-controller').pid;
    const cpu = await cpuShare(pid, steadyMs);
    const rss = rssMiB(pid);
    const failing = agents.filter((a) => a.renewErrors && !probes.includes(a));
    if (failing.length) throw new Error(`${failing.length} simulated agents failed to renew at steady state: ${failing[0].lastError}`);
    ctrl.abort();
    await csrWatch;
    await Promise.all(started);
    return {
      clusters: n,
      registerMs,
      acceptCommandMs: Math.round(acceptMs),
      acceptToAllAvailableMs: availableMs,
      hubControllerRssMiB: Math.round(rss),
      hubControllerCpuPercent: Number((cpu * 100).toFixed(1)),
      leaseExpiryLateMs: stats(late.map((l) => l.ms)),
    };
  } finally {
    for (const a of agents) clearInterval(a.timer);
    await Promise.all(agents.map((a) => a.client?.close()));
    await admin.close();
    await f.stop();
  }
}

async function retry403(fn) {
  for (let delay = 50; ; delay = Math.min(delay * 2, 2000)) {
    try {
      return await fn();
    } catch (err) {
      if (err?.status !== 403) throw err;
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** Watches ManagedClusters until `done(list)`; returns the time it held. */
async function watchUntil(admin, done, ms) {
  const deadline = Date.now() + ms;
  const items = new Map();
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), ms);
  try {
    while (!ctrl.signal.aborted) {
      const list = await admin.list(resourcePath(MANAGED_CLUSTERS));
      list.items.forEach((m) => items.set(m.metadata.name, m));
      if (done([...items.values()])) return Date.now();
      let hit;
      await admin
        .watch(resourcePath(MANAGED_CLUSTERS), { resourceVersion: list.metadata.resourceVersion }, (ev) => {
          if (ev.type === 'BOOKMARK' || hit) return;
          if (ev.type === 'DELETED') items.delete(ev.object.metadata.name);
          else items.set(ev.object.metadata.name, ev.object);
          if (done([...items.values()])) (hit = Date.now()), ctrl.abort();
        }, { signal: ctrl.signal })
        .catch(() => undefined);
      if (hit) return hit;
    }
  } finally {
    clearTimeout(timer);
  }
  throw new Error(`not reached within ${ms} ms (deadline ${new Date(deadline).toISOString()})`);
}

export async function benchScale() {
  const sizes = (process.env.BENCH_SCALE ?? '100,1000').split(',').map(Number);
  const steadyMs = Number(process.env.BENCH_STEADY_MS ?? 60_000);
  const runs = [];
  for (const n of sizes) {
    process.stderr.write(`bench: scale ${n} clusters...\n`);
    runs.push(await runScale(n, steadyMs));
  }
  const rows = runs.flatMap((r) => [
    { what: `${r.clusters} simulated clusters: accept → all Available`, value: `${(r.acceptToAllAvailableMs / 1000).toFixed(1)} s (accept command ${(r.acceptCommandMs / 1000).toFixed(1)} s)` },
    { what: `${r.clusters} clusters: hub controller at steady state`, value: `${r.hubControllerRssMiB} MiB RSS, ${r.hubControllerCpuPercent} % of a core`, target: r.clusters >= 1000 ? '<= 200 MB, <= 10 %' : '' },
    { what: `${r.clusters} clusters: lease expiry seen late by`, value: `${r.leaseExpiryLateMs.median} ms (${r.leaseExpiryLateMs.min}–${r.leaseExpiryLateMs.max}, n=${r.leaseExpiryLateMs.n})` },
  ]);
  return { runs, rows };
}
