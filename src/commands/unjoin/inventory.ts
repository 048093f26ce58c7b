/**
 * Reads what a spoke holds of the klusterlet joined as one cluster name (read-only). Object names
 * come from rendering join's own templates, so unjoin removes exactly what join installs.
 */
import type { KubeClient, KubeObject } from '../../kube/client.js';
import { CliError } from '../../cli/errors.js';
import { isNotFound } from '../../kube/errors.js';
import { Discovery, resourcePath } from '../../kube/resources.js';
import { SECRETS } from '../../kube/core.js';
import { CLUSTER_CLAIMS } from '../../api/index.js';
import { GROUP, LABEL, MANAGED_BY } from '../../api/names.js';
import { CRDS_REF, spokeCrdNames } from '../../install/klusterlet/crds.js';
import { KLUSTERLET, clusterOfInstance, klusterletObjects } from '../../install/klusterlet/klusterlet.js';
import { inspectSpoke, type SpokeState } from '../../install/klusterlet/spoke-state.js';
import { getOrUndefined } from '../../kube/resources.js';
import { planAppliedWorks } from './applied-works.js';
import type { Inventory, Ref, Step } from './plan.js';
import { missingPermissions, whoAmI, type AccessCheck } from '../shared/hub.js';

/** OCM's own klusterlet operator, if installed: its Klusterlets also need the spoke CRDs. */
const OCM_KLUSTERLETS = { group: GROUP.operator, version: 'v1', resource: 'klusterlets' };

/** Every object join makes (rendered for the cluster runtime, so the Deployment is included). */
function joinObjects(cluster: string): KubeObject[] {
  return klusterletObjects({ clusterName: cluster, runtime: 'cluster', image: 'unused', clusterClaims: {}, bootstrapKubeconfig: '' });
}

async function exists(client: KubeClient, ref: Ref): Promise<boolean> {
  return (await getOrUndefined(client, resourcePath(ref))) !== undefined;
}

