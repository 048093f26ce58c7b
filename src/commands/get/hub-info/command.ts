/** `ocmadm get hub-info`: the hub controller, its health and leader, CRDs and registration counts. */
import type { Command } from 'commander';
import type { App } from '../../../cli/app.js';
import { CliError } from '../../../cli/errors.js';
import { formatResult, parseOutputFormat } from '../../../ui/output.js';

export function register(get: Command, app: App): void {
  const cmd = get
    .command('hub-info')
    .description('show the hub: controller runtime (process or Deployment), version, replicas, pods, health, leader, CRDs, registration counts')
    .option('-o, --output <format>', 'text, json or yaml', 'text')
    .addHelpText('after', '\nExit status: 0 when the hub controller is healthy and every hub CRD is present, 1 otherwise (the report is printed either way), 2 for bad flags.');
  app.action<{ output: string }>(cmd, async (flags, ctx) => {
    const format = parseOutputFormat(flags.output === 'table' ? 'text' : flags.output);
    const { runHubInfo } = await import('./run.js');
    const { hubInfoText } = await import('./render.js');
    const info = await runHubInfo({ hub: await ctx.client(ctx.globals, 'hub'), env: ctx.io.env });
    ctx.io.stdout.write(formatResult(info, format, hubInfoText));
    if (info.crds.missing.length) throw new CliError(`${info.crds.missing.length} hub CRD(s) missing: run ocmadm init on this hub`);
    if (!info.controller.healthy) throw new CliError(`the hub controller is not healthy: ${info.controller.problem}`);
  });
}
