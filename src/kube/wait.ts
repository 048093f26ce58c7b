import type { KubeClient, KubeObject } from './client.js';
import { WaitInterruptedError, WaitTimeoutError, isGone } from './errors.js';
import { resourcePath, type ResourceRef } from './resources.js';

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
  if (opts.signal?.aborted) throw new WaitInterruptedError(opts.what);
  throw new WaitTimeoutError(opts.what);
}

/**
 * Waits on a label-selected collection: list, then watch from that resourceVersion, keeping the
 * current set of objects, until `done(items)` holds; relists when the watch ends or expires (410).
 */
export interface ListWaitOptions {
  labelSelector?: string;
  fieldSelector?: string;
  deadline: number;
  signal?: AbortSignal;
  what: string;
}

export async function waitForList<T extends KubeObject>(
  client: KubeClient,
  collection: string,
  done: (items: T[]) => boolean,
  opts: ListWaitOptions,
): Promise<T[]> {
  const ctrl = new AbortController();
  const onAbort = () => ctrl.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(onAbort, Math.max(0, opts.deadline - Date.now()));
  const query = { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector };
  try {
    while (!ctrl.signal.aborted) {
      const list = await client.list<T>(collection, query);
      const items = new Map(list.items.map((o) => [o.metadata?.uid ?? o.metadata?.name ?? '', o]));
      if (done([...items.values()])) return [...items.values()];
      let satisfied: T[] | undefined;
      try {
        await client.watch<T>(
          collection,
          { ...query, resourceVersion: list.metadata.resourceVersion, timeoutSeconds: 60 },
          (ev) => {
            if (ev.type === 'BOOKMARK' || satisfied) return;
            const key = ev.object.metadata?.uid ?? ev.object.metadata?.name ?? '';
            if (ev.type === 'DELETED') items.delete(key);
            else items.set(key, ev.object);
            if (done([...items.values()])) {
              satisfied = [...items.values()];
              ctrl.abort();
            }
          },
          { signal: ctrl.signal },
        );
      } catch (err) {
        if (!isGone(err) && !ctrl.signal.aborted) throw err;
      }
      if (satisfied) return satisfied;
    }
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
  if (opts.signal?.aborted) throw new WaitInterruptedError(opts.what);
  throw new WaitTimeoutError(opts.what);
}
