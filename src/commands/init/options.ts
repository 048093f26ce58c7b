/** `ocmadm init` flags → validated options. Pure: unit-tested without a cluster. */
import { UsageError } from '../../cli/errors.js';
import { parseOutputFormat } from '../../ui/output.js';
import { DEFAULT_IMAGE, RUNTIME_TYPES, type RuntimeType } from '../../install/hub/constants.js';
import { resolveTtl } from '../../install/hub/token-options.js';
import { parsePullSecret } from '../../bundle/flags.js';

/** As commander hands them over. */
export interface InitFlags {
  runtime?: string;
  image?: string;
  imagePullSecret?: string;
  useBootstrapToken?: boolean;
  ttl?: string;
  wait?: boolean;
  dryRun?: boolean;
  outputFile?: string;
  outputJoinCommandFile?: string;
  output?: string;
  force?: boolean;
  autoApprove?: string;
}

export interface InitOptions {
  runtime: RuntimeType;
  image: string;
  imagePullSecrets: string[];
  useBootstrapToken: boolean;
  /** Life of the printed token (ServiceAccount token, or a new bootstrap token Secret). */
  ttlSeconds: number;
  wait: boolean;
  dryRun: boolean;
  outputFile?: string;
  outputJoinCommandFile?: string;
  output: 'text' | 'json';
  force: boolean;
  /** Bootstrap identities whose clusters the hub accepts without `accept`; empty: off. */
  autoApproveUsers: string[];
}

const IMAGE_RE = /^[a-z0-9]+([._\-/:@][a-zA-Z0-9_.\-]+)*$/;

export function validateInitOptions(f: InitFlags): InitOptions {
  const runtime = (f.runtime ?? 'cluster') as RuntimeType;
  if (!RUNTIME_TYPES.includes(runtime)) throw new UsageError(`--runtime must be one of ${RUNTIME_TYPES.join(', ')}, got "${f.runtime}"`);
  const image = f.image ?? DEFAULT_IMAGE;
  if (!IMAGE_RE.test(image)) throw new UsageError(`--image "${image}" is not an image reference (e.g. registry.example.com/library/node:24-bookworm-slim)`);
  if (f.image !== undefined && runtime === 'local') throw new UsageError('--image only applies to --runtime cluster (the local runtime runs this ocmadm)');
  const useBootstrapToken = !!f.useBootstrapToken;
  const ttlSeconds = resolveTtl(f.ttl, useBootstrapToken);
  const output = parseOutputFormat(f.output, ['text', 'json']) as 'text' | 'json';
  const dryRun = !!f.dryRun;
  const wait = !!f.wait;
  if (dryRun && wait) throw new UsageError('--wait cannot be combined with --dry-run (nothing is started)');
  if (dryRun && f.outputJoinCommandFile !== undefined) throw new UsageError('--output-join-command-file needs a real run: --dry-run issues no token');
  for (const [flag, v] of [['--output-file', f.outputFile], ['--output-join-command-file', f.outputJoinCommandFile]] as const) {
    if (v !== undefined && v.trim() === '') throw new UsageError(`${flag} needs a file name`);
  }
  if (f.outputFile !== undefined && f.outputFile === f.outputJoinCommandFile) {
    throw new UsageError('--output-file and --output-join-command-file must be different files');
  }
  let autoApproveUsers: string[] = [];
  if (f.autoApprove !== undefined) {
    autoApproveUsers = f.autoApprove.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (!autoApproveUsers.length) throw new UsageError('--auto-approve needs a comma-separated list of user names, e.g. system:bootstrap:ocmhub');
    const bad = autoApproveUsers.find((n) => /\s/.test(n));
    if (bad !== undefined) throw new UsageError(`--auto-approve: "${bad}" is not a user name (it contains white space)`);
    autoApproveUsers = [...new Set(autoApproveUsers)];
  }
  return {
    runtime,
    image,
    imagePullSecrets: parsePullSecret(f.imagePullSecret, runtime),
    useBootstrapToken,
    ttlSeconds,
    wait,
    dryRun,
    outputFile: f.outputFile,
    outputJoinCommandFile: f.outputJoinCommandFile,
    output,
    force: !!f.force,
    autoApproveUsers,
  };
}
