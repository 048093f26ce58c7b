import type { Command } from 'commander';
import type { App } from '../../cli/app.js';
import { formatResult } from '../../ui/output.js';
import { DEFAULT_NAME, DEFAULT_SPOKES, MAX_SPOKES, downOptions, statusOptions, upOptions, type UpFlags } from './options.js';

// The work of each subcommand loads when it runs: `--help` and completion need only the flags, and
// `up` pulls in the control planes, certificates and templates.

export function register(program: Command, app: App): void {
  const sandbox = program
    .command('sandbox')
    .description('local OCM sandboxes: a hub and spokes as real control planes on this machine (no Docker), joined and accepted');

  const up = sandbox
    .command('up')
    .description('start a hub and spoke control planes that keep running after this command, and join every spoke (unless --bare)')
    .option('--name <name>', `sandbox name, also the prefix of its kubeconfig contexts (default ${DEFAULT_NAME})`)
    .option('--spokes <n>', `number of spoke clusters, 0 to ${MAX_SPOKES} (default ${DEFAULT_SPOKES})`)
    .option('--bare', 'start the control planes only: no init, join or accept')
    .option('--nodes <n>', '1: one real node per cluster (containerd, kubelet, kube-proxy; root on Linux, installs missing Debian packages), and spokes join the hub at its node IP, relayed onto their nodes so their pods reach it; 0: control planes only (default 1 where the machine can run nodes)')
    .option('-o, --output <format>', 'text or json', 'text')
    .addHelpText('after', '\nExamples:\n  ocmadm sandbox up\n  ocmadm sandbox up --name demo --spokes 1 -o json\n  ocmadm sandbox up --bare\n  ocmadm sandbox up --nodes 0');
  app.action<UpFlags>(up, async (flags, ctx) => {
    const opts = upOptions(flags);
    const [{ runUp, upJson }, { renderUp }] = await Promise.all([import('./up.js'), import('./render.js')]);
    const result = await runUp(opts, ctx);
    ctx.io.stdout.write(formatResult(result, opts.output, renderUp, upJson));
  });

  const down = sandbox
    .command('down')
    .description('stop every process of a sandbox (control planes and local runtimes) and remove its files; works on a crashed one too')
    .option('--name <name>', `sandbox name (default ${DEFAULT_NAME})`)
    .option('-o, --output <format>', 'text or json', 'text');
  app.action<{ name?: string; output?: string }>(down, async (flags, ctx) => {
    const opts = downOptions(flags);
    const { renderDown, runDown } = await import('./down.js');
    ctx.progress.start(`stopping sandbox ${opts.name}`);
    const result = await runDown(opts.name, ctx.io.env);
    ctx.progress.stop();
    ctx.io.stdout.write(formatResult(result, opts.output, renderDown));
  });

  const status = sandbox
    .command('status')
    .description('list the sandboxes on this machine, their processes and API server health (/readyz)')
    .option('--name <name>', 'only this sandbox')
    .option('-o, --output <format>', 'text or json', 'text');
  app.action<{ name?: string; output?: string }>(status, async (flags, ctx) => {
    const opts = statusOptions(flags);
    const { renderStatus, runStatus } = await import('./status.js');
    ctx.io.stdout.write(formatResult(await runStatus(opts.name, ctx.io.env), opts.output, renderStatus));
  });
}
