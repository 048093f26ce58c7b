/**
 * Helpers for the placement and ManifestWorkReplicaSet suites on the real hub. Each suite runs
 * the built hub controller (e2e/hub/support.ts) and builds its world as admin: ManagedClusters with
 * labels, claims, resources and an Available report (the agent's part), a label-selector cluster
 * set of its own (so suites never see each other's clusters), a binding in a fresh namespace.
 * Waits are watches with deadlines; `nextReconcile` waits for the controller's own debug line
 * saying it reconciled a key, so "nothing changed" can be asserted after a real pass.
 */
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import {
  MANAGED_CLUSTERS,
  MANAGED_CLUSTER_SETS,
  MANAGED_CLUSTER_SET_BINDINGS,
  MANIFEST_WORK_REPLICA_SETS,
  PLACEMENTS,
  PLACEMENT_DECISIONS,
  TYPE,
  type ManagedCluster,
  type Placement,
  type PlacementDecision,
} from '../../src/api/index.js';
import { retryOnConflict } from '../../src/runtime/core/patch.js';
import { NAMESPACES, applyHubCrds, clusterRef, forceDelete, gone, hubEnv, startHubProcess, unique, until, type HubProcess, type LogLine } from '../hub/support.js';

export interface World {
  client: KubeClient;
  ctl: HubProcess;
  /** The suite's namespace (placements and bindings live here). */
  ns: string;
  /** The suite's cluster set: clusters labelled `<set>=member` belong to it. */
  set: string;
  clusters: string[];
  namespaces: string[];
}

