import type { Command } from 'commander';
import { Option } from 'commander';
import type { App } from '../../../cli/app.js';
import { CliError } from '../../../cli/errors.js';
import { formatResult } from '../../../ui/output.js';
import { deleteWorkOptions, type DeleteWorkFlags } from './options.js';
import { deleteWorkText } from './render.js';

export function register(del: Command, app: App): void {
  const cmd = del
    .command('work')
    .description('delete a ManifestWork from managed clusters (its agent then removes what it applied)')
    .argument('<name>', 'ManifestWork name')
    .option('--clusters <a,b,...>', 'the managed clusters (hub namespaces) to delete it from')
    .option('--dry-run', 'check that every work exists (the hub dry-runs the deletes) and delete nothing')
    .option('--wait', 'wait until each work is gone from the hub, i.e. removed from its spoke (up to --timeout)')
    .option('-o, --output <format>', 'text or json', 'text')
    .addOption(new Option('--cluster <name>', "clusteradm's spelling of --clusters").hideHelp())
    .addHelpText(
      'after',
      `
Exit status: 0 when deleted (with --wait: gone), 1 when a work does not exist (nothing is deleted) or is still there at the deadline, 2 for bad flags.

Examples:
  ocmadm delete work hello --clusters cluster1,cluster2 --wait
  ocmadm delete work hello --clusters cluster1 --dry-run`,
    );
  app.action<DeleteWorkFlags>(cmd, async (flags, ctx, [name]) => {
    const opts = deleteWorkOptions(name!, flags);
    const { runDeleteWork } = await import('./run.js');
    const hub = await ctx.client(ctx.globals, 'hub');
    if (opts.wait && !opts.dryRun) ctx.progress.start(`deleting ${opts.name} and waiting for the agents to remove it`);
    const result = await runDeleteWork(opts, { hub, deadline: ctx.deadline(), signal: ctx.signal });
    ctx.progress.stop();
    ctx.io.stdout.write(formatResult(result, opts.output, deleteWorkText));
    const left = result.clusters.filter((c) => c.gone === false);
    if (left.length) throw new CliError(`ManifestWork ${opts.name} is still on the hub in ${left.map((c) => c.cluster).join(', ')}; raise --timeout or check those agents`);
  });
}
