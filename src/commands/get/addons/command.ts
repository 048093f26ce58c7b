/** `ocmadm get addons [NAME] [--cluster c]`: ManagedClusterAddOns on the hub, as kubectl prints them plus where the agent runs. */
import type { Command } from 'commander';
import type { App } from '../../../cli/app.js';
import { CliError } from '../../../cli/errors.js';
import { isNotFound } from '../../../kube/errors.js';
import { resourcePath } from '../../../kube/resources.js';
import { MANAGED_CLUSTER_ADDONS, type ManagedClusterAddOn } from '../../../api/index.js';
import { ADDON_COND } from '../../../api/names.js';
import { checkClusterName } from '../../../cli/flags.js';
import { age } from '../../../ui/output.js';
import { byName, conditionStatus, parseGetFormat, printObjects, type Column } from '../../../ui/printer.js';

export const ADDON_COLUMNS: Column<ManagedClusterAddOn>[] = [
  { header: 'cluster', value: (a) => a.metadata?.namespace },
  { header: 'name', value: (a) => a.metadata?.name },
  { header: 'available', value: (a) => conditionStatus(a, ADDON_COND.available) },
  { header: 'degraded', value: (a) => conditionStatus(a, ADDON_COND.degraded) },
  { header: 'progressing', value: (a) => conditionStatus(a, ADDON_COND.progressing) },
  { header: 'namespace', value: (a) => a.status?.namespace },
  { header: 'age', value: (a, now) => age(a.metadata?.creationTimestamp, now) },
];

export function register(get: Command, app: App): void {
  const cmd = get
    .command('addons')
    .alias('addon')
    .description('list enabled add-ons: cluster, name, Available, Degraded, Progressing, agent namespace')
    .argument('[name]', 'only this add-on')
    .option('--cluster <name>', 'only the add-ons of this cluster')
    .option('-o, --output <format>', 'table, json or yaml', 'table');
  app.action<{ output: string; cluster?: string }>(cmd, async (flags, ctx, [name]) => {
    const format = parseGetFormat(flags.output);
    if (flags.cluster !== undefined) checkClusterName(flags.cluster, '--cluster');
    const client = await ctx.client(ctx.globals, 'hub');
    let items: ManagedClusterAddOn[];
    try {
      items = (await client.list<ManagedClusterAddOn>(resourcePath({ ...MANAGED_CLUSTER_ADDONS, namespace: flags.cluster }))).items;
    } catch (err) {
      if (isNotFound(err)) throw new CliError(`${client.server} is not an OCM hub (no ManagedClusterAddOn API); run ocmadm init there first`);
      throw err;
    }
    if (name) items = items.filter((a) => a.metadata?.name === name);
    ctx.io.stdout.write(printObjects(byName(items), ADDON_COLUMNS, format, name ? `No add-on named ${name}.` : 'No add-ons.'));
    if (name && !items.length) throw new CliError(`no add-on named ${name} is enabled${flags.cluster ? ` on cluster ${flags.cluster}` : ''}`);
  });
}
