/**
 * "Something changed" as a value: watch handlers call notify(); a waiter reads `version`, looks at
 * the cache, and then awaits a change after that version, so a change that lands between looking
 * and waiting is never lost. Waits end early on abort or after an optional timeout (never reject).
 */
import { systemClock, type Clock, type TimerHandle } from '../core/clock.js';

export class Changes {
  private v = 0;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly clock: Clock = systemClock) {}

  get version(): number {
    return this.v;
  }

  notify(): void {
    this.v++;
    for (const w of [...this.waiters]) w();
  }

  /**
   * Resolves once the version is past `since` (at once if it already is), when `signal` aborts,
   * or after `timeoutMs`; returns true when it was a change.
   */
  after(since: number, signal?: AbortSignal, timeoutMs?: number): Promise<boolean> {
    if (this.v !== since) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      let timer: TimerHandle | undefined;
      const finish = (changed: boolean) => {
        this.waiters.delete(onChange);
        signal?.removeEventListener('abort', onAbort);
        if (timer !== undefined) this.clock.clearTimeout(timer);
        resolve(changed);
      };
      const onChange = () => finish(true);
      const onAbort = () => finish(false);
      this.waiters.add(onChange);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined) timer = this.clock.setTimeout(() => finish(false), timeoutMs);
    });
  }
}
