// Hub scale: N simulated registration agents in this one process against a real hub (real
// CSRs signed by kube-controller-manager, real status patches and lease renewals with each
// agent's own certificate), accepted with the real `ocmadm accept`, served by the real hub
// controller (local runtime). Measures the time until all are Available, the hub controller's
// RSS and CPU at steady state, and how late lease expiry is detected.
// One add-on per cluster (BENCH_ADDONS=0 leaves it out): a template add-on with a Deployment and a
// kube-client registration (a CurrentCluster hub permission) enabled through a placement on every
// cluster; the simulated klusterlets file its CSR and report its work applied and its Deployment
// ready (src/sandbox/sim-addons.ts), so the hub renders N works, approves N add-on CSRs, binds N
// hub permissions and judges N add-ons Available before the steady state is measured.
//   BENCH_SCALE=100,1000   BENCH_STEADY_MS=60000   BENCH_ADDONS=1
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { cpuShare, fleet, localRuntimes, mustRun, ROOT, rssMiB, stats } from './lib.mjs';

const dist = (m) => import(path.join(ROOT, 'dist', m));
const { KubeClient } = await dist('kube/client.js');
const { KubeConfig } = await dist('kube/kubeconfig.js');
const { resourcePath } = await dist('kube/resources.js');
const { SimAgents } = await dist('sandbox/sim-agents.js');
const { SimAddons } = await dist('sandbox/sim-addons.js');
const { waitForList } = await dist('kube/wait.js');
const { MANAGED_CLUSTERS, MANAGED_CLUSTER_ADDONS, MANAGED_CLUSTER_SET_BINDINGS, PLACEMENTS, TYPE } = await dist('api/index.js');
const { ADDON_COND, COND, LEASE } = await dist('api/names.js');

/** Clusters whose agent stops renewing, to measure how late expiry is seen; their lease is short. */
const EXPIRY_PROBES = 5;
const PROBE_LEASE_SECONDS = 5;

const cond = (mc, type) => mc?.status?.conditions?.find((c) => c.type === type)?.status;
const available = (mc) => mc?.status?.conditions?.find((c) => c.type === COND.cluster.available)?.status;
const addonAvailable = (a) => a?.status?.conditions?.find((c) => c.type === ADDON_COND.available)?.status;

