/**
 * `ocmadm deploy NAME`: checks everything first (manifests, clusters, placement, namespace),
 * asks the server to dry-run every object, then applies: one ManifestWork per named cluster, or a
 * Placement (for --cluster-selector, with a binding to the `global` set) and a
 * ManifestWorkReplicaSet. Works of an earlier run on clusters no longer named are removed.
 */
import type { CommandContext } from '../../cli/context.js';
import { CliError } from '../../cli/errors.js';
import type { KubeClient, KubeObject } from '../../kube/client.js';
import { describeError, isNotFound } from '../../kube/errors.js';
import { Discovery, resourcePath, getOrUndefined } from '../../kube/resources.js';
import {
  MANAGED_CLUSTERS,
  MANAGED_CLUSTER_SET_BINDINGS,
  MANIFEST_WORKS,
  MANIFEST_WORK_REPLICA_SETS,
  PLACEMENTS,
  TYPE,
  type ManagedCluster,
} from '../../api/index.js';
import { CLUSTERSET, FIELD_MANAGER, LABEL, MANAGED_BY } from '../../api/names.js';
import { loadManifests } from './manifests.js';
import type { DeployOptions, Target } from './options.js';
import { guessPlural, workSpec } from './work.js';
import { NAMESPACES } from '../../kube/core.js';

export interface DeployPlan {
  objects: KubeObject[];
  /** ManifestWorks of an earlier run, on clusters no longer named. */
  stale: KubeObject[];
  /** The clusters the works go to (clusters mode), or that the selector matches now. */
  clusters: string[];
  warnings: string[];
}

export const deployLabels = (name: string) => ({ [LABEL.managedBy]: MANAGED_BY, [LABEL.deploy]: name });
export const deploySelector = (name: string) => `${LABEL.deploy}=${name}`;
const selectorOf = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');

/** Plural resource names for the manifests: the hub's discovery when it knows the kind, else kubectl's guess. */
async function pluralResolver(client: KubeClient, objs: KubeObject[]): Promise<(o: KubeObject) => string> {
  const discovery = new Discovery(client);
  const known = new Map<string, string>();
  await Promise.all(
    objs.map(async (o) => {
      const key = `${o.apiVersion}/${o.kind}`;
      if (known.has(key)) return;
      known.set(key, guessPlural(o.kind!));
      try {
        known.set(key, (await discovery.resolve(o.apiVersion!, o.kind!)).resource);
      } catch {
        /* a kind only the spokes serve (their CRDs): the guess stands */
      }
    }),
  );
  return (o) => known.get(`${o.apiVersion}/${o.kind}`)!;
}

async function clustersPlan(client: KubeClient, name: string, clusters: string[], spec: Record<string, unknown>, warnings: string[]): Promise<DeployPlan> {
  const all = (await client.list<ManagedCluster>(resourcePath(MANAGED_CLUSTERS))).items;
  const unknown = clusters.filter((c) => !all.some((m) => m.metadata?.name === c));
  if (unknown.length) throw new CliError(`no managed cluster named ${unknown.join(', ')} on this hub (see ocmadm get clusters); nothing was changed`);
  for (const c of clusters) {
    const mc = all.find((m) => m.metadata?.name === c)!;
    if (mc.spec?.hubAcceptsClient !== true) warnings.push(`cluster ${c} is not accepted: its work waits until it is (ocmadm accept --clusters ${c})`);
  }
  const objects = clusters.map((c) => ({ ...TYPE.manifestWork, metadata: { name, namespace: c, labels: deployLabels(name) }, spec }));
  const earlier = (await client.list(resourcePath(MANIFEST_WORKS), { labelSelector: deploySelector(name) })).items;
  const stale = earlier.filter((w) => !clusters.includes(w.metadata!.namespace!)).map((w) => ({ ...w, ...TYPE.manifestWork }));
  return { objects, stale, clusters, warnings };
}

