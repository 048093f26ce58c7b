/**
 * `ocmadm clean`: removes what `init` installed, in an order that never strands an object.
 * ManagedClusters go first, while the hub controller still runs and can finish their cleanup
 * (works, RBAC, finalizers); then the controller stops; then the guard, RBAC, accounts,
 * namespaces, cluster sets and CRDs, each step waiting until its objects are gone. Anything that
 * outlives the deadline is reported, not hidden; only finalizers whose controller is gone are
 * removed, and the result says which.
 */
import type { CommandContext } from '../../cli/context.js';
import { CliError } from '../../cli/errors.js';
import type { KubeClient, KubeObject } from '../../kube/client.js';
import { isNotFound } from '../../kube/errors.js';
import { resourcePath } from '../../kube/resources.js';
import { MANAGED_CLUSTERS } from '../../api/index.js';
import { requirePermissions, uniquePermissions, type Permission } from '../../install/hub/access.js';
import { connectHub } from '../../install/hub/connect.js';
import { describeObject, kindInfo, objectRef, type ObjectRef } from '../../install/hub/kinds.js';
import { findInstalled, type Kept, type StepName } from '../../install/hub/inventory.js';
import { removeLocalHubController } from '../../install/hub/runtime.js';
import { deleteAndWait, stripFinalizers } from '../../install/hub/remove.js';
import type { CleanOptions } from './options.js';

interface ManagedCluster extends KubeObject {
  spec?: { hubAcceptsClient?: boolean };
}

export interface CleanResult {
  hubApiserver: string;
  dryRun: boolean;
  /** ManagedClusters on the hub (deleted first with --force). */
  clusters: { name: string; accepted: boolean }[];
  /** In removal order. */
  removed: (ObjectRef & { step: StepName | 'clusters' })[];
  localRuntime?: { pid?: number; stopped: boolean };
  /** Custom resources that went with their CRDs, by kind. */
  customResources: Record<string, number>;
  /** Objects whose finalizers were removed because their controller is gone. */
  finalizersRemoved: ObjectRef[];
  kept: Kept[];
  /** Still there at the deadline: clean exits 1. */
  left: { ref: ObjectRef; reason: string }[];
  durationMs: number;
}

async function listClusters(client: KubeClient): Promise<ManagedCluster[]> {
  try {
    return (await client.list<ManagedCluster>(resourcePath(MANAGED_CLUSTERS))).items;
  } catch (err) {
    if (isNotFound(err)) return []; // no CRD: nothing registered
    throw err;
  }
}

const deletePermissions = (objects: KubeObject[]): Permission[] =>
  uniquePermissions(
    objects.flatMap((o) => {
      const k = kindInfo(o.kind);
      const namespace = k.namespaced ? o.metadata?.namespace : undefined;
      return ['delete', 'get', 'list', 'watch'].map((verb) => ({ verb, group: k.group, resource: k.resource, namespace }));
    }),
  );