async function runScale(n, steadyMs) {
  const f = await fleet(['hub']);
  const hub = f.clusters.hub;
  const admin = await KubeClient.create((() => { const kc = new KubeConfig(); kc.loadFromFile(hub.adminKubeconfigPath); return kc; })(), 'ocmadm-bench');
  const log = process.env.BENCH_DEBUG ? (l) => process.stderr.write(`bench: ${l}\n`) : undefined;
  const sims = new SimAgents({ server: hub.server, caPem: hub.caPem }, { userAgent: 'ocmadm-bench-agent', log });
  const addons = WITH_ADDONS ? new SimAddons(sims.agents, log) : undefined;
  const ctrl = new AbortController();
  let running;
  let addonsRunning;
  try {
    await mustRun(['--kubeconfig', hub.adminKubeconfigPath, 'init', '--runtime', 'local', '--wait'], f.env);
    const token = JSON.parse((await mustRun(['--kubeconfig', hub.adminKubeconfigPath, 'get', 'token', '--ttl', '2h', '-o', 'json'], f.env)).stdout)['hub-token'];
    const names = Array.from({ length: n }, (_, i) => `sim-${String(i).padStart(4, '0')}`);

    // Register: key, ManagedCluster, CSR, as the bootstrap identity.
    const t0 = Date.now();
    await sims.register(token, names);
    const registerMs = Date.now() - t0;
    running = sims.run(admin, ctrl.signal);

    // Accept them all with the real CLI, then watch until every one is Available.
    const apiAtAccept = await apiServerRequests(admin);
    const tAccept = Date.now();
    const acceptRun = await mustRun(['--kubeconfig', hub.adminKubeconfigPath, 'accept', '--clusters', names.join(','), '-o', 'json'], f.env);
    const acceptMs = acceptRun.ms;
    // Per-cluster milestones as the bench's watch sees them (the hub's accept, then Available).
    const seen = { hubAccepted: new Map(), available: new Map() };
    const allAvailable = await watchUntil(admin, (mcs) => {
      const now = Date.now();
      for (const m of mcs) {
        if (!seen.hubAccepted.has(m.metadata.name) && cond(m, COND.cluster.hubAccepted) === 'True') seen.hubAccepted.set(m.metadata.name, now);
        if (!seen.available.has(m.metadata.name) && available(m) === 'True') seen.available.set(m.metadata.name, now);
      }
      return seen.available.size >= n;
    }, 900_000);
    // Renewals fail until the hub has made the cluster's Lease and RBAC; after that they must not.
    sims.resetErrors();
    const apiDuringAccept = apiServerDuring(apiAtAccept, await apiServerRequests(admin), n);
    process.stderr.write(`bench: API server requests from the accept to all Available: ${JSON.stringify(apiDuringAccept)}\n`);
    const hubMetricsAtAvailable = await hubMetrics(f.env);
    const availableMs = allAvailable - tAccept;
    const timeline = acceptTimeline(tAccept, [...sims.agents.values()], seen);
    process.stderr.write(`bench: accept timeline (ms after accept, p50/p90/max): ${JSON.stringify(timeline)}\n`);

    let addon;
    if (addons) {
      addonsRunning = addons.run(admin, ctrl.signal);
      addon = await addonOnEveryCluster(f, admin, addons, n);
    }

    // Expiry: the probe agents stop renewing and their lease becomes 5 s; the hub should mark them
    // Unknown 5 lease durations after the last renewal.
    const probes = [...sims.agents.values()].slice(0, EXPIRY_PROBES);
    for (const p of probes) sims.stop(p);
    // The last renewal the hub saw is the Lease's renewTime (the authority, not our clock of the attempt).
    const leaseOf = (name) => admin.get(resourcePath({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: name, name: LEASE.managedCluster }));
    const stoppedAt = new Map(await Promise.all(probes.map(async (p) => [p.name, Date.parse((await leaseOf(p.name)).spec.renewTime)])));
    const renewalsAtStop = new Map(probes.map((p) => [p.name, p.renewals]));
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    // The watch is up before the change: a list of N clusters made after it (seconds under load)
    // would be counted as lateness. Each probe's Unknown is stamped when its event arrives.
    const unknownSeen = new Map();
    let listed;
    const isListed = new Promise((r) => (listed = r));
    const expiryWatch = watchUntil(admin, (mcs) => {
      listed();
      for (const m of mcs) {
        if (stoppedAt.has(m.metadata.name) && available(m) === 'Unknown' && !unknownSeen.has(m.metadata.name)) unknownSeen.set(m.metadata.name, { at: Date.now(), mc: m });
      }
      return unknownSeen.size >= probes.length;
    }, 120_000);
    await isListed;
    await Promise.all(probes.map((p) => admin.patch(resourcePath({ ...MANAGED_CLUSTERS, name: p.name }), { spec: { leaseDurationSeconds: PROBE_LEASE_SECONDS } }, 'merge')));
    // A lease whose new grace had already run out when the duration changed expires at the change.
    const shortenedAt = Date.now();
    await expiryWatch;
    const late = [...unknownSeen].map(([name, { at: seen, mc }]) => {
      const at = stoppedAt.get(name);
      const due = Math.max(at + 5 * PROBE_LEASE_SECONDS * 1000, shortenedAt);
      const c = mc.status.conditions.find((x) => x.type === COND.cluster.available);
      return { name, ms: seen - due, seenAt: new Date(seen).toISOString(), dueAt: new Date(due).toISOString(), renewTime: new Date(at).toISOString(), unknownSince: c.lastTransitionTime };
    });
    loop.disable();
    // Where a late expiry comes from: the renewTime the hub judged (a renewal still in flight at the
    // stop moves it), the hub's own timing (its log), and this process's event-loop delay.
    for (const l of late) {
      const p = probes.find((x) => x.name === l.name);
      l.renewTimeAfter = (await leaseOf(l.name)).spec.renewTime;
      l.renewalsAfterStop = p.renewals - renewalsAtStop.get(l.name);
    }
    const hubLog = (await localRuntimes(f.env)).find((r) => r.kind === 'hub-controller')?.log;
    const hubLines = hubLog ? fs.readFileSync(hubLog, 'utf8').split('\n').filter((line) => line.includes('lease expired') && probes.some((p) => line.includes(p.name))) : [];
    process.stderr.write(`bench: expiry probes: ${JSON.stringify(late)}\nbench: observer event-loop delay ms: p99 ${(loop.percentile(99) / 1e6).toFixed(0)} max ${(loop.max / 1e6).toFixed(0)}\nbench: hub: ${hubLines.join('\nbench: hub: ')}\n`);
    if (process.env.BENCH_KEEP_HUB_LOG && hubLog) fs.copyFileSync(hubLog, process.env.BENCH_KEEP_HUB_LOG);

    // Steady state: every other agent renewing each 60 s. It starts once the hub has worked off
    // the accept (its queues empty): the writes that follow a mass accept (ClockSynced, taints,
    // the set label, each waking every cluster-keyed controller) ran for minutes after all were
    // Available and filled the first part of the window (1,000 clusters: 15-20 % of a core for
    // ~8 s, then 0.7 %, main-thread profile), which is not the steady state's cost.
    const pid = (await localRuntimes(f.env)).find((r) => r.kind === 'hub-controller').pid;
    // Every agent's first renewal comes before it: one whose first try found no Lease yet (the hub
    // makes it on HubAccepted, as the agent starts) tries again a lease period later, as OCM's
    // does, and the hub's first look at each renewal (a ClockSynced verdict written per cluster)
    // is part of the accept, not of the steady state.
    await sims.allRenewed(300_000);
    timeline.firstRenewal = acceptTimeline(tAccept, [...sims.agents.values()], seen).firstRenewal;
    const settle = await hubSettled(f.env, 600_000);
    process.stderr.write(`bench: hub queues settled: ${JSON.stringify(settle)}\n`);
    const settledAfterAvailableMs = settle.at - allAvailable;
    // The machine's load average around the window: the CPU share is this process's own, but under load it is measured on a busier scheduler.
    const loadBefore = os.loadavg()[0];
    const renewalsBefore = [...sims.agents.values()].reduce((s, a) => s + a.renewals, 0);
    const cpu = await cpuShare(pid, steadyMs);
    const steadyRenewals = [...sims.agents.values()].reduce((s, a) => s + a.renewals, 0) - renewalsBefore;
    process.stderr.write(`bench: steady window ended ${new Date().toISOString()} (${steadyMs} ms, ${steadyRenewals} renewals)\n`);
    const rss = rssMiB(pid);
    const loadAverage = [loadBefore, os.loadavg()[0]].map((l) => Number(l.toFixed(1)));
    // Healthy at the end of it: every agent still renewing is Available on the hub.
    const probeNames = new Set(probes.map((p) => p.name));
    const mcs = (await admin.list(resourcePath(MANAGED_CLUSTERS))).items.filter((m) => !probeNames.has(m.metadata.name));
    const availableAtEnd = mcs.filter((m) => available(m) === 'True').length;
    if (availableAtEnd < mcs.length) throw new Error(`${mcs.length - availableAtEnd} of ${mcs.length} renewing simulated clusters are not Available at the end of the steady state`);
    const failing = sims.failing();
    if (failing.length) throw new Error(`${failing.length} simulated agents failed to renew at steady state: ${failing[0].lastError}`);
    if (sims.failures.length) throw new Error(`${sims.failures.length} simulated agents failed to start: ${sims.failures[0].error}`);
    if (addon) {
      const mcas = (await admin.list(resourcePath(MANAGED_CLUSTER_ADDONS))).items.filter((a) => !probeNames.has(a.metadata.namespace));
      const down = mcas.filter((a) => addonAvailable(a) !== 'True');
      if (down.length) throw new Error(`${down.length} add-ons of renewing clusters are not Available at the end of the steady state: ${down[0].metadata.namespace}`);
    }
    const renewals = [...sims.agents.values()].reduce((s, a) => s + a.renewals, 0);
    const hubMetricsAtEnd = await hubMetrics(f.env);
    return {
      clusters: n,
      registerMs,
      acceptCommandMs: Math.round(acceptMs),
      acceptToAllAvailableMs: availableMs,
      hubControllerRssMiB: Math.round(rss),
      hubControllerCpuPercent: Number((cpu * 100).toFixed(1)),
      // From all Available until the hub's queues were empty (the steady window starts there).
      hubSettledAfterAvailableMs: settledAfterAvailableMs,
      hubSettled: settle.settled,
      // Renewals the hub served in the steady window and its CPU per renewal (less sensitive to the load than the share).
      steadyRenewals,
      hubCpuMsPerRenewal: steadyRenewals ? Number(((cpu * steadyMs) / steadyRenewals).toFixed(2)) : null,
      leaseExpiryLateMs: stats(late.map((l) => l.ms)),
      renewals,
      availableAtEnd,
      loadAverage,
      timeline,
      // The hub's own CPU from its start (registration included) until all were Available, and
      // how long keys waited in its queues over the whole run (/metrics histograms: the bound of
      // the bucket holding the 99th percentile).
      hubCpuSecondsToAllAvailable: hubMetricsAtAvailable.cpuSeconds,
      // What the accept asked of the hub's API server (all clients: the CLI, the hub controller,
      // kube-controller-manager's signer, the simulated agents) and the slowest kinds of request.
      apiServerDuringAccept: apiDuringAccept,
      hubQueueWaitP99S: hubMetricsAtEnd.queueWaitP99S,
      ...(addon ? { addon } : {}),
    };
  } finally {
    // The hub's whole log (a failed run's too) before the fleet and its state go.
    if (process.env.BENCH_KEEP_HUB_LOG) {
      const hubLog = await localRuntimes(f.env).then((rs) => rs.find((r) => r.kind === 'hub-controller')?.log, () => undefined);
      if (hubLog && fs.existsSync(hubLog)) fs.copyFileSync(hubLog, `${process.env.BENCH_KEEP_HUB_LOG}.end`);
    }
    ctrl.abort();
    await running;
    await addonsRunning;
    await sims.close();
    await admin.close();
    await f.stop();
  }
}

