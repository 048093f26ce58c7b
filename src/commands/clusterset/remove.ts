/**
 * `clusterset unbind` and `clusterset delete`. Delete refuses a set that is still bound or still
 * has member clusters (naming them), since Placements in those namespaces would silently lose
 * their clusters; --force deletes it with its bindings. Checks come before the first write;
 * --dry-run makes the same calls as server dry runs.
 */
import type { CommandContext } from '../../cli/context.js';
import { CliError, UsageError } from '../../cli/errors.js';
import { deleteIfPresent, getOrUndefined, resourcePath } from '../../kube/resources.js';
import { MANAGED_CLUSTERS, MANAGED_CLUSTER_SETS, MANAGED_CLUSTER_SET_BINDINGS, PLACEMENTS, type ManagedCluster, type ManagedClusterSet, type ManagedClusterSetBinding } from '../../api/index.js';
import { CLUSTERSET } from '../../api/names.js';
import { isDns1123Label } from '../../cli/flags.js';
import { changeOf, validateSetName, type SetResult } from './run.js';

export async function unbindSet(ctx: CommandContext, name: string, namespace: string, dryRun = false): Promise<SetResult> {
  validateSetName(name);
  if (!isDns1123Label(namespace)) throw new UsageError(`namespace "${namespace}" is not a valid namespace name`);
  const client = await ctx.client(ctx.globals, 'hub');
  const path = resourcePath({ ...MANAGED_CLUSTER_SET_BINDINGS, namespace, name });
  if (!(await getOrUndefined(client, path))) throw new CliError(`cluster set ${name} is not bound to namespace ${namespace}: nothing to unbind (ocmadm get clustersets shows the bindings)`);
  // Placements there that name the set (or name none: every bound set) lose its clusters.
  const placements = (await client.list<{ metadata?: { name?: string }; spec?: { clusterSets?: string[] } }>(resourcePath({ ...PLACEMENTS, namespace }))).items
    .filter((p) => !p.spec?.clusterSets?.length || p.spec.clusterSets.includes(name))
    .map((p) => p.metadata!.name!)
    .sort();
  await deleteIfPresent(client, path, { dryRun });
  return { action: 'unbind', clusterSet: name, namespace, dryRun: dryRun || undefined, change: changeOf('deleted', dryRun), placements };
}

export async function deleteSet(ctx: CommandContext, name: string, force: boolean, dryRun = false): Promise<SetResult> {
  validateSetName(name);
  const client = await ctx.client(ctx.globals, 'hub');
  const set = await getOrUndefined<ManagedClusterSet>(client, resourcePath({ ...MANAGED_CLUSTER_SETS, name }));
  if (!set) throw new CliError(`cluster set "${name}" does not exist (ocmadm get clustersets lists them)`);
  if (!force && (name === CLUSTERSET.default || name === CLUSTERSET.global)) {
    throw new CliError(`cluster set ${name} is made by the hub and comes back; pass --force to delete it anyway`);
  }
  const { inClusterSet } = await import('../../runtime/hub/clusterset.js');
  const [bindings, clusters] = await Promise.all([
    client.list<ManagedClusterSetBinding>(resourcePath(MANAGED_CLUSTER_SET_BINDINGS)).then((l) => l.items.filter((b) => b.spec?.clusterSet === name)),
    client.list<ManagedCluster>(resourcePath(MANAGED_CLUSTERS)).then((l) => l.items.filter((c) => inClusterSet(set, c))),
  ]);
  const bound = bindings.map((b) => b.metadata!.namespace!).sort();
  const members = clusters.map((c) => c.metadata!.name!).sort();
  if (!force && (bound.length || members.length)) {
    const why = [bound.length ? `bound to namespace ${bound.join(', ')}` : '', members.length ? `clusters in it: ${members.join(', ')}` : ''].filter(Boolean).join('; ');
    const fix = [bound.length ? `ocmadm clusterset unbind ${name} -n NS` : '', members.length ? 'ocmadm clusterset set OTHER --clusters ...' : ''].filter(Boolean).join(', ');
    throw new CliError(`cluster set ${name} is in use (${why}): free it (${fix}) or pass --force; nothing was deleted`);
  }
  for (const ns of bound) await deleteIfPresent(client, resourcePath({ ...MANAGED_CLUSTER_SET_BINDINGS, namespace: ns, name }), { dryRun });
  await deleteIfPresent(client, resourcePath({ ...MANAGED_CLUSTER_SETS, name }), { dryRun });
  return { action: 'delete', clusterSet: name, dryRun: dryRun || undefined, change: changeOf('deleted', dryRun), bindings: bound, members };
}
