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
import { FIELD_MANAGER, LABEL } from '../../api/names.js';
import { isDns1123Label, isDns1123Subdomain } from '../../cli/flags.js';

export type Change = 'created' | 'updated' | 'unchanged';

export interface SetResult {
  action: 'create' | 'bind' | 'set';
  clusterSet: string;
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

async function requireSet(client: KubeClient, name: string): Promise<void> {
  try {
    await client.get(resourcePath({ ...MANAGED_CLUSTER_SETS, name }));
  } catch (err) {
    if (isNotFound(err)) throw new CliError(`cluster set "${name}" does not exist; create it with: ocmadm clusterset create ${name}`);
    throw err;
  }
}

export async function createSet(ctx: CommandContext, name: string, labelSelector?: Record<string, string>): Promise<SetResult> {
  validateSetName(name);
  const client = await ctx.client(ctx.globals, 'hub');
  const path = resourcePath({ ...MANAGED_CLUSTER_SETS, name });
  const existing = await getOrUndefined<KubeObject>(client, path);
  const spec = labelSelector
    ? { clusterSelector: { selectorType: 'LabelSelector', labelSelector: { matchLabels: labelSelector } } }
    : { clusterSelector: { selectorType: 'ExclusiveClusterSetLabel' } };
  if (existing && JSON.stringify(existing.spec) === JSON.stringify(spec)) return { action: 'create', clusterSet: name, change: 'unchanged' };
  await client.patch(path, { ...TYPE.managedClusterSet, metadata: { name }, spec }, 'apply', { fieldManager: FIELD_MANAGER.cli, force: true });
  return { action: 'create', clusterSet: name, change: existing ? 'updated' : 'created' };
}

export async function bindSet(ctx: CommandContext, name: string, namespace: string): Promise<SetResult> {
  validateSetName(name);
  if (!isDns1123Label(namespace)) throw new UsageError(`namespace "${namespace}" is not a valid namespace name`);
  const client = await ctx.client(ctx.globals, 'hub');
  await requireSet(client, name);
  if (!(await getOrUndefined(client, resourcePath({ group: '', version: 'v1', resource: 'namespaces', name: namespace })))) {
    throw new CliError(`namespace "${namespace}" does not exist on the hub; create it first (kubectl create namespace ${namespace})`);
  }
  const path = resourcePath({ ...MANAGED_CLUSTER_SET_BINDINGS, namespace, name });
  const existing = await getOrUndefined(client, path);
  if (existing) return { action: 'bind', clusterSet: name, namespace, change: 'unchanged' };
  await client.create(resourcePath({ ...MANAGED_CLUSTER_SET_BINDINGS, namespace }), {
    ...TYPE.managedClusterSetBinding,
    metadata: { name, namespace },
    spec: { clusterSet: name },
  });
  return { action: 'bind', clusterSet: name, namespace, change: 'created' };
}

export async function setClusters(ctx: CommandContext, name: string, clusters: string[]): Promise<SetResult> {
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
      await client.patch(resourcePath({ ...MANAGED_CLUSTERS, name: c }), { metadata: { labels: { [LABEL.clusterSet]: name } } }, 'merge');
    } catch (err) {
      const done = out.filter((o) => o.change === 'updated').map((o) => o.name);
      throw new CliError(`cannot move ${c} into "${name}": ${describeError(err)}${done.length ? ` (already moved: ${done.join(', ')})` : ''}`);
    }
    out.push({ name: c, from, change: 'updated' });
  }
  return { action: 'set', clusterSet: name, clusters: out };
}

export function setText(r: SetResult): string {
  if (r.action === 'create') return `cluster set ${r.clusterSet} ${r.change}\n`;
  if (r.action === 'bind') return `cluster set ${r.clusterSet} ${r.change === 'created' ? 'bound to' : 'was already bound to'} namespace ${r.namespace}\n`;
  return r.clusters!.map((c) => `${c.name}: ${c.change === 'unchanged' ? `already in ${r.clusterSet}` : `moved from ${c.from ?? '(none)'} to ${r.clusterSet}`}\n`).join('');
}
