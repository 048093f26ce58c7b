import type { Command } from 'commander';
import type { App } from '../../../cli/app.js';
import { formatResult } from '../../../ui/output.js';
import { describeObject } from '../../../install/hub/kinds.js';
import { validateDeleteTokenOptions, type DeleteTokenFlags } from './options.js';
import type { DeleteTokenResult } from './run.js';

const ref = (o: { kind: string; name: string; namespace?: string }) => describeObject({ kind: o.kind, metadata: o });

export function deleteTokenText(r: DeleteTokenResult): string {
  if (r.dryRun) {
    if (!r.removed.length) return 'No bootstrap token to revoke: nothing would be removed.\n';
    const what = r.kind === 'bootstrap-token' ? 'delete' : 'delete and re-create with a new UID (revoking every token issued for it)';
    return `Dry run, nothing was changed. Would ${what}:\n${r.removed.map((o) => `  ${ref(o)}\n`).join('')}`;
  }
  if (r.kind === 'bootstrap-token') {
    if (r.removed.length === 0) return 'No bootstrap token to revoke: nothing was removed.\n';
    return `Revoked the bootstrap token. Removed:\n${r.removed.map((o) => `  ${ref(o)}\n`).join('')}`;
  }
  return [
    `Revoked every ServiceAccount join token: re-created ${ref(r.recreated!)} with a new UID.`,
    'Tokens issued before are rejected (the API server may still accept a cached one for about 10 s).',
    'A new token: ocmadm get token',
    '',
  ].join('\n');
}

export function register(del: Command, app: App): void {
  const cmd = del
    .command('token')
    .description('revoke join tokens: re-create the bootstrap ServiceAccount, or delete the bootstrap token and its binding')
    .option('--use-bootstrap-token', 'revoke the bootstrap token (Secret kube-system/bootstrap-token-ocmhub and its ClusterRoleBinding)')
    .option('--dry-run', 'say what would be revoked (the hub dry-runs the deletes) and change nothing')
    .option('-o, --output <format>', 'text or json', 'text');
  app.action<DeleteTokenFlags>(cmd, async (flags, ctx) => {
    // Loaded on use: --help and the other commands start without them.
    const { runDeleteToken } = await import('./run.js');
    const opts = validateDeleteTokenOptions(flags);
    const result = await runDeleteToken(opts, ctx);
    ctx.io.stdout.write(formatResult(result, opts.output, deleteTokenText));
  });
}
