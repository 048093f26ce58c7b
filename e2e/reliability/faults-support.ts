/**
 * Helpers for the fault suites: a private fleet made the real way (`ocmadm init --runtime local`,
 * `join --runtime local`, `accept`), the local runtimes' processes (to SIGKILL them and start
 * them again the way the CLI does), and the hub-side facts a fault must not change.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent, fetch } from 'undici';
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { KubeConfig } from '../../src/kube/kubeconfig.js';
import { resourcePath } from '../../src/kube/resources.js';
import { waitForObject } from '../../src/kube/wait.js';
import { APPLIED_MANIFEST_WORKS, MANIFEST_WORKS, TYPE, type ManagedCluster } from '../../src/api/index.js';
import { COND, LEASE } from '../../src/api/names.js';
import { isAlive, listLocalRuntimes } from '../../src/runtime/host/index.js';
import { clusterOfInstance } from '../../src/install/klusterlet/klusterlet.js';
import type { RuntimeKind } from '../../src/runtime/host/state.js';
import { startFleet, type Fleet } from '../support/fleet.js';
import { eventually, loadClusters, type ClusterInfo } from '../support/clusters.js';
import { clusterCsrs, condition, initHub, joinArgs, untilCluster, type JoinToken } from '../handshake/support.js';
import { CONFIG_MAPS, LEASES, type Lease } from '../../src/kube/core.js';

export interface JoinedFleet {
  fleet: Fleet;
  hub: KubeClient;
  spokes: Record<string, KubeClient>;
  token: JoinToken;
}

/** One line of measured figures on stderr (collected by the e2e log reporter). */
export const report = (line: string) => process.stderr.write(`faults e2e: ${line}\n`);

/** A hub and spokes (cluster name = spoke name), every spoke joined, accepted and Available. */
export async function joinedFleet(suite: string, spokes: string[]): Promise<JoinedFleet> {
  const fleet = await startFleet(suite, ['hub', ...spokes]);
  const hub = await fleet.client('hub');
  const token = await initHub(fleet);
  const joins = await Promise.all(spokes.map((s) => fleet.cli(s, joinArgs(token, s, '--wait'))));
  joins.forEach((j, i) => {
    if (j.code !== 0) throw new Error(`join of ${spokes[i]} failed (${j.code}): ${j.stderr}`);
  });
  const acc = await fleet.cli('hub', ['accept', '--clusters', spokes.join(','), '--wait']);
  if (acc.code !== 0) throw new Error(`accept failed (${acc.code}): ${acc.stderr}`);
  const clients = Object.fromEntries(await Promise.all(spokes.map(async (s) => [s, await fleet.client(s)] as const)));
  return { fleet, hub, spokes: clients, token };
}

export const joinedAndAvailable = (mc: ManagedCluster | undefined) => condition(mc, COND.cluster.joined) === 'True' && condition(mc, COND.cluster.available) === 'True';

/** The one running local runtime of a kind in the fleet (the hub controller, or the klusterlet of `cluster`). */
export function runtimeProcess(fleet: Fleet, kind: RuntimeKind, cluster?: string): { pid: number; logFile: string; instance: string } {
  const all = listLocalRuntimes(kind, fleet.env).filter((x) => !cluster || clusterOfInstance(x.instance) === cluster);
  const r = all.find((x) => x.running);
  if (!r?.pid) throw new Error(`no running ${kind}${cluster ? ` of ${cluster}` : ''} in ${fleet.stateDir}`);
  return { pid: r.pid, logFile: r.logFile, instance: r.instance };
}

/** SIGKILLs a local runtime (its whole process group: a crash, nothing released) and waits until it is gone. */
export async function sigkill(pid: number): Promise<void> {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    process.kill(pid, 'SIGKILL');
  }
  await eventually(async () => !isAlive(pid), { ms: 10_000, describe: () => `pid ${pid} still alive after SIGKILL` });
}

/** JSON log lines of a local runtime written at or after `since` (epoch ms). */
export function runtimeLogs(logFile: string, since = 0): Record<string, unknown>[] {
  const lines = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n') : [];
  const out: Record<string, unknown>[] = [];
  for (const line of lines) {
    try {
      const l = JSON.parse(line) as Record<string, unknown>;
      if (Date.parse(l.ts as string) >= since) out.push(l);
    } catch {
      /* not a JSON line */
    }
  }
  return out;
}

