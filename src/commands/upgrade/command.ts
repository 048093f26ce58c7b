import { Option, type Command } from 'commander';
import type { App } from '../../cli/app.js';
import { formatResult } from '../../ui/output.js';
import { PULL_SECRET_HELP } from '../../bundle/flags.js';
import { upgradeOptions, type UpgradeFlags, type UpgradeTarget } from './options.js';

export function register(program: Command, app: App): void {
  const upgrade = program
    .command('upgrade')
    .description('replace the ocmadm runtime in a cluster (hub controller or klusterlet) with the one this CLI carries; the pods roll')
    .addHelpText(
      'after',
      `
A runtime newer than this CLI's is refused (a downgrade) unless --force. Nothing else changes:
the bootstrap token, the klusterlet's key and hub credentials, cluster namespaces and ManifestWorks.

Examples:
  ocmadm upgrade hub --dry-run
  ocmadm upgrade hub --wait
  ocmadm upgrade klusterlet --kubeconfig spoke.kubeconfig --wait`,
    );
  const sub = (name: UpgradeTarget, description: string, wait: string) =>
    upgrade
      .command(name)
      .description(description)
      .option('--dry-run', 'print the runtime version from → to and the objects that would be replaced (checked by a server dry run); change nothing')
      .option('--wait', wait)
      .addOption(new Option('--image <ref>', 'the Node.js image the runtime runs on (default: the image it runs on now)'))
      .option('--image-pull-secret <name>', `${PULL_SECRET_HELP} (default: the ones it uses now)`)
      .option('--force', 'replace a runtime newer than this CLI\'s (a downgrade), or re-apply one already at this version')
      .option('-o, --output <format>', 'text or json', 'text');
  const hub = sub(
    'hub',
    'upgrade the hub: its CRDs, admission guard and RBAC (as init applies them) and the hub controller runtime (--kubeconfig/--context: the hub)',
    'wait until the new hub controller pods are Ready, the old ones are gone and a new one leads (up to --timeout)',
  ).alias('clustermanager');
  const klusterlet = sub(
    'klusterlet',
    'upgrade the klusterlet on this spoke: its CRDs and RBAC (as join applies them) and its runtime (--kubeconfig/--context: the spoke)',
    'wait until the new klusterlet pod is Ready (registered and reading its ManagedCluster on the hub) and the old one is gone (up to --timeout)',
  );
  for (const [cmd, target] of [[hub, 'hub'], [klusterlet, 'klusterlet']] as const) {
    app.action<UpgradeFlags>(cmd, async (flags, ctx) => {
      // Loaded on use: --help and the other commands start without them.
      const { runUpgrade } = await import('./run.js');
      const { upgradeText } = await import('./render.js');
      const opts = upgradeOptions(target, flags);
      const result = await runUpgrade(opts, ctx);
      ctx.io.stdout.write(formatResult(result, opts.output, upgradeText));
      return 0;
    });
  }
}
