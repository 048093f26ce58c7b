/** Capped exponential backoff with jitter, for reconnects and retries. */

/**
 * The longest wait between two attempts to reach an API server again (before jitter). However
 * long an outage lasted, a peer that is back is found within this: 5 s (+20 %) keeps reconnects
 * after a long hub outage under 10 s, for the cost of one request per 5 s per watch meanwhile.
 */
export const RECONNECT_MAX_MS = 5_000;

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Extra random fraction added on top (0.2 → up to +20 %); spreads reconnect storms. */
  jitter?: number;
  random?: () => number;
}

/** The delay before retry number `attempt` (1-based): initial·2^(attempt-1), capped, plus jitter. */
export function backoffDelay(attempt: number, opts: BackoffOptions): number {
  const exp = opts.initialMs * 2 ** Math.max(0, Math.min(attempt - 1, 40));
  const base = Math.min(exp, opts.maxMs);
  const jitter = opts.jitter ?? 0;
  return Math.round(base * (1 + jitter * (opts.random ?? Math.random)()));
}