/** Whether the kube-apiserver answers /readyz with `ok` (a failed connection counts as no). */
export async function apiserverReady(c: ClusterInfo): Promise<boolean> {
  const kc = new KubeConfig();
  kc.loadFromFile(c.adminKubeconfigPath);
  const user = kc.getCurrentUser();
  const b64 = (s?: string | null) => (s ? Buffer.from(s, 'base64').toString('utf8') : undefined);
  const dispatcher = new Agent({ connect: { ca: fs.readFileSync(c.caFile, 'utf8'), cert: b64(user?.certData), key: b64(user?.keyData) } });
  try {
    const res = await fetch(`${c.server}/readyz`, { dispatcher, signal: AbortSignal.timeout(3_000) });
    return res.status === 200 && (await res.text()).trim() === 'ok';
  } catch {
    return false;
  } finally {
    await dispatcher.close();
  }
}


/** Waits until the cluster's lease is renewed at or after `after` (epoch ms); returns the renewal time. */
export async function leaseRenewedAfter(hub: KubeClient, cluster: string, after: number, ms = 60_000): Promise<number> {
  const l = await waitForObject<Lease>(hub, { ...LEASES, namespace: cluster, name: LEASE.managedCluster }, (o) => Date.parse(o?.spec?.renewTime ?? '') >= after, {
    deadline: Date.now() + ms,
    what: `lease of ${cluster} renewed after ${new Date(after).toISOString()}`,
  });
  return Date.parse(l!.spec!.renewTime!);
}

/** The hub controller's leader Lease (namespace of `init --runtime local`). */
export async function hubLeaderRenewedAfter(hub: KubeClient, after: number, ms = 60_000): Promise<Lease> {
  const ns = (await hub.list<Lease>(resourcePath(LEASES), { fieldSelector: `metadata.name=${LEASE.hubController}` })).items[0]?.metadata?.namespace;
  if (!ns) throw new Error(`no Lease ${LEASE.hubController} on the hub`);
  return (await waitForObject<Lease>(hub, { ...LEASES, namespace: ns, name: LEASE.hubController }, (o) => Date.parse(o?.spec?.renewTime ?? '') >= after, {
    deadline: Date.now() + ms,
    what: `hub controller lease renewed after ${new Date(after).toISOString()}`,
  }))!;
}

/** How many agent CSRs the hub holds for the cluster. */
export const csrCount = async (hub: KubeClient, cluster: string) => (await clusterCsrs(hub, cluster)).length;

/** A directory with a namespace and a ConfigMap for `ocmadm deploy -f`. */
export function appDir(ns: string, value: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocmadm-faults-app-'));
  fs.writeFileSync(
    path.join(dir, 'app.yaml'),
    `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: ${ns}\ndata:\n  v: "${value}"\n`,
  );
  return dir;
}

/** A ManifestWork with one ConfigMap in an existing spoke namespace, created directly on the hub. */
export async function createProbeWork(hub: KubeClient, cluster: string, name: string, ns: string): Promise<void> {
  await hub.create(resourcePath({ ...MANIFEST_WORKS, namespace: cluster }), {
    ...TYPE.manifestWork,
    metadata: { name, namespace: cluster },
    spec: { workload: { manifests: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { probe: name } }] } },
  });
}

/** Waits for a ConfigMap on a spoke; returns when it was seen. */
export async function untilConfigMap(spoke: KubeClient, ns: string, name: string, ms = 60_000): Promise<number> {
  await waitForObject(spoke, { ...CONFIG_MAPS, namespace: ns, name }, (o) => !!o, { deadline: Date.now() + ms, what: `ConfigMap ${ns}/${name} on the spoke` });
  return Date.now();
}

/** resourceVersion of each path (undefined when absent). */
export async function resourceVersions(client: KubeClient, paths: string[]): Promise<Record<string, string | undefined>> {
  const out: Record<string, string | undefined> = {};
  for (const p of paths) out[p] = (await client.get<KubeObject>(p).catch(() => undefined))?.metadata?.resourceVersion;
  return out;
}

/** Paths of the AppliedManifestWorks on a spoke. */
export async function appliedWorkPaths(spoke: KubeClient): Promise<string[]> {
  const list = await spoke.list<KubeObject>(resourcePath(APPLIED_MANIFEST_WORKS));
  return list.items.map((a) => resourcePath({ ...APPLIED_MANIFEST_WORKS, name: a.metadata!.name! }));
}

export { untilCluster, condition };

/** Copies every local runtime's log into this run's log folder (stop() removes the state dir). */
export function keepRuntimeLogs(fleet: Fleet, suite: string): void {
  const dir = path.join(loadClusters().runDir, suite, 'runtimes');
  fs.mkdirSync(dir, { recursive: true });
  for (const kind of ['hub-controller', 'klusterlet'] as const) {
    for (const r of listLocalRuntimes(kind, fleet.env)) if (fs.existsSync(r.logFile)) fs.copyFileSync(r.logFile, path.join(dir, `${kind}-${r.instance}.log`));
  }
}
