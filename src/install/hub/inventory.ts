/**
 * What `ocmadm clean` removes, found on the live hub: every object `init` can install (from the
 * plan, so nothing is typed twice) that exists and carries ocmadm's label, the RBAC and Leases
 * the hub controller made per cluster, the local runtime, and the custom resources that go with
 * the CRDs. Cluster namespaces are kept (they may hold users' objects), and so is a namespace
 * that still holds anything ocmadm did not put there.
 */
import type { KubeClient, KubeList, KubeObject } from '../../kube/client.js';
import { isNotFound } from '../../kube/errors.js';
import { getOrUndefined, resourcePath } from '../../kube/resources.js';
import { LABEL, LEASE, MANAGED_BY, RBAC, SA } from '../../api/names.js';
import { HUB } from './constants.js';
import { KINDS, objectRef, pathOf, type KindName, type ObjectRef } from './kinds.js';
import { allObjects, loadHubCrds, planHub } from './plan.js';
import { localHubController } from './runtime.js';
import { newBootstrapToken } from './tokens.js';

/** Removal steps, in order: each waits for its objects to be gone before the next starts. */
export type StepName = 'runtime' | 'guard' | 'bindings' | 'roles' | 'accounts' | 'namespaces' | 'clustersets' | 'crds';
export const STEP_ORDER: readonly StepName[] = ['runtime', 'guard', 'bindings', 'roles', 'accounts', 'namespaces', 'clustersets', 'crds'];

const STEP_OF: Partial<Record<string, StepName>> = {
  Deployment: 'runtime',
  ValidatingAdmissionPolicyBinding: 'guard',
  ValidatingAdmissionPolicy: 'guard',
  ClusterRoleBinding: 'bindings',
  RoleBinding: 'bindings',
  ClusterRole: 'roles',
  Role: 'roles',
  ServiceAccount: 'accounts',
  Secret: 'accounts',
  ConfigMap: 'accounts',
  Lease: 'accounts',
  Namespace: 'namespaces',
  ManagedClusterSet: 'clustersets',
  CustomResourceDefinition: 'crds',
};

export interface Kept {
  ref: ObjectRef;
  reason: string;
}

export interface CleanupInventory {
  steps: { name: StepName; objects: KubeObject[] }[];
  local?: { instance: string; pid?: number; running: boolean; dir: string };
  /** Custom resources that go with the CRDs, counted by kind. */
  customResources: Record<string, number>;
  kept: Kept[];
}

const isOurs = (o: KubeObject) => o.metadata?.labels?.[LABEL.managedBy] === MANAGED_BY;

/** The object, unless it is gone or only waits for a delete with no finalizers left. */
async function liveOrUndefined(client: KubeClient, path: string): Promise<KubeObject | undefined> {
  const o = await getOrUndefined(client, path);
  return o?.metadata?.deletionTimestamp && !o.metadata.finalizers?.length ? undefined : o;
}

