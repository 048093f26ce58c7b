/** `ocmadm get klusterlet-info` (on the spoke): the klusterlet, its credentials and registration. */
import type { Command } from 'commander';
import type { App } from '../../../cli/app.js';
import { CliError } from '../../../cli/errors.js';
import { formatResult, parseOutputFormat } from '../../../ui/output.js';

export function register(get: Command, app: App): void {
  const cmd = get
    .command('klusterlet-info')
    .description('show the klusterlet of this spoke: runtime (with its pods), version, health, cluster name, hub, bootstrap and hub credentials (validity, expiry), accepted/Joined/Available')
    .option('-o, --output <format>', 'text, json or yaml', 'text')
    .addHelpText('after', '\nRun with the spoke\'s kubeconfig. Exit status: 0 when a klusterlet runs healthy here, 1 otherwise (the report is printed either way), 2 for bad flags.');
  app.action<{ output: string }>(cmd, async (flags, ctx) => {
    const format = parseOutputFormat(flags.output === 'table' ? 'text' : flags.output);
    const { runKlusterletInfo } = await import('./run.js');
    const { klusterletInfoText } = await import('./render.js');
    const info = await runKlusterletInfo({ spoke: await ctx.client(ctx.globals, 'spoke'), env: ctx.io.env });
    ctx.io.stdout.write(formatResult(info, format, klusterletInfoText));
    if (!info.healthy) throw new CliError(`the klusterlet is not healthy: ${info.problem}`);
  });
}