/**
 * Where accept → all Available spends its time: per milestone, the median, 90th percentile and
 * last of the clusters' times after the accept command started (CSR approved and signed as the
 * simulator's CSR watch saw them, the hub's HubAccepted and Available as the bench's watch saw
 * them, the agent's first status write and renewal), and how many status writes the agents tried.
 */
function acceptTimeline(t0, agents, seen) {
  const p = (values) => {
    const v = values.filter((x) => x !== undefined).map((x) => x - t0).sort((a, b) => a - b);
    return v.length ? [v[Math.floor(v.length / 2)], v[Math.floor(v.length * 0.9)], v[v.length - 1]] : [];
  };
  return {
    csrApproved: p(agents.map((a) => a.at.approved)),
    csrSigned: p(agents.map((a) => a.at.signed)),
    hubAccepted: p([...seen.hubAccepted.values()]),
    agentStatus: p(agents.map((a) => a.at.status)),
    available: p([...seen.available.values()]),
    firstRenewal: p(agents.map((a) => a.at.renewed)),
    statusWrites: agents.reduce((s, a) => s + a.statusAttempts, 0),
  };
}

const WITH_ADDONS = process.env.BENCH_ADDONS !== '0';
const ADDON = 'bench-addon';

/**
 * `addon create` + `addon enable --placement` (every cluster, tolerating unavailable ones) of a
 * template add-on with a Deployment and a kube-client registration; watches the add-ons until each
 * is Available. Milliseconds from the enable until every add-on exists, every add-on CSR is
 * signed, and every add-on is Available.
 */