/** Starts a hub controller and makes the suite's namespace, set and binding. */
export async function startWorld(prefix: string, opts: { kubeconfigFile?: string; args?: string[]; bind?: boolean } = {}): Promise<World> {
  const env = await hubEnv();
  await applyHubCrds(env.client);
  const ns = unique(prefix);
  await env.client.create(resourcePath(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const set = unique(`${prefix}-set`);
  await env.client.create(resourcePath(MANAGED_CLUSTER_SETS), {
    ...TYPE.managedClusterSet,
    metadata: { name: set },
    spec: { clusterSelector: { selectorType: 'LabelSelector', labelSelector: { matchLabels: { [set]: 'member' } } } },
  });
  if (opts.bind !== false) await bind(env.client, ns, set);
  const ctl = await startHubProcess({ kubeconfigFile: opts.kubeconfigFile ?? env.kubeconfigFile, namespace: ns, id: `${ns}-ctl`, args: opts.args });
  return { client: env.client, ctl, ns, set, clusters: [], namespaces: [ns] };
}

export async function stopWorld(w: World | undefined): Promise<void> {
  if (!w) return;
  // Replica sets carry the controller's finalizer: let it finish them before it stops.
  const sets = await w.client.list(resourcePath({ ...MANIFEST_WORK_REPLICA_SETS, namespace: w.ns }));
  for (const s of sets.items) {
    const ref = { ...MANIFEST_WORK_REPLICA_SETS, namespace: w.ns, name: s.metadata!.name! };
    await w.client.delete(resourcePath(ref)).catch(() => undefined);
    await until(w.client, ref, gone, `replica set ${ref.name} finalized`);
  }
  await w.ctl.stop();
  for (const c of w.clusters) await forceDelete(w.client, clusterRef(c));
  await w.client.delete(resourcePath({ ...MANAGED_CLUSTER_SETS, name: w.set })).catch(() => undefined);
  for (const n of w.namespaces) await w.client.delete(resourcePath({ ...NAMESPACES, name: n })).catch(() => undefined);
  await w.client.close();
}

export async function bind(client: KubeClient, ns: string, set: string): Promise<void> {
  await client.create(resourcePath({ ...MANAGED_CLUSTER_SET_BINDINGS, namespace: ns }), {
    ...TYPE.managedClusterSetBinding,
    metadata: { name: set, namespace: ns },
    spec: { clusterSet: set },
  });
}

export interface ClusterOpts {
  labels?: Record<string, string>;
  claims?: Record<string, string>;
  allocatable?: Record<string, string>;
  /** The Available status the "agent" reports (default True, so the hub adds no taint). */
  available?: 'True' | 'False' | 'Unknown' | null;
  /** Not a member of the suite's set. */
  outside?: boolean;
  /** Also create namespace <cluster> (where works go). */
  namespace?: boolean;
}

const TIME = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A ManagedCluster as its agent would have reported it, in the suite's set. */
export async function addCluster(w: World, name: string, o: ClusterOpts = {}): Promise<string> {
  w.clusters.push(name);
  const labels = { ...(o.outside ? {} : { [w.set]: 'member' }), ...(o.labels ?? {}) };
  await w.client.create<ManagedCluster>(resourcePath(MANAGED_CLUSTERS), { ...TYPE.managedCluster, metadata: { name, labels }, spec: { hubAcceptsClient: false } });
  if (o.namespace) {
    await w.client.create(resourcePath(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    w.namespaces.push(name);
  }
  const status: Record<string, unknown> = {};
  if (o.available !== null) {
    const s = o.available ?? 'True';
    status.conditions = [{ type: 'ManagedClusterConditionAvailable', status: s, reason: s === 'True' ? 'ManagedClusterAvailable' : 'ManagedClusterKubeAPIServerUnavailable', message: 'e2e agent', lastTransitionTime: TIME() }];
  }
  if (o.claims) status.clusterClaims = Object.entries(o.claims).map(([n, value]) => ({ name: n, value }));
  if (o.allocatable) Object.assign(status, { allocatable: o.allocatable, capacity: o.allocatable });
  // Nobody else writes a new, unaccepted cluster's status: no precondition needed.
  if (Object.keys(status).length > 0) await w.client.patch(resourcePath({ ...clusterRef(name), subresource: 'status' }), { status }, 'merge');
  return name;
}

/** Merge-patches a cluster's labels (null removes one). */
export function setLabels(w: World, name: string, labels: Record<string, string | null>): Promise<KubeObject> {
  return w.client.patch(resourcePath(clusterRef(name)), { metadata: { labels } }, 'merge');
}

/** The agent reporting Available (the hub's taint reconciler follows it). */
export async function reportAvailable(w: World, name: string, status: 'True' | 'False' | 'Unknown'): Promise<void> {
  await retryOnConflict(async () => {
    const mc = await w.client.get<ManagedCluster>(resourcePath(clusterRef(name)));
    const others = (mc.status?.conditions ?? []).filter((c) => c.type !== 'ManagedClusterConditionAvailable');
    const cond = { type: 'ManagedClusterConditionAvailable', status, reason: 'E2E', message: 'e2e agent', lastTransitionTime: TIME() };
    await w.client.patch(resourcePath({ ...clusterRef(name), subresource: 'status' }), { metadata: { resourceVersion: mc.metadata.resourceVersion }, status: { conditions: [...others, cond] } }, 'merge');
  });
}

export const placementRef = (w: World, name: string) => ({ ...PLACEMENTS, namespace: w.ns, name });
export const decisionRef = (w: World, name: string) => ({ ...PLACEMENT_DECISIONS, namespace: w.ns, name });

export function createPlacement(w: World, name: string, spec: Placement['spec'] = {}, ns = w.ns): Promise<Placement> {
  return w.client.create<Placement>(resourcePath({ ...PLACEMENTS, namespace: ns }), { ...TYPE.placement, metadata: { name, namespace: ns }, spec });
}

export function conditionOf(o: { status?: { conditions?: unknown[] } } | undefined, type: string) {
  return (o?.status?.conditions as { type: string; status: string; reason: string; message: string }[] | undefined)?.find((c) => c.type === type);
}

/** Waits until the placement's PlacementSatisfied has `reason` (and `pred`, if given). */
export async function placementUntil(w: World, name: string, reason: string, pred: (p: Placement) => boolean = () => true, ms?: number): Promise<Placement> {
  const p = await until<Placement>(w.client, placementRef(w, name), (o) => !!o && conditionOf(o, 'PlacementSatisfied')?.reason === reason && pred(o), `placement ${name} ${reason}`, ms);
  return p!;
}

export const clustersIn = (d: PlacementDecision | undefined) => (d?.status?.decisions ?? []).map((x) => x.clusterName);

/** Waits until decision object `name` lists exactly `clusters`. */
export async function decisionUntil(w: World, name: string, clusters: string[], ms?: number): Promise<PlacementDecision> {
  const want = JSON.stringify(clusters);
  const d = await until<PlacementDecision>(w.client, decisionRef(w, name), (o) => !!o?.status && JSON.stringify(clustersIn(o)) === want, `decision ${name} = ${want}`, ms);
  return d!;
}

/** Every decision object of a placement, by name. */
export async function decisionsOf(w: World, placement: string): Promise<PlacementDecision[]> {
  const list = await w.client.list<PlacementDecision>(resourcePath({ ...PLACEMENT_DECISIONS, namespace: w.ns }), {
    labelSelector: `cluster.open-cluster-management.io/placement=${placement}`,
  });
  return list.items.sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!, 'en', { numeric: true }));
}

/** Resolves on the controller's next "reconciled" line for `key` (logged after the pass ends). */
export function nextReconcile(w: World, controller: string, key: string, ms = 30_000): Promise<LogLine> {
  const seen = new Set(w.ctl.logs);
  return w.ctl.waitForLog((l) => l.msg === 'reconciled' && l.controller === controller && l.object === key && !seen.has(l), ms);
}

/** Error lines of the placement and replica-set controllers, and any refused request (a healthy run has none). */
export const errorLines = (w: World) =>
  w.ctl.logs.filter((l) => (l.level === 'error' && ['placement', 'manifestworkreplicaset'].includes(l.controller as string)) || /forbidden/i.test(JSON.stringify(l)));
