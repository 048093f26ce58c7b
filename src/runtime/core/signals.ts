import { describeError } from '../../kube/errors.js';
import type { Logger } from './types.js';

/**
 * Process shutdown for a runtime entrypoint: the first SIGTERM/SIGINT runs `stop()` (which
 * releases leases) and exits 0, or 1 if it failed; a second signal exits 1 at once.
 */
export function exitOnSignals(stop: () => Promise<unknown>, log: Logger): void {
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    if (++signals > 1) {
      log.warn('second signal: exiting without a graceful stop', { signal: sig });
      process.exit(1);
    }
    log.info('shutting down', { signal: sig });
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error('unclean shutdown', { error: describeError(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
