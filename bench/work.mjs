// Work latency on a real fleet (hub + two spokes joined with the local runtimes): ManifestWork
// create → Applied=True seen on the hub, for 1, 10 and 100 works at once across both spokes, and
// a work update → the object changed on the spoke.
import os from 'node:os';
import path from 'node:path';
import { cpuSeconds, fleet, localRuntimes, mustRun, percentile, ROOT, stats } from './lib.mjs';

const dist = (m) => import(path.join(ROOT, 'dist', m));
const { KubeClient } = await dist('kube/client.js');
const { KubeConfig } = await dist('kube/kubeconfig.js');
const { resourcePath } = await dist('kube/resources.js');
const { MANIFEST_WORKS, TYPE } = await dist('api/index.js');

const admin = async (file) => {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  return KubeClient.create(kc, 'ocmadm-bench');
};
const applied = (w) => w?.status?.conditions?.some((c) => c.type === 'Applied' && c.status === 'True' && (c.observedGeneration ?? 0) >= (w.metadata.generation ?? 0));
const work = (name, ns, value) => ({
  ...TYPE.manifestWork,
  metadata: { name, namespace: ns, labels: { bench: 'work' } },
  spec: { workload: { manifests: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { value } }] } },
});

/**
 * Watches all works labelled bench=work and calls onChange(work) for each event, until stop();
 * `listed` resolves once the first list is in (the watch starts from it). In a burst the API
 * server closes a watch that does not keep up (its cacher's buffer is small): the watch then
 * resumes from the last resourceVersion seen, as an informer does; only an error (410 Gone)
 * lists again. A relist of every bench work takes seconds on a loaded hub and made the last
 * works look late by as much (up to 4 s at load 14). `onRewatch(reason)` is for diagnostics.
 */
export function watchWorks(hub, onChange, onRewatch = () => undefined) {
  const ctrl = new AbortController();
  let listedOnce;
  const listed = new Promise((r) => (listedOnce = r));
  const done = (async () => {
    let rv;
    while (!ctrl.signal.aborted) {
      if (rv === undefined) {
        const list = await hub.list(resourcePath(MANIFEST_WORKS), { labelSelector: 'bench=work' });
        list.items.forEach(onChange);
        rv = list.metadata.resourceVersion;
        listedOnce();
      }
      const seen = (ev) => {
        rv = ev.object?.metadata?.resourceVersion ?? rv;
        if (ev.type !== 'BOOKMARK') onChange(ev.object);
      };
      await hub.watch(resourcePath(MANIFEST_WORKS), { labelSelector: 'bench=work', resourceVersion: rv }, seen, { signal: ctrl.signal }).then(
        () => onRewatch('closed'),
        (err) => ((rv = undefined), onRewatch(`failed: ${err.message}`)),
      );
    }
  })();
  return { listed, stop: async () => (ctrl.abort(), done) };
}

/**
 * CPU seconds of every process a work burst runs through (the three control planes and the local
 * runtimes): where a burst's time goes when the machine's cores are the bound. since() gives the
 * seconds used from start() on, per kind of process and in total.
 */
async function fleetCpu(f) {
  const runtimes = await localRuntimes(f.env);
  const groups = {
    'hub API server': [f.clusters.hub.pids.apiserver],
    'spoke API servers': [f.clusters.spoke1.pids.apiserver, f.clusters.spoke2.pids.apiserver],
    etcd: Object.values(f.clusters).map((c) => c.pids.etcd),
    'controller managers': Object.values(f.clusters).map((c) => c.pids.controllerManager).filter(Boolean),
    klusterlets: runtimes.filter((r) => r.kind === 'klusterlet').map((r) => r.pid),
    'hub controller': runtimes.filter((r) => r.kind === 'hub-controller').map((r) => r.pid),
  };
  const read = () => Object.fromEntries(Object.entries(groups).map(([k, pids]) => [k, pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0)]));
  let start;
  return {
    start: () => (start = read()),
    since() {
      const end = read();
      const used = Object.fromEntries(Object.keys(groups).map((k) => [k, Number((end[k] - start[k]).toFixed(2))]));
      return { ...used, total: Number(Object.values(used).reduce((a, b) => a + b, 0).toFixed(2)) };
    },
  };
}

/**
 * Creates n works at once, spread over `spokes`, and resolves with create → Applied latencies.
 * `at.creating()` runs just before the creates, `at.allApplied()` as the last one is seen Applied.
 */
