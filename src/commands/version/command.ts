import type { Command } from 'commander';
import type { App } from '../../cli/app.js';
import { formatResult, parseOutputFormat } from '../../ui/output.js';

export function register(program: Command, app: App): void {
  const cmd = program
    .command('version')
    .description('print the ocmadm, Node and default image versions, and what the current cluster is (Kubernetes version, OCM hub, hub controller) and the version of each ocmadm runtime in it, warning when one differs from this CLI')
    .option('-o, --output <format>', 'text or json', 'text')
    .addHelpText('after', '\nA cluster that does not answer within 3 s is reported as not reachable; that is not an error.');
  app.action<{ output: string }>(cmd, async (opts, ctx) => {
    const format = parseOutputFormat(opts.output, ['text', 'json']);
    // Loaded on use: the cluster probe pulls in the hub's install plan, which `--help` never needs.
    const [{ runVersion }, { renderVersion }] = await Promise.all([import('./run.js'), import('./render.js')]);
    ctx.io.stdout.write(formatResult(await runVersion(ctx), format, renderVersion));
  });
}