export async function runClean(opts: CleanOptions, ctx: CommandContext): Promise<CleanResult> {
  const t0 = Date.now();
  const p = ctx.progress;
  const deadline = ctx.deadline();
  p.start('Checking the hub');
  const { client, endpoint } = await connectHub(ctx);
  const inventory = await findInstalled(client, endpoint.server, ctx.io.env);
  const clusters = await listClusters(client);
  const stepObjects = inventory.steps.flatMap((s) => s.objects);
  const clusterObjects = clusters.map((c) => ({ ...c, apiVersion: 'cluster.open-cluster-management.io/v1', kind: 'ManagedCluster' }));
  await requirePermissions(client, deletePermissions([...stepObjects, ...clusterObjects]), `clean the hub ${endpoint.server}`);

  const accepted = clusters.filter((c) => c.spec?.hubAcceptsClient === true).map((c) => c.metadata!.name!);
  if (accepted.length && !opts.force) {
    throw new CliError(
      `${accepted.length} cluster${accepted.length > 1 ? 's are' : ' is'} still accepted on this hub (${accepted.join(', ')}); unjoin ${accepted.length > 1 ? 'them' : 'it'} first (ocmadm unjoin on each spoke), or pass --force to delete ${accepted.length > 1 ? 'them' : 'it'} here; nothing was changed`,
    );
  }
  p.done(`Hub ${endpoint.server} checked: ${stepObjects.length} objects of ocmadm, ${clusters.length} ManagedCluster${clusters.length === 1 ? '' : 's'}`);

  const result: CleanResult = {
    hubApiserver: endpoint.server,
    dryRun: opts.dryRun,
    clusters: clusters.map((c) => ({ name: c.metadata!.name!, accepted: c.spec?.hubAcceptsClient === true })),
    removed: [
      ...clusterObjects.map((o) => ({ ...objectRef(o), step: 'clusters' as const })),
      ...inventory.steps.flatMap((s) => s.objects.map((o) => ({ ...objectRef(o), step: s.name }))),
    ],
    localRuntime: inventory.local ? { pid: inventory.local.pid, stopped: inventory.local.running } : undefined,
    // ManagedClusters are listed (and deleted) on their own.
    customResources: Object.fromEntries(Object.entries(inventory.customResources).filter(([kind]) => kind !== 'ManagedCluster')),
    finalizersRemoved: [],
    kept: inventory.kept,
    left: [],
    durationMs: 0,
  };
  if (opts.dryRun) {
    result.durationMs = Date.now() - t0;
    return result;
  }

  const sweep = async (objects: KubeObject[], title: string) => {
    if (!objects.length) return;
    p.start(`Removing ${title}`);
    const left = await deleteAndWait(client, objects, deadline, ctx.signal);
    result.left.push(...left);
    p.done(`${title} removed${left.length ? ` (${left.length} left)` : ''}`);
  };

  // Clusters first: the hub controller removes their works, RBAC and finalizers.
  await sweep(clusterObjects, `${clusterObjects.length} ManagedCluster${clusterObjects.length === 1 ? '' : 's'}`);
  const runtimeStep = inventory.steps.find((s) => s.name === 'runtime')!;
  await sweep(runtimeStep.objects, 'the hub controller Deployment');
  if (inventory.local) {
    p.start('Stopping the local hub controller');
    await removeLocalHubController(endpoint.server, ctx.io.env);
    p.done(`Local hub controller ${inventory.local.running ? `(pid ${inventory.local.pid}) stopped and ` : ''}removed`);
  }
  // Nothing will ever process these finalizers now: without removing them the CRDs never go.
  const stuck = [...inventory.finalized, ...result.left.filter((l) => l.ref.kind === 'ManagedCluster').map((l) => clusterObjects.find((c) => c.metadata?.name === l.ref.name)!)];
  if (stuck.length) {
    result.finalizersRemoved = await stripFinalizers(client, stuck);
    result.left = result.left.filter((l) => l.ref.kind !== 'ManagedCluster');
    const n = result.finalizersRemoved.length;
    if (n) p.warn(`removed the finalizers of ${n} object${n === 1 ? '' : 's'} whose controller is gone: ${result.finalizersRemoved.slice(0, 3).map((r) => describeObject({ kind: r.kind, metadata: r })).join(', ')}${n > 3 ? ', …' : ''}`);
  }
  for (const step of inventory.steps) if (step.name !== 'runtime') await sweep(step.objects, stepTitle[step.name]);
  result.durationMs = Date.now() - t0;
  return result;
}

const stepTitle: Record<StepName, string> = {
  runtime: 'the hub controller',
  guard: 'the admission guard',
  bindings: 'role bindings',
  roles: 'roles',
  accounts: 'ServiceAccounts, Secrets, ConfigMaps and Leases',
  namespaces: 'namespaces',
  clustersets: 'ManagedClusterSets',
  crds: 'CRDs (and every custom resource with them)',
};