async function addonOnEveryCluster(f, admin, addons, n) {
  const hub = f.clusters.hub;
  const ns = 'open-cluster-management-agent-addon';
  const file = path.join(f.env.OCMADM_STATE_DIR, 'bench-addon.json');
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `${ADDON}-agent`, namespace: ns },
    spec: { replicas: 1, selector: { matchLabels: { app: ADDON } }, template: { metadata: { labels: { app: ADDON } }, spec: { containers: [{ name: 'agent', image: 'registry.k8s.io/pause:3.10.2', env: [{ name: 'CLUSTER', value: '{{CLUSTER_NAME}}' }] }] } } },
  };
  const registration = [{ type: 'KubeClient', kubeClient: { hubPermissions: [{ type: 'CurrentCluster', currentCluster: { clusterRoleName: `${ADDON}-hub` } }] } }];
  fs.writeFileSync(file, JSON.stringify({ apiVersion: 'addon.open-cluster-management.io/v1alpha1', kind: 'AddOnTemplate', metadata: { name: `${ADDON}-v1` }, spec: { addonName: ADDON, agentSpec: { workload: { manifests: [deployment] } }, registration } }));
  await admin.create(resourcePath({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles' }), { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: `${ADDON}-hub` }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'create', 'update'] }] });
  const kc = ['--kubeconfig', hub.adminKubeconfigPath];
  await mustRun([...kc, 'addon', 'create', '-f', file], f.env);
  await admin.create(resourcePath({ ...MANAGED_CLUSTER_SET_BINDINGS, namespace: 'default' }), { ...TYPE.managedClusterSetBinding, metadata: { name: 'global', namespace: 'default' }, spec: { clusterSet: 'global' } });
  const tolerate = ['unavailable', 'unreachable'].map((t) => ({ key: `cluster.open-cluster-management.io/${t}`, operator: 'Exists' }));
  await admin.create(resourcePath({ ...PLACEMENTS, namespace: 'default' }), { ...TYPE.placement, metadata: { name: 'everywhere', namespace: 'default' }, spec: { clusterSets: ['global'], tolerations: tolerate } });
  const t0 = Date.now();
  await mustRun([...kc, 'addon', 'enable', '--names', ADDON, '--placement', 'default/everywhere'], f.env);
  const at = {};
  const deadline = Date.now() + 1_800_000;
  await untilNoTimeout(deadline, () => waitForList(admin, resourcePath(MANAGED_CLUSTER_ADDONS), (items) => {
    const now = Date.now() - t0;
    if (items.length >= n) at.allCreatedMs ??= now;
    if (addons.reported.size >= n) at.allWorksReportedMs ??= now;
    return items.length >= n && items.every((a) => addonAvailable(a) === 'True');
  }, { deadline, what: `${ADDON} Available on ${n} clusters` }));
  const allAvailableMs = Date.now() - t0;
  // Available comes from the works; the add-on certificates are issued on their own path.
  await Promise.race([addons.signedAtLeast(n), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())).unref())]);
  if (addons.signed.size < n) throw new Error(`${n - addons.signed.size} of ${n} add-on CSRs were not signed within the deadline`);
  return { ...at, allAvailableMs, allCsrsSignedMs: addons.lastSignedAt - t0, writeRetries: addons.errors.length };
}

