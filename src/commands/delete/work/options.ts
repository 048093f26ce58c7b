/** `ocmadm delete work` flags → validated options. Pure. */
import { UsageError } from '../../../cli/errors.js';
import { checkClusterName, isDns1123Subdomain, parseList } from '../../../cli/flags.js';
import { parseOutputFormat, type OutputFormat } from '../../../ui/output.js';

export interface DeleteWorkFlags {
  clusters?: string;
  cluster?: string;
  dryRun?: boolean;
  wait?: boolean;
  output?: string;
}

export interface DeleteWorkOptions {
  name: string;
  clusters: string[];
  dryRun: boolean;
  wait: boolean;
  output: OutputFormat;
}

export function deleteWorkOptions(name: string, f: DeleteWorkFlags): DeleteWorkOptions {
  if (!isDns1123Subdomain(name)) throw new UsageError(`work name "${name}" must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.')`);
  const clusters = parseList([f.clusters, f.cluster].filter(Boolean).join(','));
  if (!clusters.length) throw new UsageError('--clusters is required: the managed clusters whose ManifestWork to delete, e.g. --clusters cluster1,cluster2');
  for (const c of clusters) checkClusterName(c, '--clusters');
  return { name, clusters, dryRun: !!f.dryRun, wait: !!f.wait, output: parseOutputFormat(f.output, ['text', 'json']) };
}
