/** `ocmadm deploy` flags → validated options. Pure. */
import { UsageError } from '../../cli/errors.js';
import { parseOutputFormat, type OutputFormat } from '../../ui/output.js';
import { checkClusterName, isDns1123Label, isDns1123Subdomain, parseList } from '../../cli/flags.js';
import { parseLabels } from '../clusterset/run.js';
import { PropagationPolicies, UpdateStrategyTypes } from '../../api/work.js';

export interface DeployFlags {
  file?: string[];
  clusters?: string;
  placement?: string;
  clusterSelector?: string;
  namespace?: string;
  updateStrategy?: string;
  force?: boolean;
  deleteOption?: string;
  delete?: boolean;
  wait?: boolean;
  dryRun?: boolean;
  output?: string;
}

export type Target = { mode: 'clusters'; clusters: string[] } | { mode: 'placement'; placement: string; selector?: Record<string, string> };

export interface DeployOptions {
  name: string;
  files: string[];
  /** Undefined with --delete: whatever was deployed under the name goes. */
  target?: Target;
  /** Namespace of the Placement and ManifestWorkReplicaSet (placement modes). */
  namespace: string;
  updateStrategy: (typeof UpdateStrategyTypes)[number];
  force: boolean;
  deleteOption: (typeof PropagationPolicies)[number];
  remove: boolean;
  wait: boolean;
  dryRun: boolean;
  output: OutputFormat;
}

export const DEPLOY_NAMESPACE = 'default';

export function validateDeployOptions(name: string, f: DeployFlags): DeployOptions {
  if (!isDns1123Subdomain(name)) throw new UsageError(`deployment name "${name}" must be a DNS-1123 subdomain (it names the ManifestWorks)`);
  const namespace = f.namespace ?? DEPLOY_NAMESPACE;
  if (!isDns1123Label(namespace)) throw new UsageError(`-n "${namespace}" is not a valid namespace name`);
  const chosen = [f.clusters !== undefined && '--clusters', f.placement !== undefined && '--placement', f.clusterSelector !== undefined && '--cluster-selector'].filter(Boolean);
  if (chosen.length > 1) throw new UsageError(`choose the clusters one way: ${chosen.join(' and ')} were both given`);
  const remove = !!f.delete;
  const files = f.file ?? [];
  let target: Target | undefined;
  if (f.clusters !== undefined) {
    const clusters = parseList(f.clusters);
    if (!clusters.length) throw new UsageError('--clusters needs at least one cluster name');
    clusters.forEach((c) => checkClusterName(c, '--clusters'));
    target = { mode: 'clusters', clusters };
  } else if (f.placement !== undefined) {
    if (!isDns1123Subdomain(f.placement)) throw new UsageError(`--placement "${f.placement}" is not a valid Placement name`);
    target = { mode: 'placement', placement: f.placement };
  } else if (f.clusterSelector !== undefined) {
    target = { mode: 'placement', placement: name, selector: parseLabels(f.clusterSelector, '--cluster-selector') };
  }
  if (remove) {
    if (files.length) throw new UsageError('--delete takes no -f: it removes what was deployed under the name');
  } else {
    if (!files.length) throw new UsageError('give the manifests with -f FILE|DIR|- (repeatable)');
    if (!target) throw new UsageError('choose the clusters: --clusters a,b, --placement NAME or --cluster-selector k=v');
  }
  const updateStrategy = (f.updateStrategy ?? 'Update') as DeployOptions['updateStrategy'];
  if (!UpdateStrategyTypes.includes(updateStrategy)) throw new UsageError(`--update-strategy must be one of ${UpdateStrategyTypes.join(', ')}`);
  if (f.force && updateStrategy !== 'ServerSideApply') throw new UsageError('--force only applies to --update-strategy ServerSideApply');
  const deleteOption = (f.deleteOption ?? 'Foreground') as DeployOptions['deleteOption'];
  if (!['Foreground', 'Orphan'].includes(deleteOption)) throw new UsageError('--delete-option must be Foreground or Orphan');
  if (f.dryRun && f.wait) throw new UsageError('--wait cannot be combined with --dry-run');
  return {
    name,
    files,
    target,
    namespace,
    updateStrategy,
    force: !!f.force,
    deleteOption,
    remove,
    wait: !!f.wait,
    dryRun: !!f.dryRun,
    output: parseOutputFormat(f.output, ['text', 'json', 'yaml']),
  };
}
