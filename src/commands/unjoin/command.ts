import fs from 'node:fs';
import type { Command } from 'commander';
import type { App } from '../../cli/app.js';
import { CliError, EXIT } from '../../cli/errors.js';
import { describeError, isForbidden, isUnauthorized, isUnreachable } from '../../kube/errors.js';
import { formatResult } from '../../ui/output.js';
import type { HubCheck } from './hub.js';
import { unjoinOptions, type UnjoinFlags } from './options.js';

/** Foreign finalizers on an AppliedManifestWork get this long (at most a third of --timeout) before unjoin strips them. */
const FINALIZER_GRACE_MS = 30_000;

export function register(program: Command, app: App): void {
  const cmd = program
    .command('unjoin')
    .description('remove the klusterlet from this cluster (the spoke: --kubeconfig/--context); optionally its ManagedCluster from the hub')
    .option('--cluster-name <name>', 'the name this spoke is joined as (required)')
    .option('-y, --yes', 'do not ask for confirmation (required when not on a terminal)')
    .option('--dry-run', 'list what would be removed; change nothing')
    .option('--purge', 'also remove the spoke CRDs (AppliedManifestWork, ClusterClaim) when no other klusterlet remains')
    .option('--hub-kubeconfig <file>', 'also delete the ManagedCluster on this hub and wait for its cleanup')
    .option('--hub-context <name>', 'the hub context (in --hub-kubeconfig, else in --kubeconfig); implies the hub step')
    .option('--orphan-workloads', 'keep the workloads ManifestWorks applied here (default: delete them as the work agent would)')
    .option('-o, --output <format>', 'text or json', 'text')
    .addHelpText(
      'after',
      `
Exit status: 0 when everything is removed (or was already gone), 1 when something is left (listed), 2 for bad flags.

Examples:
  ocmadm unjoin --cluster-name cluster1 --dry-run
  ocmadm unjoin --cluster-name cluster1 --yes --hub-kubeconfig hub.kubeconfig`,
    );
  app.action<UnjoinFlags>(cmd, async (flags, ctx) => {
    const opts = unjoinOptions(flags, ctx.interactive);
    // Loaded on use: --help and the other commands start without them.
    const [{ askConfirm }, { spokeCaPem }, { checkHubForUnjoin }, { checkSpokeAccess, noKlusterlet, readInventory }, { planUnjoin, summarize }, { renderUnjoin }, { runUnjoin, unjoinExitCode }] = await Promise.all([
      import('../../cli/prompts.js'),
      import('../join/local.js'),
      import('./hub.js'),
      import('./inventory.js'),
      import('./plan.js'),
      import('./render.js'),
      import('./run.js'),
    ]);
    if (opts.hub?.kubeconfig && !fs.existsSync(opts.hub.kubeconfig)) throw new CliError(`--hub-kubeconfig ${opts.hub.kubeconfig} does not exist; pass the hub's kubeconfig file`);
    const spoke = await ctx.client(ctx.globals, 'spoke');
    const deadline = ctx.deadline();
    ctx.progress.start(`reading the klusterlet of ${opts.clusterName} on ${spoke.server}`);
    const { inventory } = await readInventory(spoke, opts.clusterName, ctx.io.env, opts.orphanWorkloads).catch((err: unknown) => {
      if (isUnreachable(err)) throw new CliError(`cannot reach the spoke (--kubeconfig/--context): ${describeError(err)}`);
      if (isForbidden(err) || isUnauthorized(err)) throw new CliError(`cannot read the klusterlet on the spoke: ${describeError(err)}; unjoin needs a spoke administrator's kubeconfig`);
      throw err;
    });
    if (!opts.hub && noKlusterlet(inventory)) {
      throw new CliError(`no klusterlet on the spoke ${spoke.server}: ${opts.clusterName} is not joined there, nothing to unjoin; check --kubeconfig/--context`);
    }
    let hub: HubCheck | undefined;
    if (opts.hub) {
      ctx.progress.start('checking the hub');
      const hubClient = await ctx.client({ kubeconfig: opts.hub.kubeconfig ?? ctx.globals.kubeconfig, context: opts.hub.context }, 'hub');
      hub = await checkHubForUnjoin(hubClient, opts.clusterName, spoke.server, spokeCaPem(spoke));
    }
    const steps = planUnjoin(inventory, { purge: opts.purge });
    if (!opts.dryRun) await checkSpokeAccess(spoke, steps);
    ctx.progress.stop();
    if (!opts.dryRun && !opts.yes) {
      const what = summarize(steps.filter((s) => s.action !== 'keep')) || 'nothing on the spoke';
      const onHub = hub?.mc ? ` and ManagedCluster ${opts.clusterName} on ${hub.client.server}` : '';
      if (!(await askConfirm(ctx.io, `Unjoin ${opts.clusterName} from ${spoke.server}: remove ${what}${onHub}?`, ctx.signal))) {
        ctx.io.stderr.write('not confirmed: nothing changed\n');
        return EXIT.FAILURE;
      }
    }
    const result = await runUnjoin(opts, steps, {
      spoke,
      hub,
      progress: ctx.progress,
      env: ctx.io.env,
      deadline,
      finalizerGraceMs: Math.min(FINALIZER_GRACE_MS, (ctx.globals.timeout * 1000) / 3),
      signal: ctx.signal,
    });
    ctx.io.stdout.write(formatResult(result, opts.output, renderUnjoin));
    return unjoinExitCode(result);
  });
}