/** Runs `fn` again while it fails with a request timeout (an overloaded API server), until `deadline`. */
async function untilNoTimeout(deadline, fn) {
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (err?.reason !== 'Timeout' || Date.now() > deadline) throw err;
      process.stderr.write(`bench: ${err.message}; again\n`);
    }
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
      const list = await untilNoTimeout(deadline, () => admin.list(resourcePath(MANAGED_CLUSTERS)));
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

/** The local hub controller's /metrics text (its health port is in its log). */
async function hubMetricsText(env) {
  const hubLog = (await localRuntimes(env)).find((r) => r.kind === 'hub-controller').log;
  const port = fs.readFileSync(hubLog, 'utf8').split('\n').map((l) => { try { return JSON.parse(l); } catch { return {}; } }).find((l) => typeof l.healthPort === 'number').healthPort;
  return () => fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
}

/**
 * Waits until the hub's queues hold (almost) nothing ready or in flight in 5 scrapes in a row, a
 * second apart (renewals pass through the lease queues in a millisecond, so a key or two may
 * show), or `ms` passes. Returns when, whether it settled, and the deepest queues at the start.
 */
async function hubSettled(env, ms) {
  const scrape = await hubMetricsText(env);
  const deadline = Date.now() + ms;
  let quiet = 0;
  let first;
  for (;;) {
    const text = await scrape();
    const depths = {};
    let total = 0;
    for (const m of text.matchAll(/^workqueue_(?:depth|unfinished_work)\{name="([^"]+)"\} (\d+)$/gm)) {
      depths[m[1]] = (depths[m[1]] ?? 0) + Number(m[2]);
      total += Number(m[2]);
    }
    first ??= Object.fromEntries(Object.entries(depths).filter(([, d]) => d > 0));
    quiet = total <= 2 ? quiet + 1 : 0;
    if (quiet >= 5 || Date.now() > deadline) return { at: Date.now(), settled: quiet >= 5, queuesAtStart: first };
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** The API server's request counters and latency sums, by verb, resource and subresource. */
async function apiServerRequests(admin) {
  const text = await admin.request('GET', '/metrics', { raw: true, accept: 'text/plain' });
  const rows = new Map();
  for (const m of text.matchAll(/^apiserver_request_(total|duration_seconds_sum)\{([^}]*)\} (\S+)$/gm)) {
    const l = Object.fromEntries([...m[2].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (l.verb === 'WATCH' || l.verb === 'CONNECT') continue; // long-running: their duration is their lifetime
    const key = [l.verb, l.subresource ? `${l.resource}/${l.subresource}` : l.resource].join(' ');
    const row = rows.get(key) ?? { count: 0, seconds: 0 };
    if (m[1] === 'total') row.count += Number(m[3]);
    else row.seconds += Number(m[3]);
    rows.set(key, row);
  }
  return rows;
}

/** Requests between two readings: in all, per cluster, and the five kinds that took longest each. */
function apiServerDuring(before, after, clusters) {
  const rows = [...after].map(([key, r]) => {
    const b = before.get(key) ?? { count: 0, seconds: 0 };
    return { request: key, count: r.count - b.count, meanMs: r.count > b.count ? Math.round(((r.seconds - b.seconds) * 1000) / (r.count - b.count)) : 0 };
  }).filter((r) => r.count > 0);
  const total = rows.reduce((s, r) => s + r.count, 0);
  const slowest = rows.filter((r) => r.count >= clusters / 2).sort((x, y) => y.meanMs - x.meanMs).slice(0, 5);
  return { requests: total, perCluster: Number((total / clusters).toFixed(1)), slowest };
}

/** The local hub controller's /metrics: CPU seconds and queue waits. */
async function hubMetrics(env) {
  const text = await (await hubMetricsText(env))();
  const buckets = new Map();
  for (const m of text.matchAll(/^workqueue_queue_duration_seconds_bucket\{name="([^"]+)",le="([^"]+)"\} (\d+)$/gm)) {
    if (!buckets.has(m[1])) buckets.set(m[1], []);
    buckets.get(m[1]).push([m[2] === '+Inf' ? Infinity : Number(m[2]), Number(m[3])]);
  }
  const queueWaitP99S = {};
  for (const [name, b] of buckets) {
    const count = b.at(-1)[1];
    if (count < 100) continue;
    const bound = b.find(([, c]) => c >= 0.99 * count)[0];
    queueWaitP99S[name] = bound === Infinity ? null : bound;
  }
  const cpuSeconds = Number(/^process_cpu_seconds_total (\S+)$/m.exec(text)[1]);
  return { cpuSeconds: Number(cpuSeconds.toFixed(1)), queueWaitP99S };
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
    { what: `${r.clusters} simulated clusters: accept → all Available`, value: `${(r.acceptToAllAvailableMs / 1000).toFixed(1)} s (accept command ${(r.acceptCommandMs / 1000).toFixed(1)} s)`, target: r.clusters === 1000 ? '<= 60 s' : '' },
    { what: `${r.clusters} clusters: last certificate signed (kube-controller-manager), last HubAccepted, after the accept`, value: `${(r.timeline.csrSigned.at(-1) / 1000).toFixed(1)} s, ${(r.timeline.hubAccepted.at(-1) / 1000).toFixed(1)} s` },
    ...(r.apiServerDuringAccept ? [{ what: `${r.clusters} clusters: API server requests from the accept to all Available (all clients), slowest kinds`, value: `${r.apiServerDuringAccept.requests} (${r.apiServerDuringAccept.perCluster} per cluster); ${r.apiServerDuringAccept.slowest.map((x) => `${x.request} ${x.meanMs} ms × ${x.count}`).join(', ')}` }] : []),
    ...(r.addon ? [{ what: `${r.clusters} clusters: addon enable --placement → the add-on Available on all`, value: `${(r.addon.allAvailableMs / 1000).toFixed(1)} s (all created ${(r.addon.allCreatedMs / 1000).toFixed(1)} s, all add-on CSRs signed ${(r.addon.allCsrsSignedMs / 1000).toFixed(1)} s)` }] : []),
    { what: `${r.clusters} clusters${r.addon ? ' with one add-on each' : ''}: hub controller at steady state`, value: `${r.hubControllerRssMiB} MiB RSS, ${r.hubControllerCpuPercent} % of a core, ${r.hubCpuMsPerRenewal} ms per lease renewal (load average ${r.loadAverage.join(' → ')})`, target: r.clusters >= 3000 ? '<= 300 MB, <= 10 %' : r.clusters >= 1000 ? '<= 200 MB, <= 10 %' : '' },
    { what: `${r.clusters} clusters: from all Available until every agent had renewed once and the hub's queues were empty`, value: `${(r.hubSettledAfterAvailableMs / 1000).toFixed(1)} s${r.hubSettled ? '' : ' (not settled: window started at the deadline)'}` },
    { what: `${r.clusters} clusters: lease expiry seen late by`, value: `${r.leaseExpiryLateMs.median} ms (${r.leaseExpiryLateMs.min}–${r.leaseExpiryLateMs.max}, n=${r.leaseExpiryLateMs.n})`, target: '<= 1 s' },
    { what: `${r.clusters} clusters: hub controller CPU from its start to all Available`, value: `${r.hubCpuSecondsToAllAvailable} s` },
    { what: `${r.clusters} clusters: time a key waited in the hub's queues, p99 (bucket bound, queues with 100+ keys)`, value: Object.entries(r.hubQueueWaitP99S).map(([q, s]) => `${q} ${s === null ? "> 300" : `<= ${s}`} s`).join(', ') },
  ]);
  return { runs, rows };
}
