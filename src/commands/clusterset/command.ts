import type { Command } from 'commander';
import type { App } from '../../cli/app.js';
import { parseList } from '../../cli/flags.js';
import { formatResult, parseOutputFormat } from '../../ui/output.js';
import { bindSet, createSet, parseLabels, setClusters, setText } from './run.js';

export function register(program: Command, app: App): void {
  const set = program.command('clusterset').description('create cluster sets, bind them to namespaces, put clusters into them (on the hub)');
  const out = (c: Command) => c.option('-o, --output <format>', 'text or json', 'text');

  const create = out(
    set
      .command('create')
      .description('create a cluster set: members by the cluster-set label (default) or by a label selector')
      .argument('<name>', 'cluster set name')
      .option('--label-selector <k=v,...>', 'members are the clusters with these labels (selector type LabelSelector)'),
  );
  app.action<{ output: string; labelSelector?: string }>(create, async (f, ctx, [name]) => {
    const format = parseOutputFormat(f.output, ['text', 'json']);
    const sel = f.labelSelector === undefined ? undefined : parseLabels(f.labelSelector, '--label-selector');
    ctx.io.stdout.write(formatResult(await createSet(ctx, name!, sel), format, setText));
  });

  const bind = out(
    set
      .command('bind')
      .description('bind a cluster set to a namespace, so Placements there may select its clusters')
      .argument('<name>', 'cluster set name')
      .requiredOption('-n, --namespace <namespace>', 'namespace of the Placements'),
  );
  app.action<{ output: string; namespace: string }>(bind, async (f, ctx, [name]) => {
    const format = parseOutputFormat(f.output, ['text', 'json']);
    ctx.io.stdout.write(formatResult(await bindSet(ctx, name!, f.namespace), format, setText));
  });

  const put = out(
    set
      .command('set')
      .description('move clusters into a cluster set (sets their cluster-set label)')
      .argument('<name>', 'cluster set name')
      .requiredOption('--clusters <a,b,...>', 'managed clusters to move'),
  );
  app.action<{ output: string; clusters: string }>(put, async (f, ctx, [name]) => {
    const format = parseOutputFormat(f.output, ['text', 'json']);
    ctx.io.stdout.write(formatResult(await setClusters(ctx, name!, parseList(f.clusters)), format, setText));
  });
}
