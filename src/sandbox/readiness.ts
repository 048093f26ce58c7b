import { setTimeout as delay } from 'node:timers/promises';
import { Agent, fetch } from 'undici';
import { tailFile, type Component } from './process.js';

/**
 * Readiness waits for control-plane components: a condition re-checked with a short backoff
 * until it holds or a deadline passes, failing at once (with the log tail) when the component
 * it depends on has exited.
 */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly component?: string,
    readonly logFile?: string,
  ) {
    super(message);
    this.name = 'StartupError';
  }
}

function exitedError(c: Component, what: string): StartupError {
  const how = c.exited?.signal ? `signal ${c.exited.signal}` : `code ${c.exited?.code}`;
  return new StartupError(`${c.name} exited (${how}) while waiting for ${what}; last lines of ${c.logFile}:\n${tailFile(c.logFile)}`, c.name, c.logFile);
}

/**
 * Resolves when `check()` returns true. `check` errors count as "not yet". Rejects when
 * `deadline` (epoch ms) passes or any of `watch` exits.
 */
export async function waitForCondition(
  what: string,
  check: () => Promise<boolean>,
  opts: { deadline: number; watch: Component[] },
): Promise<void> {
  let pause = 50;
  let lastError = '';
  for (;;) {
    for (const c of opts.watch) if (c.exited) throw exitedError(c, what);
    try {
      if (await check()) return;
      lastError = '';
    } catch (err) {
      lastError = (err as Error).message;
    }
    const left = opts.deadline - Date.now();
    if (left <= 0) {
      const c = opts.watch[opts.watch.length - 1];
      const logs = c ? `; last lines of ${c.logFile}:\n${tailFile(c.logFile)}` : '';
      throw new StartupError(`timed out waiting for ${what}${lastError ? ` (last error: ${lastError})` : ''}${logs}`, c?.name, c?.logFile);
    }
    // Wake early when a watched component exits, so a crash is reported at once.
    const exits = opts.watch.map((c) => c.exit);
    await Promise.race([delay(Math.min(pause, left)), ...exits]);
    pause = Math.min(pause * 2, 500);
  }
}

/** GET `url` and report whether it answered 200 with body `ok` (etcd /health answers JSON). */
export async function httpOk(url: string, tls?: { ca: string; cert?: string; key?: string }): Promise<boolean> {
  const dispatcher = tls ? new Agent({ connect: { ca: tls.ca, cert: tls.cert, key: tls.key } }) : undefined;
  try {
    const res = await fetch(url, { dispatcher, signal: AbortSignal.timeout(5_000) });
    const body = await res.text();
    if (res.status !== 200) return false;
    if (url.endsWith('/health')) return (JSON.parse(body) as { health?: string }).health === 'true';
    return body.trim() === 'ok';
  } finally {
    await dispatcher?.close();
  }
}
