import fs from 'node:fs';
import type { Command } from 'commander';
import type { App } from '../../cli/app.js';
import { CliError, InterruptedError } from '../../cli/errors.js';
import { formatResult } from '../../ui/output.js';
import type { DeployFlags } from './options.js';
import type { DeployResult } from './render.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function register(program: Command, app: App): void {
  const cmd = program
    .command('deploy')
    .description('ship Kubernetes objects to managed clusters as ManifestWorks, by cluster name or by placement (on the hub)')
    .argument('<name>', 'name of the deployment (names the works)')
    .option('-f, --file <path>', 'manifest file, directory or - for stdin (repeatable)', collect)
    .option('--clusters <a,b,...>', 'deploy to these clusters: one ManifestWork each')
    .option('--placement <name>', 'deploy to the clusters an existing Placement selects (a ManifestWorkReplicaSet)')
    .option('--cluster-selector <k=v,...>', 'deploy to the clusters with these labels (a Placement and a ManifestWorkReplicaSet)')
    .option('-n, --namespace <namespace>', 'namespace of the Placement and ManifestWorkReplicaSet', 'default')
    .option('--update-strategy <type>', 'Update, ServerSideApply, CreateOnly or ReadOnly', 'Update')
    .option('--force', 'with ServerSideApply: take over fields other managers own')
    .option('--delete-option <policy>', 'when the work is deleted: Foreground (delete the objects) or Orphan (keep them)', 'Foreground')
    .option('--delete', 'remove the deployment from every cluster and wait for the spokes to clean up')
    .option('--wait', 'wait until every cluster applied it and it is available; exit 1 if any did not')
    .option('--dry-run', 'print the objects (checked by a server dry run) and change nothing')
    .option('-o, --output <format>', 'text, json or yaml', 'text')
    .addHelpText(
      'after',
      '\nExamples:\n  ocmadm deploy web -f app.yaml --clusters cluster1,cluster2 --wait\n  ocmadm deploy web -f manifests/ --cluster-selector env=prod --wait\n  kubectl create configmap x --from-literal=a=b --dry-run=client -o yaml | ocmadm deploy x -f - --clusters cluster1\n  ocmadm deploy web --delete',
    );
  app.action<DeployFlags>(cmd, async (flags, ctx, [name]) => {
    // Loaded on use: --help and the other commands start without them.
    const { validateDeployOptions } = await import('./options.js');
    const { deployData, deployText } = await import('./render.js');
    const { removeDeployment } = await import('./remove.js');
    const { applyPlan, planDeploy } = await import('./run.js');
    const { succeeded } = await import('./status.js');
    const { waitForWorks } = await import('./wait.js');
    const opts = validateDeployOptions(name!, flags);
    const client = await ctx.client(ctx.globals, 'hub');
    let result: DeployResult;
    if (opts.remove) {
      const r = await removeDeployment(ctx, client, opts);
      result = { name: opts.name, action: 'delete', dryRun: opts.dryRun, removed: r.removed, left: r.left, warnings: [] };
    } else {
      ctx.progress.start(`Checking ${opts.name}`);
      const plan = await planDeploy(client, opts, () => fs.readFileSync(0, 'utf8'));
      for (const w of plan.warnings) ctx.progress.warn(w);
      await applyPlan(ctx, client, plan, opts.dryRun);
      ctx.progress.stop();
      result = { name: opts.name, action: 'deploy', dryRun: opts.dryRun, objects: plan.objects, warnings: plan.warnings };
      if (opts.wait) {
        // Ctrl-C stops the wait only: the works are written whole and stay, as after kubectl apply.
        const w = await waitForWorks(ctx, client, opts, plan.clusters).catch((err: unknown) => {
          if (!(err instanceof InterruptedError)) throw err;
          throw new InterruptedError(`${err.message}; the works are written and stay: ocmadm get works ${opts.name} shows them, ocmadm deploy ${opts.name} --delete removes them`);
        });
        result.clusters = w.statuses;
        result.timedOut = w.timedOut;
      }
    }
    ctx.io.stdout.write(formatResult(result, opts.output, deployText, deployData));
    const failed = result.clusters?.filter((c) => !succeeded(c)).map((c) => c.cluster) ?? [];
    const problems = [...new Set([...failed, ...(result.timedOut ?? []), ...(result.left ?? [])])];
    if (problems.length) throw new CliError(`${opts.name} is not done on: ${problems.join(', ')}`);
  });
}
