/** `ocmadm get placements [NAME] [-n NS]`: Placements, how many clusters they selected, and whether satisfied. */
import type { Command } from 'commander';
import type { App } from '../../../cli/app.js';
import { CliError } from '../../../cli/errors.js';
import { isNotFound } from '../../../kube/errors.js';
import { resourcePath } from '../../../kube/resources.js';
import { PLACEMENTS, type Placement } from '../../../api/index.js';
import { COND } from '../../../api/names.js';
import { age } from '../../../ui/output.js';
import { byName, conditionStatus, parseGetFormat, printObjects, type Column } from '../../../ui/printer.js';

const satisfied = (p: Placement) => (p.status?.conditions as { type: string; reason?: string }[] | undefined)?.find((c) => c.type === COND.placement.satisfied);

export const PLACEMENT_COLUMNS: Column<Placement>[] = [
  { header: 'namespace', value: (p) => p.metadata?.namespace },
  { header: 'name', value: (p) => p.metadata?.name },
  { header: 'selected', value: (p) => p.status?.numberOfSelectedClusters },
  { header: 'satisfied', value: (p) => conditionStatus(p, COND.placement.satisfied) },
  { header: 'reason', value: (p) => satisfied(p)?.reason },
  { header: 'age', value: (p, now) => age(p.metadata?.creationTimestamp, now) },
];

export function register(get: Command, app: App): void {
  const cmd = get
    .command('placements')
    .alias('placement')
    .description('list Placements: clusters selected, PlacementSatisfied and its reason')
    .argument('[name]', 'only placements of this name')
    .option('-n, --namespace <namespace>', 'only this namespace (default: all)')
    .option('-o, --output <format>', 'table, json or yaml', 'table');
  app.action<{ output: string; namespace?: string }>(cmd, async (flags, ctx, [name]) => {
    const format = parseGetFormat(flags.output);
    const client = await ctx.client(ctx.globals, 'hub');
    let items: Placement[];
    try {
      items = (await client.list<Placement>(resourcePath({ ...PLACEMENTS, namespace: flags.namespace }))).items;
    } catch (err) {
      if (isNotFound(err)) throw new CliError(`${client.server} is not an OCM hub (no Placement API); run ocmadm init there first`);
      throw err;
    }
    if (name) items = items.filter((p) => p.metadata?.name === name);
    ctx.io.stdout.write(printObjects(byName(items), PLACEMENT_COLUMNS, format, 'No Placements.'));
    if (name && !items.length) throw new CliError(`no Placement named ${name}${flags.namespace ? ` in namespace ${flags.namespace}` : ''}`);
  });
}
