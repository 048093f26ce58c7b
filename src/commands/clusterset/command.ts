import type { Command } from 'commander';
import type { App } from '../../cli/app.js';
import { parseList } from '../../cli/flags.js';
import { formatResult, parseOutputFormat } from '../../ui/output.js';
import { bindSet, createSet, parseLabels, setClusters, setText } from './run.js';
import { deleteSet, unbindSet } from './remove.js';

const DRY_RUN = 'check everything (the hub dry-runs the writes) and write nothing';

export function register(program: Command, app: App): void {
  const set = program.command('clusterset').description('create, bind, unbind and delete cluster sets, put clusters into them (on the hub)');
  const out = (c: Command) => c.option('--dry-run', DRY_RUN).option('-o, --output <format>', 'text or json', 'text');
  type Flags = { output: string; dryRun?: boolean };

  const create = out(
    set
      .command('create')
      .description('create a cluster set: members by the cluster-set label (default) or by a label selector')
      .argument('<name>', 'cluster set name')
      .option('--label-selector <k=v,...>', 'members are the clusters with these labels (selector type LabelSelector)'),
  );
  app.action<Flags & { labelSelector?: string }>(create, async (f, ctx, [name]) => {
    const format = parseOutputFormat(f.output, ['text', 'json']);
    const sel = f.labelSelector === undefined ? undefined : parseLabels(f.labelSelector, '--label-selector');
    ctx.io.stdout.write(formatResult(await createSet(ctx, name!, sel, !!f.dryRun), format, setText));
  });

  const bind = out(
    set
      .command('bind')
      .description('bind a cluster set to a namespace, so Placements there may select its clusters')
      .argument('<name>', 'cluster set name')
      .requiredOption('-n, --namespace <namespace>', 'namespace of the Placements'),
  );
  app.action<Flags & { namespace: string }>(bind, async (f, ctx, [name]) => {
    const format = parseOutputFormat(f.output, ['text', 'json']);
    ctx.io.stdout.write(formatResult(await bindSet(ctx, name!, f.namespace, !!f.dryRun), format, setText));
  });

  const unbind = out(
    set
      .command('unbind')
      .description('remove the binding of a cluster set to a namespace (Placements there stop selecting its clusters)')
      .argument('<name>', 'cluster set name')
      .requiredOption('-n, --namespace <namespace>', 'namespace the set is bound to'),
  );
  app.action<Flags & { namespace: string }>(unbind, async (f, ctx, [name]) => {
    const format = parseOutputFormat(f.output, ['text', 'json']);
    ctx.io.stdout.write(formatResult(await unbindSet(ctx, name!, f.namespace, !!f.dryRun), format, setText));
  });

  const del = out(
    set
      .command('delete')
      .description('delete a cluster set; refused while it is bound to a namespace or has clusters, unless --force')
      .argument('<name>', 'cluster set name')
      .option('--force', 'delete it anyway, with its bindings (its clusters are then in no set of that name)')
      .addHelpText('after', '\nExit status: 0 when deleted, 1 when the set is missing or in use (what binds it and which clusters are in it are named), 2 for bad flags.'),
  );
  app.action<Flags & { force?: boolean }>(del, async (f, ctx, [name]) => {
    const format = parseOutputFormat(f.output, ['text', 'json']);
    ctx.io.stdout.write(formatResult(await deleteSet(ctx, name!, !!f.force, !!f.dryRun), format, setText));
  });

  const put = out(
    set
      .command('set')
      .description('move clusters into a cluster set (sets their cluster-set label)')
      .argument('<name>', 'cluster set name')
      .requiredOption('--clusters <a,b,...>', 'managed clusters to move'),
  );
  app.action<Flags & { clusters: string }>(put, async (f, ctx, [name]) => {
    const format = parseOutputFormat(f.output, ['text', 'json']);
    ctx.io.stdout.write(formatResult(await setClusters(ctx, name!, parseList(f.clusters), !!f.dryRun), format, setText));
  });
}
