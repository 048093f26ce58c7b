import type { Command } from 'commander';
import type { App } from '../../cli/app.js';
import { age, formatResult, parseOutputFormat, renderTable } from '../../ui/output.js';
import { KINDS, listRuntimes, parseKind, stopRuntime, type RuntimeRow } from './run.js';

export function runtimeTable(rows: RuntimeRow[]): string {
  if (!rows.length) return 'No local runtimes on this machine.\n';
  return renderTable(
    ['KIND', 'NAME', 'STATUS', 'PID', 'AGE', 'SERVER', 'LOG'],
    rows.map((r) => [r.kind, r.name, r.status, r.pid ? String(r.pid) : '-', r.startedAt ? age(r.startedAt) : '-', r.server ?? '-', r.log]),
  );
}

export function register(program: Command, app: App): void {
  const runtime = program.command('runtime').description('local runtimes on this machine (hub controllers and klusterlets started with --runtime local)');
  const list = runtime
    .command('list')
    .description('list local runtimes, their process and log file')
    .option('-o, --output <format>', 'table or json', 'table');
  app.action<{ output: string }>(list, async (flags, ctx) => {
    const format = parseOutputFormat(flags.output, ['text', 'json'], 'table');
    ctx.io.stdout.write(formatResult(listRuntimes(ctx.io.env), format, runtimeTable, (rows) => ({ items: rows })));
  });
  const stop = runtime
    .command('stop')
    .description(`stop a local runtime (SIGTERM, then SIGKILL after 10 s); init or join starts it again`)
    .argument('<kind>', KINDS.join(' | '))
    .argument('<name>', 'its name as runtime list shows it')
    .option('-o, --output <format>', 'text or json', 'text');
  app.action<{ output: string }>(stop, async (flags, ctx, [kind, name]) => {
    const format = parseOutputFormat(flags.output, ['text', 'json']);
    const r = await stopRuntime(parseKind(kind!), name!, ctx.io.env);
    ctx.io.stdout.write(formatResult(r, format, (x) => `${x.kind} ${x.name}: ${x.wasRunning ? 'stopped' : 'was not running'}\n`));
  });
}