export async function createBatch(hub, n, round, spokes = ['spoke1', 'spoke2'], deadlineMs = 120_000, at = {}) {
  const sent = new Map();
  const latency = new Map();
  let resolve;
  const all = new Promise((r) => (resolve = r));
  const w = watchWorks(hub, (o) => {
    const t = sent.get(`${o.metadata.namespace}/${o.metadata.name}`);
    if (t !== undefined && !latency.has(`${o.metadata.namespace}/${o.metadata.name}`) && applied(o)) {
      latency.set(`${o.metadata.namespace}/${o.metadata.name}`, Date.now() - t);
      if (latency.size === n) {
        at.allApplied?.();
        resolve();
      }
    }
  });
  // Fair to whichever agent goes first: the watch is listening, and the bench client has as many
  // open connections as the creates will use (new TLS handshakes are not timed on one side only).
  await w.listed;
  await Promise.all(Array.from({ length: n }, () => hub.get('/version')));
  at.creating?.();
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const ns = spokes[i % spokes.length];
      const name = `b${round}-${i}`;
      sent.set(`${ns}/${name}`, Date.now());
      await hub.create(resourcePath({ ...MANIFEST_WORKS, namespace: ns }), work(name, ns, 'v1'));
    }),
  );
  const timer = setTimeout(resolve, deadlineMs);
  await all;
  clearTimeout(timer);
  await w.stop();
  if (latency.size < n) throw new Error(`${n - latency.size} of ${n} works not Applied within ${deadlineMs} ms`);
  const v = [...latency.values()];
  return { n, p50: percentile(v, 50), p99: percentile(v, 99), max: Math.max(...v) };
}

export async function benchWork() {
  const f = await fleet(['hub', 'spoke1', 'spoke2']);
  const clients = [];
  try {
    const hubKc = f.clusters.hub.adminKubeconfigPath;
    const init = JSON.parse((await mustRun(['--kubeconfig', hubKc, 'init', '--runtime', 'local', '--wait', '-o', 'json'], f.env)).stdout);
    await Promise.all(
      ['spoke1', 'spoke2'].map((s) =>
        mustRun(['--kubeconfig', f.clusters[s].adminKubeconfigPath, 'join', '--hub-token', init['hub-token'], '--hub-apiserver', init['hub-apiserver'], '--cluster-name', s, '--runtime', 'local', '--wait'], f.env),
      ),
    );
    await mustRun(['--kubeconfig', hubKc, 'accept', '--clusters', 'spoke1,spoke2', '--wait'], f.env);
    const hub = await admin(hubKc);
    const spoke1 = await admin(f.clusters.spoke1.adminKubeconfigPath);
    clients.push(hub, spoke1);

    const batches = [];
    let burstCpu;
    for (const [round, n] of [1, 10, 100].entries()) {
      const cpu = n === 100 ? await fleetCpu(f) : undefined;
      batches.push(await createBatch(hub, n, round, undefined, undefined, cpu && { creating: () => cpu.start(), allApplied: () => (burstCpu = cpu.since()) }));
    }

    // Update → spoke: change one work's data and watch the ConfigMap on the spoke.
    const updates = [];
    for (let i = 0; i < 10; i++) {
      const value = `u${i}`;
      const t0 = Date.now();
      await hub.patch(resourcePath({ ...MANIFEST_WORKS, namespace: 'spoke1', name: 'b0-0' }), work('b0-0', 'spoke1', value), 'apply', { fieldManager: 'bench', force: true });
      const { waitForObject } = await dist('kube/wait.js');
      await waitForObject(spoke1, { group: '', version: 'v1', resource: 'configmaps', namespace: 'default', name: 'b0-0' }, (o) => o?.data?.value === value, { deadline: Date.now() + 30_000, what: 'the update on spoke1' });
      updates.push(Date.now() - t0);
    }
    const u = stats(updates);
    return {
      batches,
      updateToSpokeMs: u,
      rows: [
        ...batches.map((b) => ({ what: `${b.n} ManifestWork${b.n > 1 ? 's' : ''} at once (2 spokes): create → Applied on the hub`, value: `p50 ${b.p50} ms, p99 ${b.p99} ms`, target: b.n === 100 ? 'p99 <= 1 s' : '' })),
        { what: 'ManifestWork update → object changed on the spoke', value: `${u.median} ms (${u.min}–${u.max}, n=${u.n})` },
        {
          what: '100 works at once: CPU seconds from the creates to the last Applied, by process (ocmadm + all control planes)',
          value: `${Object.entries(burstCpu).map(([k, v]) => `${k} ${v}`).join(', ')} (${(burstCpu.total / os.cpus().length).toFixed(2)} s on ${os.cpus().length} cores at best)`,
        },
      ],
      burstCpuSeconds: burstCpu,
    };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await f.stop();
  }
}