async function placementPlan(client: KubeClient, opts: DeployOptions, target: Extract<Target, { mode: 'placement' }>, spec: Record<string, unknown>, warnings: string[]): Promise<DeployPlan> {
  const ns = opts.namespace;
  if (!(await getOrUndefined(client, resourcePath({ ...NAMESPACES, name: ns })))) {
    throw new CliError(`namespace "${ns}" does not exist on the hub; create it (kubectl create namespace ${ns}) or pass another -n`);
  }
  const objects: KubeObject[] = [];
  let clusters: string[] = [];
  if (target.selector) {
    const matching = (await client.list<ManagedCluster>(resourcePath(MANAGED_CLUSTERS), { labelSelector: selectorOf(target.selector) })).items;
    if (!matching.length) throw new CliError(`no managed cluster has the labels ${selectorOf(target.selector)} (see ocmadm get clusters -o yaml); nothing was changed`);
    clusters = matching.map((m) => m.metadata!.name!);
    objects.push(
      // Shared by every deployment in the namespace: not labelled with this one, never removed by --delete.
      { ...TYPE.managedClusterSetBinding, metadata: { name: CLUSTERSET.global, namespace: ns, labels: { [LABEL.managedBy]: MANAGED_BY } }, spec: { clusterSet: CLUSTERSET.global } },
      {
        ...TYPE.placement,
        metadata: { name: target.placement, namespace: ns, labels: deployLabels(opts.name) },
        spec: { clusterSets: [CLUSTERSET.global], predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: target.selector } } }] },
      },
    );
  } else {
    const placement = await getOrUndefined<KubeObject>(client, resourcePath({ ...PLACEMENTS, namespace: ns, name: target.placement }));
    if (!placement) throw new CliError(`no Placement "${target.placement}" in namespace ${ns} (see ocmadm get placements -n ${ns}); nothing was changed`);
    const selected = (placement.status as { numberOfSelectedClusters?: number } | undefined)?.numberOfSelectedClusters ?? 0;
    if (!selected) warnings.push(`Placement ${ns}/${target.placement} selects no cluster yet: the works follow its decisions`);
  }
  objects.push({
    ...TYPE.manifestWorkReplicaSet,
    metadata: { name: opts.name, namespace: ns, labels: deployLabels(opts.name) },
    spec: { manifestWorkTemplate: spec, placementRefs: [{ name: target.placement, rolloutStrategy: opts.rollout }] },
  });
  return { objects, stale: [], clusters, warnings };
}

export async function planDeploy(client: KubeClient, opts: DeployOptions, readStdin: () => string): Promise<DeployPlan> {
  const manifests = loadManifests(opts.files, readStdin);
  const spec = workSpec(manifests, opts, await pluralResolver(client, manifests.map((m) => m.obj)));
  const target = opts.target!;
  const warnings: string[] = [];
  return target.mode === 'clusters' ? clustersPlan(client, opts.name, target.clusters, spec, warnings) : placementPlan(client, opts, target, spec, warnings);
}

const pathFor = (o: KubeObject) => {
  const ref = { ManifestWork: MANIFEST_WORKS, ManifestWorkReplicaSet: MANIFEST_WORK_REPLICA_SETS, Placement: PLACEMENTS, ManagedClusterSetBinding: MANAGED_CLUSTER_SET_BINDINGS }[o.kind!];
  if (!ref) throw new Error(`deploy does not write kind ${o.kind}`);
  return resourcePath({ ...ref, namespace: o.metadata?.namespace, name: o.metadata?.name });
};

const describe = (o: KubeObject) => `${o.kind} ${o.metadata?.namespace}/${o.metadata?.name}`;

/** Server-side apply of every object: first all as a dry run (nothing written if one is refused), then for real. */
export async function applyPlan(ctx: CommandContext, client: KubeClient, plan: DeployPlan, dryRun: boolean): Promise<void> {
  const apply = (o: KubeObject, dry: boolean) =>
    client.patch(pathFor(o), o, 'apply', { fieldManager: FIELD_MANAGER.cli, force: true, dryRun: dry ? 'All' : undefined }).catch((err: unknown) => {
      throw new CliError(`the hub refused ${describe(o)}: ${describeError(err)}${dry ? '; nothing was changed' : ''}`);
    });
  await Promise.all(plan.objects.map((o) => apply(o, true)));
  if (dryRun) return;
  for (const o of plan.objects) await apply(o, false);
  for (const o of plan.stale) {
    ctx.progress.info(`removing ${describe(o)} (cluster ${o.metadata?.namespace} is no longer named)`);
    await client.delete(pathFor(o)).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  }
}
