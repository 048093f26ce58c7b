/** `ocmadm deploy` flags → validated options. Pure. */
import { UsageError } from '../../cli/errors.js';
import { parseOutputFormat, type OutputFormat } from '../../ui/output.js';
import { checkClusterName, isDns1123Label, isDns1123Subdomain, parseList } from '../../cli/flags.js';
import { parseLabels } from '../clusterset/run.js';
import { PropagationPolicies, UpdateStrategyTypes } from '../../api/work.js';
import { parseDeadline, parseGoDuration, type RolloutSpec } from '../../runtime/hub/mwrs-rollout.js';

const ROLLOUTS = { all: 'All', progressive: 'Progressive', 'progressive-per-group': 'ProgressivePerGroup' } as const;

/** A count ("2") or a percentage ("25%"), as OCM's maxConcurrency and maxFailures take. */
function countOrPercent(flag: string, v: string): number | string {
  if (/^\d+$/.test(v)) return Number(v);
  if (/^\d+(\.\d+)?%$/.test(v)) return v;
  throw new UsageError(`${flag} must be a count or a percentage (e.g. 2 or 25%), got "${v}"`);
}

/** --rollout and its knobs → the placementRef's rolloutStrategy; every bad value is a usage error. */
export function rolloutFromFlags(f: DeployFlags): RolloutSpec {
  const name = f.rollout ?? 'all';
  const type = ROLLOUTS[name as keyof typeof ROLLOUTS];
  if (!type) throw new UsageError(`--rollout must be one of ${Object.keys(ROLLOUTS).join(', ')}, got "${name}"`);
  if (f.maxConcurrency !== undefined && type !== 'Progressive') throw new UsageError('--max-concurrency only applies to --rollout progressive');
  const knobs: Record<string, unknown> = {};
  if (f.minSuccessTime !== undefined) {
    if (type === 'All') throw new UsageError('--min-success-time applies to --rollout progressive or progressive-per-group');
    try {
      parseGoDuration(f.minSuccessTime);
    } catch {
      throw new UsageError(`--min-success-time "${f.minSuccessTime}" is not a duration (e.g. 30s, 5m, 1h30m)`);
    }
    knobs.minSuccessTime = f.minSuccessTime;
  }
  if (f.progressDeadline !== undefined) {
    try {
      parseDeadline(f.progressDeadline);
    } catch {
      throw new UsageError(`--progress-deadline "${f.progressDeadline}" is not a duration (e.g. 10m) or None`);
    }
    knobs.progressDeadline = f.progressDeadline;
  }
  if (f.maxFailures !== undefined) knobs.maxFailures = countOrPercent('--max-failures', f.maxFailures);
  if (f.maxConcurrency !== undefined) knobs.maxConcurrency = countOrPercent('--max-concurrency', f.maxConcurrency);
  const key = type === 'All' ? 'all' : type === 'Progressive' ? 'progressive' : 'progressivePerGroup';
  return Object.keys(knobs).length ? { type, [key]: knobs } : { type };
}

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
  rollout?: string;
  maxConcurrency?: string;
  minSuccessTime?: string;
  progressDeadline?: string;
  maxFailures?: string;
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
  /** The ManifestWorkReplicaSet's rolloutStrategy (placement modes). */
  rollout: RolloutSpec;
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
  const rollout = rolloutFromFlags(f);
  const rolloutGiven = [f.rollout, f.maxConcurrency, f.minSuccessTime, f.progressDeadline, f.maxFailures].some((v) => v !== undefined);
  if (rolloutGiven && target?.mode === 'clusters') throw new UsageError('--rollout and its options need --placement or --cluster-selector (a ManifestWorkReplicaSet)');
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
    rollout,
  };
}
