/** `ocmadm get clusters [NAME...]`: the managed clusters of the hub, with what users look at first. */
import type { Command } from 'commander';
import type { App } from '../../../cli/app.js';
import { CliError } from '../../../cli/errors.js';
import { isNotFound } from '../../../kube/errors.js';
import { resourcePath } from '../../../kube/resources.js';
import { MANAGED_CLUSTERS, MANAGED_CLUSTER_SETS, type ManagedCluster, type ManagedClusterSet } from '../../../api/index.js';
import { COND, LABEL } from '../../../api/names.js';
import { age } from '../../../ui/output.js';
import { byName, conditionStatus, parseGetFormat, printObjects, type Column } from '../../../ui/printer.js';

type MC = ManagedCluster & { metadata: NonNullable<ManagedCluster['metadata']> };

export const CLUSTER_COLUMNS: Column<MC>[] = [
  { header: 'name', value: (c) => c.metadata.name },
  { header: 'accepted', value: (c) => c.spec?.hubAcceptsClient === true },
  { header: 'joined', value: (c) => conditionStatus(c, COND.cluster.joined) },
  { header: 'available', value: (c) => conditionStatus(c, COND.cluster.available) },
  { header: 'version', value: (c) => c.status?.version?.kubernetes },
  { header: 'clusterset', value: (c) => c.metadata.labels?.[LABEL.clusterSet] },
  { header: 'cpu', value: (c) => c.status?.allocatable?.cpu ?? c.status?.capacity?.cpu },
  { header: 'memory', value: (c) => c.status?.allocatable?.memory ?? c.status?.capacity?.memory },
  { header: 'age', value: (c, now) => age(c.metadata.creationTimestamp, now) },
];

/**
 * `-o wide` adds what OCM's printer columns show (the cluster's API URL) and what a fleet admin
 * looks up next: every set the cluster is in (label sets and selector sets such as global) and its labels.
 */
export function wideColumns(sets: ManagedClusterSet[], inClusterSet: (s: ManagedClusterSet, c: ManagedCluster) => boolean): Column<MC>[] {
  return [
    ...CLUSTER_COLUMNS,
    { header: 'url', value: (c) => (c.spec?.managedClusterClientConfigs ?? []).map((cc) => cc.url).filter(Boolean).join(',') },
    { header: 'clustersets', value: (c) => sets.filter((s) => inClusterSet(s, c)).map((s) => s.metadata!.name).sort().join(',') },
    { header: 'labels', value: (c) => Object.entries(c.metadata.labels ?? {}).sort().map(([k, v]) => `${k}=${v}`).join(',') },
  ];
}

export function register(get: Command, app: App): void {
  const cmd = get
    .command('clusters')
    .alias('cluster')
    .description('list the managed clusters of the hub: accepted, joined, available, version, set, CPU, memory, age')
    .argument('[names...]', 'only these clusters')
    .option('-l, --selector <selector>', 'label selector, e.g. env=prod')
    .option('-o, --output <format>', 'table, wide (adds URL, all cluster sets, labels), json or yaml', 'table');
  app.action<{ output: string; selector?: string }>(cmd, async (flags, ctx, names) => {
    const wide = flags.output === 'wide';
    const format = parseGetFormat(wide ? 'table' : flags.output);
    const client = await ctx.client(ctx.globals, 'hub');
    let items: MC[];
    try {
      items = (await client.list<MC>(resourcePath(MANAGED_CLUSTERS), flags.selector ? { labelSelector: flags.selector } : undefined)).items;
    } catch (err) {
      if (isNotFound(err)) throw new CliError(`${client.server} is not an OCM hub (no ManagedCluster API); run ocmadm init there first`);
      throw err;
    }
    const missing = names.filter((n) => !items.some((c) => c.metadata.name === n));
    if (names.length) items = items.filter((c) => names.includes(c.metadata.name!));
    let columns = CLUSTER_COLUMNS;
    if (wide) {
      // The membership rules live with the hub controller; loaded on use (start-up time).
      const { inClusterSet } = await import('../../../runtime/hub/clusterset.js');
      columns = wideColumns((await client.list<ManagedClusterSet>(resourcePath(MANAGED_CLUSTER_SETS))).items, inClusterSet);
    }
    ctx.io.stdout.write(printObjects(byName(items), columns, format, 'No managed clusters on this hub.'));
    if (missing.length) throw new CliError(`no managed cluster named ${missing.join(', ')} on this hub (ocmadm get clusters lists them)`);
  });
}
