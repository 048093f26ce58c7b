/**
 * The common cluster-set tasks: create a set, bind it to a namespace (so Placements there can
 * use it), and put clusters into it (the set label; the admission guard checks the caller may).
 * Every check happens before the first write.
 */
import type { CommandContext } from '../../cli/context.js';
import { CliError, UsageError } from '../../cli/errors.js';
import type { KubeClient, KubeObject } from '../../kube/client.js';
import { describeError, isNotFound } from '../../kube/errors.js';
import { resourcePath, getOrUndefined } from '../../kube/resources.js';
import { MANAGED_CLUSTERS, MANAGED_CLUSTER_SETS, MANAGED_CLUSTER_SET_BINDINGS, TYPE, type ManagedCluster } from '../../api/index.js';
import { FIELD_MANAGER, GROUP, LABEL } from '../../api/names.js';
import { requirePermissions } from '../../install/hub/access.js';
import { isDns1123Label, isDns1123Subdomain } from '../../cli/flags.js';
import { NAMESPACES } from '../../kube/core.js';

export type Change = 'created' | 'updated' | 'unchanged' | 'deleted' | 'would-create' | 'would-update' | 'would-delete';

/** The change a write makes, or would make under --dry-run. */
export const changeOf = (c: 'created' | 'updated' | 'deleted', dryRun: boolean): Change => (dryRun ? `would-${c.slice(0, -1)}` as Change : c);

export interface SetResult {
  action: 'create' | 'bind' | 'set' | 'unbind' | 'delete';
  clusterSet: string;
  dryRun?: boolean;
  /** delete --force: the bindings removed with the set, and the clusters that were in it. */
  bindings?: string[];
  members?: string[];
  /** unbind: Placements in the namespace that select from the set (or from every bound set). */
  placements?: string[];
  namespace?: string;
  clusters?: { name: string; from?: string; change: Change }[];
  change?: Change;
}

/** `k=v,k2=v2` → matchLabels; usage error otherwise. */
export function parseLabels(text: string, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([A-Za-z0-9./_-]+)=([A-Za-z0-9._-]*)$/.exec(part);
    if (!m) throw new UsageError(`${flag}: "${part}" is not key=value`);
    out[m[1]!] = m[2]!;
  }
  if (!Object.keys(out).length) throw new UsageError(`${flag} needs at least one key=value`);
  return out;
}

export function validateSetName(name: string): void {
  if (!isDns1123Subdomain(name)) throw new UsageError(`cluster set name "${name}" must be a DNS-1123 subdomain (lowercase letters, digits, '-' and '.')`);
}

export async function requireSet(client: KubeClient, name: string): Promise<void> {
  try {
    await client.get(resourcePath({ ...MANAGED_CLUSTER_SETS, name }));
  } catch (err) {
    if (isNotFound(err)) throw new CliError(`cluster set "${name}" does not exist; create it with: ocmadm clusterset create ${name}`);
    throw err;
  }
}

const dry = (dryRun: boolean) => (dryRun ? { dryRun: 'All' } : {});

export async function createSet(ctx: CommandContext, name: string, labelSelector?: Record<string, string>, dryRun = false): Promise<SetResult> {
  validateSetName(name);
  const client = await ctx.client(ctx.globals, 'hub');
  const path = resourcePath({ ...MANAGED_CLUSTER_SETS, name });
  const existing = await getOrUndefined<KubeObject>(client, path);
  const spec = labelSelector
    ? { clusterSelector: { selectorType: 'LabelSelector', labelSelector: { matchLabels: labelSelector } } }
    : { clusterSelector: { selectorType: 'ExclusiveClusterSetLabel' } };
  if (existing && JSON.stringify(existing.spec) === JSON.stringify(spec)) return { action: 'create', clusterSet: name, change: 'unchanged' };
  await client.patch(path, { ...TYPE.managedClusterSet, metadata: { name }, spec }, 'apply', { fieldManager: FIELD_MANAGER.cli, force: true, ...dry(dryRun) });
  return { action: 'create', clusterSet: name, dryRun: dryRun || undefined, change: changeOf(existing ? 'updated' : 'created', dryRun) };
}

