import type { Command } from 'commander';
import type { App } from '../../cli/program.js';
import { formatResult, parseOutputFormat } from '../../ui/output.js';
import { VERSION } from '../../version.js';

export function register(program: Command, app: App): void {
  const cmd = program
    .command('version')
    .description('print the ocmadm version')
    .option('-o, --output <format>', 'text or json', 'text');
  app.action<{ output: string }>(cmd, async (opts, ctx) => {
    const format = parseOutputFormat(opts.output, ['text', 'json']);
    const result = { ocmadm: VERSION, node: process.versions.node };
    ctx.io.stdout.write(formatResult(result, format, (r) => `ocmadm\t${r.ocmadm}\nnode\t${r.node}`));
  });
}
