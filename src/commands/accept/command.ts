import type { Command } from 'commander';
import type { App } from '../../cli/app.js';
import { formatResult } from '../../ui/output.js';
import { CliError } from '../../cli/errors.js';
import { acceptOptions, type AcceptFlags } from './options.js';

export function register(program: Command, app: App): void {
  const cmd = program
    .command('accept')
    .description('accept managed clusters on the hub: approve their agents\' CSRs and set hubAcceptsClient (run on the hub)')
    .option('-c, --clusters <names>', 'clusters to accept, comma-separated (on a terminal, omit to choose from the pending ones)')
    .option('--wait', 'wait until each cluster is Joined and Available (up to --timeout)')
    .option('--skip-approve-check', 'also approve CSRs whose requester is not a bootstrap identity (the subject must still be the agent\'s)')
    .option('--requesters <names>', 'when several agents compete for a name, approve only these (agent IDs, CSR common names or usernames)')
    .option('--dry-run', 'check everything (the hub dry-runs each approval and patch) and change nothing')
    .option('-o, --output <format>', 'text or json', 'text')
    .addHelpText(
      'after',
      `
Exit status: 0 when every cluster is accepted (already accepted counts), 1 otherwise, 2 for bad flags.

Examples:
  ocmadm accept --clusters cluster1,cluster2 --wait
  ocmadm accept --clusters cluster1 --requesters x7k2p
  ocmadm accept --clusters cluster1 --dry-run`,
    );
  app.action<AcceptFlags>(cmd, async (flags, ctx) => {
    // Loaded on use: --help and the other commands start without them.
    const { askChoose } = await import('../../cli/prompts.js');
    const { renderAccept } = await import('./render.js');
    const { acceptExitCode, acceptFailure, checkHub, runAccept } = await import('./run.js');
    const { pendingClusters } = await import('./select.js');
    const opts = acceptOptions(flags, ctx.interactive);
    const hub = await ctx.client(ctx.globals, 'hub');
    if (opts.clusters.length === 0) {
      ctx.progress.start('looking for clusters waiting for acceptance');
      await checkHub(hub);
      const pending = await pendingClusters(hub);
      ctx.progress.stop();
      if (pending.length === 0) {
        ctx.io.stdout.write(renderAccept({ clusters: [] }));
        return 0;
      }
      const width = Math.max(...pending.map((p) => p.cluster.length));
      opts.clusters = await askChoose(
        ctx.io,
        'Accept which clusters? (space selects, enter confirms)',
        pending.map((p) => ({ name: `${p.cluster.padEnd(width)}  ${p.requester}  ${p.age}`, value: p.cluster })),
        ctx.signal,
      );
      if (opts.clusters.length === 0) {
        ctx.io.stderr.write('nothing selected: no cluster accepted\n');
        return 0;
      }
    }
    const result = await runAccept(opts, { hub, progress: ctx.progress, deadline: ctx.deadline(), signal: ctx.signal });
    ctx.io.stdout.write(formatResult(result, opts.output, renderAccept));
    if (acceptExitCode(result) !== 0) throw new CliError(acceptFailure(result));
    return 0;
  });
}
