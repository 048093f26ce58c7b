import type { Command } from 'commander';
import type { App } from '../../cli/app.js';
import { CliError } from '../../cli/errors.js';
import { formatResult } from '../../ui/output.js';
import { validateCleanOptions, type CleanFlags } from './options.js';

export function register(program: Command, app: App): void {
  const cmd = program
    .command('clean')
    .description('remove everything ocmadm init installed on this hub (refuses while clusters are accepted)')
    .option('--force', 'also when clusters are still accepted: delete their ManagedClusters first')
    .option('--dry-run', 'list what would be removed and change nothing')
    .option('-o, --output <format>', 'text or json', 'text')
    .addHelpText('after', '\nExamples:\n  ocmadm clean --dry-run\n  ocmadm clean --force -o json');
  app.action<CleanFlags>(cmd, async (flags, ctx) => {
    // Loaded on use: --help and the other commands start without them.
    const { cleanText } = await import('./render.js');
    const { runClean } = await import('./run.js');
    const opts = validateCleanOptions(flags);
    const result = await runClean(opts, ctx);
    ctx.io.stdout.write(formatResult(result, opts.output, cleanText));
    if (result.left.length) throw new CliError(`${result.left.length} object(s) are still on the hub after clean; see the list above`);
  });
}
