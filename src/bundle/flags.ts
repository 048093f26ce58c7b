/** The runtime flags init, join and upgrade share (pure). */
import { UsageError } from '../cli/errors.js';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** --image-pull-secret: a Secret name in the runtime's namespace; checked to exist before any write. */
export function parsePullSecret(v: string | undefined, runtime: string): string[] {
  if (v === undefined) return [];
  if (runtime === 'local') throw new UsageError('--image-pull-secret only applies to --runtime cluster (the local runtime pulls no image)');
  if (!DNS_SUBDOMAIN.test(v)) throw new UsageError(`--image-pull-secret "${v}" is not a Secret name (lower case letters, digits, '-' and '.')`);
  return [v];
}

export const PULL_SECRET_HELP = 'a Secret (type kubernetes.io/dockerconfigjson, in the runtime\'s namespace) to pull --image with';
