/** The `--ttl` and `--use-bootstrap-token` rules shared by `init` and `get token`. Pure. */
import { UsageError } from '../../cli/errors.js';
import { TTL } from './constants.js';
import { formatDuration, parseDuration } from './duration.js';

/** Seconds of token life from --ttl, with the default and limits of the token kind. */
export function resolveTtl(ttl: string | undefined, bootstrapToken: boolean): number {
  if (ttl === undefined) return bootstrapToken ? TTL.bootstrapTokenSeconds : TTL.serviceAccountSeconds;
  let seconds: number;
  try {
    seconds = parseDuration(ttl);
  } catch (err) {
    throw new UsageError(`--ttl: ${(err as Error).message}`);
  }
  if (!bootstrapToken && seconds < TTL.minServiceAccountSeconds) {
    throw new UsageError(`--ttl must be at least ${formatDuration(TTL.minServiceAccountSeconds)} for ServiceAccount tokens (the API server's minimum)`);
  }
  if (bootstrapToken && seconds < 60) throw new UsageError('--ttl must be at least 1m');
  return seconds;
}
