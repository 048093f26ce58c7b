import type { KubeClient, KubeObject } from './client.js';
import { isGone } from './errors.js';
import { resourcePath, type ResourceRef } from './resources.js';
import { CliError, InterruptedError } from '../cli/errors.js';

export interface WaitOptions {
  /** Epoch ms after which the wait fails. */
  deadline: number;
  signal?: AbortSignal;
  /** What is awaited, for the timeout message ("cluster c1 to become Available"). */
  what: string;
}

/**
 * Waits until `done(obj)` is true for the object named by `ref` (undefined while it does not
 * exist), watching it with a field selector: no polling. Returns the object that satisfied it.
 */
export async function waitForObject<T extends KubeObject>(
  client: KubeClient,
  ref: ResourceRef & { name: string },
  done: (obj: T | undefined) => boolean,
  opts: WaitOptions,
): Promise<T | undefined> {
  const collection = resourcePath({ ...ref, name: undefined, subresource: undefined });
  const fieldSelector = `metadata.name=${ref.name}`;
  const ctrl = new AbortController();
  const onAbort = () => ctrl.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(onAbort, Math.max(0, opts.deadline - Date.now()));
  try {
    while (!ctrl.signal.aborted) {
      const list = await client.list<T>(collection, { fieldSelector });
      let current = list.items[0];
      if (done(current)) return current;
      let rv = list.metadata.resourceVersion;
      let matched: T | undefined;
      let satisfied = false;
      try {
        await client.watch<T>(
          collection,
          { fieldSelector, resourceVersion: rv, timeoutSeconds: 60 },
          (ev) => {
            if (ev.type === 'BOOKMARK') return;
            current = ev.type === 'DELETED' ? undefined : ev.object;
            if (!satisfied && done(current)) {
              satisfied = true;
              matched = current;
              ctrl.abort();
            }
          },
          { signal: ctrl.signal },
        );
      } catch (err) {
        if (!isGone(err) && !ctrl.signal.aborted) throw err;
      }
      if (satisfied) return matched;
    }
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
  if (opts.signal?.aborted) throw new InterruptedError(`interrupted while waiting for ${opts.what}`);
  throw new CliError(`timed out waiting for ${opts.what}; raise --timeout or check the cluster`);
}
