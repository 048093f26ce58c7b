import fs from 'node:fs';
import { Option, type Command } from 'commander';
import type { App } from '../../cli/app.js';
import { CliError } from '../../cli/errors.js';
import { formatResult } from '../../ui/output.js';
import { DEFAULT_IMAGE } from '../../install/hub/constants.js';
import { PULL_SECRET_HELP } from '../../bundle/flags.js';
import { validateInitOptions, type InitFlags } from './options.js';
import type { InitResult } from './run.js';

export function register(program: Command, app: App): void {
  const cmd = program
    .command('init')
    .description('turn this cluster into an OCM hub: CRDs, bootstrap identity and RBAC, admission guard, hub controller; prints the join command')
    .addOption(new Option('--runtime <type>', 'where the hub controller runs: cluster (a Deployment) or local (a process on this machine)').default('cluster'))
    .addOption(new Option('--image <ref>', `the Node.js image the hub controller runs on with --runtime cluster (default ${DEFAULT_IMAGE}); its code comes from a ConfigMap`))
    .option('--image-pull-secret <name>', PULL_SECRET_HELP)
    .option('--use-bootstrap-token', 'join with a bootstrap token (Secret kube-system/bootstrap-token-ocmhub) instead of a ServiceAccount token')
    .option('--ttl <duration>', 'life of the join token, e.g. 30m, 1h, 7d (default 1h; 24h with --use-bootstrap-token)')
    .option('--wait', 'wait until the hub controller leads (holds and renews its Lease) and, with --runtime cluster, every pod is Ready; a pod that cannot start ends the wait with its reason')
    .option('--dry-run', 'print the objects (checked by a server-side dry run) and change nothing')
    .option('--output-file <file>', 'also write the applied objects as YAML to this file (replaced)')
    .option('--output-join-command-file <file>', 'write an executable script running the join command for the cluster named by its first argument')
    .option('-o, --output <format>', 'text or json (json: only the token and API server on stdout)', 'text')
    .option('--force', 'install even where OCM\'s cluster-manager operator already runs the hub, or where the hub runs a newer ocmadm runtime (a downgrade)')
    .option(
      '--auto-approve <users>',
      'accept clusters whose join requests come from these bootstrap identities without `accept` (comma-separated user names; off by default, and a re-run without it turns it off)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  ocmadm init --runtime local --wait\n  ocmadm init --use-bootstrap-token --ttl 24h -o json\n  ocmadm init --dry-run > hub.yaml\n  ocmadm init --auto-approve system:serviceaccount:open-cluster-management:agent-registration-bootstrap',
    );
  app.action<InitFlags>(cmd, async (flags, ctx) => {
    // Loaded on use: --help and the other commands start without them.
    const { toYaml } = await import('../../render/index.js');
    const { joinScript } = await import('../../install/hub/tokens.js');
    const { initJson, initText } = await import('./render.js');
    const { runInit } = await import('./run.js');
    const opts = validateInitOptions(flags);
    const result = await runInit(opts, ctx);
    writeOutputFiles(opts.outputFile, opts.outputJoinCommandFile, result, { toYaml, joinScript });
    ctx.io.stdout.write(formatResult(result, opts.output, (r) => initText(r), initJson));
    ctx.progress.debug(`init took ${(result.durationMs / 1000).toFixed(1)} s`);
  });
}

/** Writes files from scratch (truncating); credentials inside make them private to the user. */
function writeOutputFiles(
  outputFile: string | undefined,
  joinFile: string | undefined,
  r: InitResult,
  fmt: { toYaml: (objects: InitResult['objects']) => string; joinScript: (token: string, server: string) => string },
): void {
  try {
    if (outputFile) {
      const secret = r.objects.some((o) => o.kind === 'Secret');
      writeFresh(outputFile, fmt.toYaml(r.objects), secret ? 0o600 : 0o644);
    }
    if (joinFile && r.token) writeFresh(joinFile, fmt.joinScript(r.token.token, r.hubApiserver), 0o700);
  } catch (err) {
    throw new CliError(`${r.dryRun ? 'dry run done' : 'the hub is initialized'}, but writing an output file failed: ${(err as Error).message}`);
  }
}

function writeFresh(file: string, text: string, mode: number): void {
  fs.writeFileSync(file, text, { flag: 'w', mode });
  fs.chmodSync(file, mode);
}