async function listOr(client: KubeClient, path: string, labelSelector?: string): Promise<KubeObject[]> {
  try {
    return (await client.list<KubeObject>(path, labelSelector ? { labelSelector } : undefined)).items;
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
}

const collection = (kind: KindName, namespace?: string) => resourcePath({ ...KINDS[kind], namespace });
const withKind = (kind: KindName, items: KubeObject[]): KubeObject[] =>
  items.map((o) => ({ ...o, apiVersion: `${KINDS[kind].group ? `${KINDS[kind].group}/` : ''}${KINDS[kind].version}`, kind }));

/** Everything `init` can install, whatever flags it ran with. */
export function installableObjects(): KubeObject[] {
  const crds = loadHubCrds();
  return [
    ...allObjects(planHub({ runtime: 'cluster', image: 'x', clusterInfoKubeconfig: '', bootstrapToken: { create: newBootstrapToken(60) }, crds })),
  ];
}

/** The per-cluster RBAC and Leases the hub controller made (OCM's names and cluster-name label). */
async function controllerMade(client: KubeClient): Promise<KubeObject[]> {
  const sel = LABEL.clusterName;
  const prefix = RBAC.clusterRole('');
  const rbacNamed = (o: KubeObject) => (o.metadata?.name ?? '').startsWith(prefix);
  const [crbs, crs, rbs, leases] = await Promise.all([
    listOr(client, collection('ClusterRoleBinding'), sel),
    listOr(client, collection('ClusterRole'), sel),
    listOr(client, collection('RoleBinding'), sel),
    listOr(client, collection('Lease'), sel),
  ]);
  return [
    ...withKind('ClusterRoleBinding', crbs.filter(rbacNamed)),
    ...withKind('ClusterRole', crs.filter(rbacNamed)),
    ...withKind('RoleBinding', rbs.filter(rbacNamed)),
    ...withKind('Lease', leases.filter((l) => l.metadata?.name === LEASE.managedCluster)),
  ];
}

/** Objects in a namespace that ocmadm did not install (defaults the API server adds excluded). */
async function foreignContents(client: KubeClient, ns: string, ours: Set<string>): Promise<string[]> {
  const kinds: KindName[] = ['Deployment', 'ConfigMap', 'Secret', 'ServiceAccount', 'Role', 'RoleBinding'];
  const lists = await Promise.all(kinds.map(async (k) => withKind(k, await listOr(client, collection(k, ns)))));
  const system = (o: KubeObject) =>
    (o.kind === 'ServiceAccount' && o.metadata?.name === 'default') ||
    (o.kind === 'ConfigMap' && o.metadata?.name === 'kube-root-ca.crt') ||
    (o.kind === 'Secret' && o.type === 'kubernetes.io/service-account-token');
  return lists.flat().filter((o) => !system(o) && !ours.has(pathOf(o)) && !isOurs(o)).map((o) => `${o.kind} ${o.metadata?.name}`);
}

async function countCustomResources(client: KubeClient, crds: KubeObject[]): Promise<{ counts: Record<string, number>; withFinalizers: KubeObject[] }> {
  const counts: Record<string, number> = {};
  const withFinalizers: KubeObject[] = [];
  await Promise.all(
    crds.map(async (crd) => {
      const spec = crd.spec as { group: string; names: { plural: string; kind: string }; versions: { name: string; storage: boolean }[] };
      const version = spec.versions.find((v) => v.storage)?.name ?? spec.versions[0]!.name;
      const items = await listOr(client, resourcePath({ group: spec.group, version, resource: spec.names.plural }));
      if (items.length) counts[spec.names.kind] = items.length;
      for (const o of items) if (o.metadata?.finalizers?.length) withFinalizers.push({ ...o, apiVersion: `${spec.group}/${version}`, kind: spec.names.kind, _plural: spec.names.plural });
    }),
  );
  return { counts, withFinalizers };
}

export async function findInstalled(client: KubeClient, server: string, env: NodeJS.ProcessEnv): Promise<CleanupInventory & { finalized: KubeObject[] }> {
  const candidates = installableObjects();
  const found = (await Promise.all(candidates.map(async (o) => ((await liveOrUndefined(client, pathOf(o))) ? o : undefined)))).filter(
    (o): o is KubeObject => !!o,
  );
  // Re-read to check the label (the candidates are what init would write, not what is there).
  const live = await Promise.all(found.map(async (o) => ({ want: o, live: (await liveOrUndefined(client, pathOf(o)))! })));
  const kept: Kept[] = [];
  const remove: KubeObject[] = [];
  for (const { want, live: l } of live) {
    if (!l) continue;
    if (isOurs(l)) remove.push(want);
    else kept.push({ ref: objectRef(want), reason: 'not made by ocmadm (no app.kubernetes.io/managed-by=ocmadm label)' });
  }
  remove.push(...(await controllerMade(client)));

  const ourPaths = new Set(remove.map(pathOf));
  for (const ns of remove.filter((o) => o.kind === 'Namespace')) {
    const foreign = await foreignContents(client, ns.metadata!.name!, ourPaths);
    if (foreign.length) {
      remove.splice(remove.indexOf(ns), 1);
      kept.push({ ref: objectRef(ns), reason: `it still holds ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ` and ${foreign.length - 3} more` : ''}` });
    }
  }
  const crds = remove.filter((o) => o.kind === 'CustomResourceDefinition');
  const { counts, withFinalizers } = await countCustomResources(client, crds);
  const clusterNamespaces = await listOr(client, collection('Namespace'), LABEL.clusterName);
  for (const ns of clusterNamespaces) kept.push({ ref: { kind: 'Namespace', name: ns.metadata!.name! }, reason: 'a cluster namespace: delete it yourself if nothing in it is needed' });

  const info = localHubController(server, env);
  const haveLocal = info.running || info.pid !== undefined || (await import('node:fs')).existsSync(info.dir);
  return {
    steps: STEP_ORDER.map((name) => ({ name, objects: remove.filter((o) => STEP_OF[o.kind ?? ''] === name) })),
    local: haveLocal ? { instance: info.instance, pid: info.pid, running: info.running, dir: info.dir } : undefined,
    customResources: counts,
    kept,
    finalized: withFinalizers,
  };
}

/** Names the bootstrap ServiceAccount and runtime ServiceAccount for messages. */
export const ACCOUNTS = [SA.bootstrap, SA.hubController, HUB.controllerNamespace];
