/** accept's flags → validated options (pure). */
import { UsageError } from '../../cli/errors.js';
import { checkClusterName, parseList } from '../../cli/flags.js';
import { parseOutputFormat, type OutputFormat } from '../../ui/output.js';

export interface AcceptFlags {
  clusters?: string;
  wait?: boolean;
  skipApproveCheck?: boolean;
  requesters?: string;
  dryRun?: boolean;
  output?: string;
}

export interface AcceptOptions {
  /** Empty: ask (on a TTY) which pending clusters to accept. */
  clusters: string[];
  wait: boolean;
  skipApproveCheck: boolean;
  requesters: string[];
  /** Plan and let the hub dry-run each write; nothing is approved or patched. */
  dryRun: boolean;
  output: OutputFormat;
}

export function acceptOptions(flags: AcceptFlags, interactive: boolean): AcceptOptions {
  const output = parseOutputFormat(flags.output, ['text', 'json']);
  const clusters = parseList(flags.clusters);
  for (const c of clusters) checkClusterName(c, '--clusters');
  if (flags.clusters !== undefined && clusters.length === 0) throw new UsageError('--clusters names no cluster');
  if (clusters.length === 0 && !interactive) {
    throw new UsageError('--clusters is required when not on a terminal (e.g. --clusters cluster1,cluster2)');
  }
  if (clusters.length === 0 && output === 'json') throw new UsageError('-o json needs --clusters (no prompt is shown with JSON output)');
  if (flags.dryRun && flags.wait) throw new UsageError('--wait cannot be combined with --dry-run (nothing is accepted to wait for)');
  const requesters = parseList(flags.requesters);
  if (flags.requesters !== undefined && requesters.length === 0) throw new UsageError('--requesters names no requester');
  return { clusters, wait: !!flags.wait, skipApproveCheck: !!flags.skipApproveCheck, requesters, dryRun: !!flags.dryRun, output };
}