export async function bindSet(ctx: CommandContext, name: string, namespace: string, dryRun = false): Promise<SetResult> {
  validateSetName(name);
  if (!isDns1123Label(namespace)) throw new UsageError(`namespace "${namespace}" is not a valid namespace name`);
  const client = await ctx.client(ctx.globals, 'hub');
  await requireSet(client, name);
  if (!(await getOrUndefined(client, resourcePath({ ...NAMESPACES, name: namespace })))) {
    throw new CliError(`namespace "${namespace}" does not exist on the hub; create it first (kubectl create namespace ${namespace})`);
  }
  const path = resourcePath({ ...MANAGED_CLUSTER_SET_BINDINGS, namespace, name });
  const existing = await getOrUndefined(client, path);
  if (existing) return { action: 'bind', clusterSet: name, namespace, change: 'unchanged' };
  // The hub's binding guard asks the same (OCM's webhook does): refuse before writing anything.
  await requirePermissions(
    client,
    [
      { verb: 'create', group: GROUP.cluster, resource: 'managedclustersets', subresource: 'bind', name },
      { verb: 'create', group: GROUP.cluster, resource: 'managedclustersetbindings', namespace },
    ],
    `bind cluster set "${name}" to namespace ${namespace}`,
  );
  await client.create(resourcePath({ ...MANAGED_CLUSTER_SET_BINDINGS, namespace }), {
    ...TYPE.managedClusterSetBinding,
    metadata: { name, namespace },
    spec: { clusterSet: name },
  }, dry(dryRun));
  return { action: 'bind', clusterSet: name, namespace, dryRun: dryRun || undefined, change: changeOf('created', dryRun) };
}

export async function setClusters(ctx: CommandContext, name: string, clusters: string[], dryRun = false): Promise<SetResult> {
  validateSetName(name);
  if (!clusters.length) throw new UsageError('--clusters needs at least one cluster name');
  const client = await ctx.client(ctx.globals, 'hub');
  await requireSet(client, name);
  const found = await Promise.all(clusters.map((c) => getOrUndefined<ManagedCluster>(client, resourcePath({ ...MANAGED_CLUSTERS, name: c }))));
  const missing = clusters.filter((_, i) => !found[i]);
  if (missing.length) throw new CliError(`no managed cluster named ${missing.join(', ')} on this hub; nothing was changed`);
  const out: NonNullable<SetResult['clusters']> = [];
  for (const [i, c] of clusters.entries()) {
    const from = found[i]!.metadata?.labels?.[LABEL.clusterSet];
    if (from === name) {
      out.push({ name: c, from, change: 'unchanged' });
      continue;
    }
    try {
      await client.patch(resourcePath({ ...MANAGED_CLUSTERS, name: c }), { metadata: { labels: { [LABEL.clusterSet]: name } } }, 'merge', dry(dryRun));
    } catch (err) {
      const done = out.filter((o) => o.change !== 'unchanged').map((o) => o.name);
      throw new CliError(`cannot move ${c} into "${name}": ${describeError(err)}${done.length ? ` (already moved: ${done.join(', ')})` : ''}`);
    }
    out.push({ name: c, from, change: changeOf('updated', dryRun) });
  }
  return { action: 'set', clusterSet: name, dryRun: dryRun || undefined, clusters: out };
}

const DRY = ' (dry run: nothing was written)';

export function setText(r: SetResult): string {
  const would = r.dryRun ? 'would be ' : '';
  const tail = r.dryRun ? DRY : '';
  switch (r.action) {
    case 'create':
      return `cluster set ${r.clusterSet} ${r.change === 'unchanged' ? 'unchanged' : `${would}${r.change!.endsWith('update') || r.change === 'updated' ? 'updated' : 'created'}`}${tail}\n`;
    case 'bind':
      return r.change === 'unchanged' ? `cluster set ${r.clusterSet} was already bound to namespace ${r.namespace}\n` : `cluster set ${r.clusterSet} ${would}bound to namespace ${r.namespace}${tail}\n`;
    case 'unbind':
      return `cluster set ${r.clusterSet} ${would}unbound from namespace ${r.namespace}${r.placements?.length ? `; placements there that lose its clusters: ${r.placements.join(', ')}` : ''}${tail}\n`;
    case 'delete': {
      const extra = [r.bindings?.length ? `its bindings in ${r.bindings.join(', ')} ${would}deleted too` : '', r.members?.length ? `clusters left without it: ${r.members.join(', ')}` : ''];
      return `cluster set ${r.clusterSet} ${would}deleted${extra.filter(Boolean).map((e) => `; ${e}`).join('')}${tail}\n`;
    }
    default:
      return r.clusters!.map((c) => `${c.name}: ${c.change === 'unchanged' ? `already in ${r.clusterSet}` : `${r.dryRun ? 'would move' : 'moved'} from ${c.from ?? '(none)'} to ${r.clusterSet}`}\n`).join('') + (r.dryRun ? `dry run: nothing was written\n` : '');
  }
}
