/** `ocmadm get clustersets [NAME...]`: cluster sets, how they select, how many clusters, where bound. */
import type { Command } from 'commander';
import type { App } from '../../../cli/app.js';
import { CliError } from '../../../cli/errors.js';
import { isNotFound } from '../../../kube/errors.js';
import { resourcePath } from '../../../kube/resources.js';
import { MANAGED_CLUSTERS, MANAGED_CLUSTER_SETS, MANAGED_CLUSTER_SET_BINDINGS, type ManagedCluster, type ManagedClusterSet, type ManagedClusterSetBinding } from '../../../api/index.js';
import { age } from '../../../ui/output.js';
import { byName, parseGetFormat, printObjects, type Column } from '../../../ui/printer.js';

type Set = ManagedClusterSet & { metadata: { name: string; creationTimestamp?: string } };

export function setColumns(
  clusters: ManagedCluster[],
  bindings: ManagedClusterSetBinding[],
  inClusterSet: (set: ManagedClusterSet, cluster: ManagedCluster) => boolean,
): Column<Set>[] {
  return [
    { header: 'name', value: (s) => s.metadata.name },
    { header: 'selector', value: (s) => s.spec?.clusterSelector?.selectorType ?? 'ExclusiveClusterSetLabel' },
    { header: 'clusters', value: (s) => clusters.filter((c) => inClusterSet(s, c)).length },
    {
      header: 'bound namespaces',
      value: (s) =>
        bindings
          .filter((b) => b.spec?.clusterSet === s.metadata.name)
          .map((b) => b.metadata?.namespace)
          .sort()
          .join(','),
    },
    { header: 'age', value: (s, now) => age(s.metadata.creationTimestamp, now) },
  ];
}

export function register(get: Command, app: App): void {
  const cmd = get
    .command('clustersets')
    .alias('clusterset')
    .description('list the cluster sets of the hub: selector, member clusters, namespaces bound to them')
    .argument('[names...]', 'only these sets')
    .option('-o, --output <format>', 'table, json or yaml', 'table');
  app.action<{ output: string }>(cmd, async (flags, ctx, names) => {
    const format = parseGetFormat(flags.output);
    // The membership rules live with the hub controller; loaded on use (start-up time).
    const { inClusterSet } = await import('../../../runtime/hub/clusterset.js');
    const client = await ctx.client(ctx.globals, 'hub');
    let sets: Set[], clusters: ManagedCluster[], bindings: ManagedClusterSetBinding[];
    try {
      [sets, clusters, bindings] = await Promise.all([
        client.list<Set>(resourcePath(MANAGED_CLUSTER_SETS)).then((l) => l.items),
        client.list<ManagedCluster>(resourcePath(MANAGED_CLUSTERS)).then((l) => l.items),
        client.list<ManagedClusterSetBinding>(resourcePath(MANAGED_CLUSTER_SET_BINDINGS)).then((l) => l.items),
      ]);
    } catch (err) {
      if (isNotFound(err)) throw new CliError(`${client.server} is not an OCM hub (no ManagedClusterSet API); run ocmadm init there first`);
      throw err;
    }
    const missing = names.filter((n) => !sets.some((s) => s.metadata.name === n));
    if (names.length) sets = sets.filter((s) => names.includes(s.metadata.name));
    ctx.io.stdout.write(printObjects(byName(sets), setColumns(clusters, bindings, inClusterSet), format, 'No cluster sets on this hub.'));
    if (missing.length) throw new CliError(`no cluster set named ${missing.join(', ')} on this hub (ocmadm get clustersets lists them)`);
  });
}
