import type { Command } from 'commander';
import type { App } from '../../../cli/app.js';
import { formatResult } from '../../../ui/output.js';
import { joinCommand } from '../../../install/hub/tokens.js';
import { validateGetTokenOptions, type GetTokenFlags } from './options.js';
import type { GetTokenResult } from './run.js';

export function tokenText(r: GetTokenResult): string {
  return [
    `token=${r.token.token}`,
    `expires=${r.token.expiresAt ?? 'never'}`,
    'please log on the cluster to register and run:',
    joinCommand(r.token.token, r.hubApiserver),
    '',
  ].join('\n');
}

export const tokenJson = (r: GetTokenResult) => ({
  'hub-token': r.token.token,
  'hub-apiserver': r.hubApiserver,
  'expires-at': r.token.expiresAt ?? null,
  'token-type': r.token.kind,
});

export function register(get: Command, app: App): void {
  const cmd = get
    .command('token')
    .description('issue a join token for managed clusters and print the join command')
    .option('--ttl <duration>', 'token life, e.g. 30m, 1h, 7d (default 1h; 24h for a new bootstrap token)')
    .option('--use-bootstrap-token', 'hand out the bootstrap token (Secret kube-system/bootstrap-token-ocmhub; made if missing or expired)')
    .option('-o, --output <format>', 'text or json', 'text')
    .addHelpText('after', '\nExamples:\n  ocmadm get token --ttl 2h\n  ocmadm get token --use-bootstrap-token -o json');
  app.action<GetTokenFlags>(cmd, async (flags, ctx) => {
    // Loaded on use: --help and the other commands start without them.
    const { runGetToken } = await import('./run.js');
    const opts = validateGetTokenOptions(flags);
    const result = await runGetToken(opts, ctx);
    ctx.io.stdout.write(formatResult(result, opts.output, tokenText, tokenJson));
  });
}