async function listOrEmpty<T extends KubeObject>(client: KubeClient, path: string, query?: Record<string, string>): Promise<T[]> {
  try {
    return (await client.list<T>(path, query)).items;
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
}

export async function readInventory(spoke: KubeClient, cluster: string, env: NodeJS.ProcessEnv, orphan: boolean): Promise<{ inventory: Inventory; state: SpokeState }> {
  const state = await inspectSpoke(spoke, env);
  const others = state.joinedAs.filter((n) => n !== cluster);
  if (others.length && !state.joinedAs.includes(cluster)) {
    throw new CliError(`this spoke is joined as ${others.join(', ')}, not ${cluster}: run \`ocmadm unjoin --cluster-name ${others[0]}\``);
  }
  const discovery = new Discovery(spoke);
  const rendered = joinObjects(cluster);
  const refs = await Promise.all(rendered.map(async (o) => ({ kind: o.kind!, ref: (await discovery.refFor(o)) as Ref })));
  const byKind = (k: string) => refs.filter((r) => r.kind === k);
  const secretRef = (name: string): Ref => ({ ...SECRETS, namespace: KLUSTERLET.namespace, name });
  // Deletion order: credentials first, then RBAC bindings before roles, then the ServiceAccount.
  const candidates = [
    ...KLUSTERLET.secrets.map((n) => ({ kind: 'Secret', ref: secretRef(n) })),
    ...byKind('ClusterRoleBinding'),
    ...byKind('ClusterRole'),
    ...byKind('RoleBinding'),
    ...byKind('Role'),
    ...byKind('ServiceAccount'),
  ];
  const present = await Promise.all(candidates.map(async (c) => ((await exists(spoke, c.ref)) ? c : undefined)));
  const deployment = byKind('Deployment')[0]?.ref;
  const namespace = byKind('Namespace')[0]?.ref;

  const hubServers = [state.bootstrapHub, hubOfSecret(state)].filter((s): s is string => !!s);
  const { works, foreign } = await planAppliedWorks(spoke, hubServers, orphan);
  const claims = await listOrEmpty(spoke, resourcePath(CLUSTER_CLAIMS), { labelSelector: `${LABEL.managedBy}=${MANAGED_BY}` });
  const crds: Ref[] = spokeCrdNames().map((name) => ({ ...CRDS_REF, name }));
  const ocmKlusterlets = await listOrEmpty(spoke, resourcePath(OCM_KLUSTERLETS));

  const inventory: Inventory = {
    cluster,
    spokeServer: spoke.server,
    joinedAs: state.joinedAs,
    localInstances: state.localRuntimes
      .filter((r) => clusterOfInstance(r.instance) === cluster)
      .map((r) => ({ instance: r.instance, running: r.running, dir: r.dir })),
    deployment: deployment && state.deployment ? deployment : undefined,
    works,
    foreignWorks: foreign,
    objects: present.filter((p): p is (typeof candidates)[number] => !!p),
    claims: claims.map((c) => ({ ...CLUSTER_CLAIMS, name: c.metadata!.name! })),
    namespace: namespace && state.namespace ? namespace : undefined,
    crds: (await Promise.all(crds.map(async (c) => ((await exists(spoke, c)) ? c : undefined)))).filter((c): c is Ref => !!c),
    otherKlusterlets: [...others, ...ocmKlusterlets.map((k) => `Klusterlet ${k.metadata?.name}`)],
  };
  return { inventory, state };
}

/**
 * Nothing of any klusterlet on the spoke, not even the CRDs: it was never joined (or purged), so
 * the kubeconfig most likely names the wrong cluster. A spoke that an earlier unjoin cleaned
 * keeps the CRDs, and unjoining it again stays a no-op.
 */
export function noKlusterlet(inv: Inventory): boolean {
  return (
    !inv.joinedAs.length && !inv.localInstances.length && !inv.deployment && !inv.works.length && !inv.foreignWorks.length &&
    !inv.objects.length && !inv.claims.length && !inv.namespace && !inv.crds.length && !inv.otherKlusterlets.length
  );
}

/** The hub server named in hub-kubeconfig-secret's kubeconfig (the agent's current hub). */
function hubOfSecret(state: SpokeState): string | undefined {
  const text = state.hubSecret?.data?.kubeconfig;
  if (!text) return undefined;
  const m = /server:\s*(\S+)/.exec(Buffer.from(text, 'base64').toString('utf8'));
  return m?.[1]?.replace(/^["']|["']$/g, '');
}

/** The SelfSubjectAccessReviews a plan needs (delete or patch per resource kind), deduplicated. */
export function accessChecks(steps: Step[]): AccessCheck[] {
  const seen = new Map<string, AccessCheck>();
  for (const s of steps) {
    if (!s.ref || s.action === 'keep' || s.action === 'stop') continue;
    const verb = s.action === 'delete' ? 'delete' : 'patch';
    const key = `${s.ref.group}/${s.ref.resource}/${s.ref.namespace ?? ''}/${verb}`;
    if (!seen.has(key)) {
      const where = s.ref.namespace ? ` in ${s.ref.namespace}` : '';
      seen.set(key, { group: s.ref.group, resource: s.ref.resource, namespace: s.ref.namespace, verb, what: `${verb} ${s.ref.resource}${where}` });
    }
  }
  return [...seen.values()];
}

/** Refuses before any change when the spoke identity may not carry the plan out. */
export async function checkSpokeAccess(spoke: KubeClient, steps: Step[]): Promise<void> {
  const missing = await missingPermissions(spoke, accessChecks(steps));
  if (missing.length === 0) return;
  const me = await whoAmI(spoke).catch(() => undefined);
  throw new CliError(`${me?.username ?? 'this identity'} may not ${missing.map((m) => m.what).join(', ')} on the spoke: unjoin needs a spoke administrator's kubeconfig`);
}
