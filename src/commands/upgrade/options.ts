/** `ocmadm upgrade hub|klusterlet` flags → validated options. Pure: unit-tested without a cluster. */
import { UsageError } from '../../cli/errors.js';
import { parseOutputFormat } from '../../ui/output.js';
import { parsePullSecret } from '../../bundle/flags.js';

export type UpgradeTarget = 'hub' | 'klusterlet';

/** As commander hands them over. */
export interface UpgradeFlags {
  dryRun?: boolean;
  wait?: boolean;
  image?: string;
  imagePullSecret?: string;
  force?: boolean;
  output?: string;
}

export interface UpgradeOptions {
  target: UpgradeTarget;
  dryRun: boolean;
  wait: boolean;
  /** undefined: keep the image the Deployment runs now. */
  image?: string;
  /** undefined: keep the Deployment's pull secrets. */
  imagePullSecrets?: string[];
  force: boolean;
  output: 'text' | 'json';
}

export function upgradeOptions(target: UpgradeTarget, f: UpgradeFlags): UpgradeOptions {
  if (f.dryRun && f.wait) throw new UsageError('--wait cannot be combined with --dry-run (nothing is rolled)');
  if (f.image !== undefined && (!f.image.trim() || /\s/.test(f.image))) throw new UsageError(`--image "${f.image}" is not an image reference (e.g. registry.example.com/library/node:24-bookworm-slim)`);
  return {
    target,
    dryRun: !!f.dryRun,
    wait: !!f.wait,
    image: f.image,
    imagePullSecrets: f.imagePullSecret === undefined ? undefined : parsePullSecret(f.imagePullSecret, 'cluster'),
    force: !!f.force,
    output: parseOutputFormat(f.output, ['text', 'json']) as 'text' | 'json',
  };
}

/** The value of `--flag v` or `--flag=v` in a container's args (how the runtime was started). */
export function argValue(args: readonly string[], flag: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === flag) return args[i + 1];
    if (a.startsWith(`${flag}=`)) return a.slice(flag.length + 1);
  }
  return undefined;
}

/** `k=v,k2=v2` back into a map (the klusterlet's --cluster-claims as join wrote it). */
export function parseClaimsArg(v: string | undefined): Record<string, string> {
  if (!v) return {};
  return Object.fromEntries(v.split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}
