/** unjoin's flags → validated options (pure). */
import { UsageError } from '../../cli/errors.js';
import { checkClusterName } from '../../cli/flags.js';
import { parseOutputFormat, type OutputFormat } from '../../ui/output.js';

export interface UnjoinFlags {
  clusterName?: string;
  yes?: boolean;
  dryRun?: boolean;
  purge?: boolean;
  hubKubeconfig?: string;
  hubContext?: string;
  orphanWorkloads?: boolean;
  output?: string;
}

export interface UnjoinOptions {
  clusterName: string;
  yes: boolean;
  dryRun: boolean;
  /** Also the spoke CRDs, when no other klusterlet remains. */
  purge: boolean;
  /** Set when --hub-kubeconfig or --hub-context is given: also delete the ManagedCluster there. */
  hub?: { kubeconfig?: string; context?: string };
  orphanWorkloads: boolean;
  output: OutputFormat;
}

/**
 * `interactive`: stdin and stderr are a terminal, so a confirmation can be asked. Without one,
 * a real run needs --yes (exit 2 before anything is read or changed).
 */
export function unjoinOptions(flags: UnjoinFlags, interactive: boolean): UnjoinOptions {
  const clusterName = checkClusterName(flags.clusterName, '--cluster-name');
  const output = parseOutputFormat(flags.output, ['text', 'json']);
  const dryRun = !!flags.dryRun;
  const yes = !!flags.yes;
  if (!dryRun && !yes) {
    if (!interactive) throw new UsageError('unjoin removes the klusterlet: pass --yes to confirm when not on a terminal (or --dry-run to see what would go)');
    if (output === 'json') throw new UsageError('-o json needs --yes or --dry-run (no prompt is shown with JSON output)');
  }
  if (flags.hubKubeconfig !== undefined && !flags.hubKubeconfig) throw new UsageError('--hub-kubeconfig is empty');
  if (flags.hubContext !== undefined && !flags.hubContext) throw new UsageError('--hub-context is empty');
  const hub = flags.hubKubeconfig || flags.hubContext ? { kubeconfig: flags.hubKubeconfig, context: flags.hubContext } : undefined;
  return { clusterName, yes, dryRun, purge: !!flags.purge, hub, orphanWorkloads: !!flags.orphanWorkloads, output };
}
