import type { Command } from 'commander';
import type { App } from '../../cli/app.js';
import { formatResult } from '../../ui/output.js';
import { joinOptions, DEFAULT_IMAGE, type JoinFlags } from './options.js';
import { PULL_SECRET_HELP } from '../../bundle/flags.js';

export function register(program: Command, app: App): void {
  const cmd = program
    .command('join')
    .description('register this cluster (the spoke: --kubeconfig/--context) with a hub; the hub admin then runs accept')
    .option('--hub-token <token>', 'bootstrap token from `ocmadm get token` on the hub (required)')
    .option('--hub-apiserver <url>', 'the hub API server, https://host:port (required)')
    .option('--cluster-name <name>', 'name of this cluster on the hub: a DNS-1123 label, at most 63 characters (required)')
    .option('--ca-file <file>', "PEM CA of the hub's API server (default: discovered from the hub's kube-public/cluster-info, then verified)")
    .option('--proxy-url <url>', 'a forward proxy (http:// or https://) the klusterlet reaches the hub through: proxy-url of its bootstrap and hub kubeconfigs')
    .option('--proxy-ca-file <file>', 'PEM CA of an https --proxy-url, added to the CA bundle the klusterlet trusts for the hub')
    .option('--runtime <where>', 'where the klusterlet runs: cluster (a Deployment) or local (a process on this machine)', 'cluster')
    .option('--image <ref>', `the Node.js image the klusterlet runs on with --runtime cluster (default ${DEFAULT_IMAGE}); its code comes from a ConfigMap`)
    .option('--image-pull-secret <name>', PULL_SECRET_HELP)
    .option('--cluster-claims <k=v,...>', 'ClusterClaims to create on the spoke and report to the hub')
    .option('--wait', 'wait until the cluster is registered on the hub and its CSR is pending (up to --timeout); a klusterlet pod that cannot start ends the wait with its reason')
    .option('--dry-run', 'check everything and print the manifests (secret data redacted); change nothing')
    .option('--output-file <file>', 'also write the manifests to this file (mode 0600, it holds the token)')
    .option('--force', 'take over a cluster name already accepted for another spoke, or re-register a spoke joined under another name, or replace a newer klusterlet runtime (a downgrade)')
    .option('-o, --output <format>', 'text or json', 'text')
    .addHelpText(
      'after',
      `
Example:
  ocmadm join --hub-token <token> --hub-apiserver https://hub.example.com:6443 --cluster-name cluster1 --wait`,
    );
  app.action<JoinFlags>(cmd, async (flags, ctx) => {
    // Loaded on use: --help and the other commands start without them.
    const { renderJoin } = await import('./render.js');
    const { runJoin } = await import('./run.js');
    const opts = joinOptions(flags);
    const spoke = await ctx.client(ctx.globals, 'spoke');
    const result = await runJoin(opts, {
      spoke,
      progress: ctx.progress,
      env: ctx.io.env,
      deadline: ctx.deadline(),
      signal: ctx.signal,
      track: (c) => ctx.track(c),
    });
    ctx.io.stdout.write(formatResult(result, opts.output, renderJoin));
    return 0;
  });
}
