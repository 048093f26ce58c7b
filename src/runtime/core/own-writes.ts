/**
 * Read-your-own-writes over an informer cache. A key reconciled again before the watch has
 * brought back the reconciler's last write would read the older cached copy, and its next guarded
 * write would fail with 409 Conflict: a wasted request, a retry, and under a burst of new objects
 * a queue full of them. `wrote(before, after)` records what the server answered to a guarded
 * write of `before`; `get` returns that answer while the cache still holds `before` (or an older
 * copy the same chain of writes replaced), and the cache itself once it has moved on.
 *
 * Exact because the writes are guarded by resourceVersion: a write based on version v succeeds
 * only if nothing else was written since v, so a cached version outside the chain is newer.
 * Only guarded writes may be recorded.
 */
import type { KubeObject } from '../../kube/client.js';
import { objectKey } from './informer.js';
import type { Informer } from './types.js';

const versionOf = (o: KubeObject): string | undefined => o.metadata?.resourceVersion;

export class OwnWrites<T extends KubeObject> {
  /** Per key: the versions our writes replaced, and the server's answer to the last one. */
  private readonly pending = new Map<string, { replaced: Set<string | undefined>; latest: T }>();
  /** Per key: the version of our last write, kept after the cache caught up (see isOwnWrite). */
  private readonly lastWritten = new Map<string, string | undefined>();

  constructor(private readonly informer: Informer<T>) {
    // The watch delivered our write (or something newer, or the delete): the cache is current.
    informer.on((event, obj) => {
      const key = objectKey(obj);
      const p = this.pending.get(key);
      if (p && (event === 'delete' || !p.replaced.has(versionOf(obj)))) this.pending.delete(key);
      if (event === 'delete') this.lastWritten.delete(key);
    });
  }

  get synced(): boolean {
    return this.informer.synced;
  }

  /** The newest copy we know of: our last write while the cache lags behind it, else the cache's. */
  get(key: string): T | undefined {
    const cached = this.informer.get(key);
    const p = this.pending.get(key);
    if (!p) return cached;
    if (p.replaced.has(cached && versionOf(cached))) return p.latest;
    this.pending.delete(key);
    return cached;
  }

  /**
   * Records the server's answer to a guarded write of `before`, or to a create (`before`
   * undefined: nothing existed, so an empty cache is behind it too); returns `after`.
   */
  wrote(before: T | undefined, after: T): T {
    if (before && (after === before || versionOf(after) === versionOf(before))) return after; // nothing was written
    const key = objectKey(after);
    const p = this.pending.get(key);
    const from = before && versionOf(before);
    const replaced = p && from !== undefined && versionOf(p.latest) === from ? p.replaced : new Set<string | undefined>();
    replaced.add(from);
    this.pending.set(key, { replaced, latest: after });
    this.lastWritten.set(key, versionOf(after));
    return after;
  }

  /**
   * Whether `obj` is exactly what our last write left: the pass that wrote it went on from that
   * state, so its watch event needs no new pass (a change by anyone else has another version).
   */
  isOwnWrite(obj: T): boolean {
    const v = versionOf(obj);
    return v !== undefined && this.lastWritten.get(objectKey(obj)) === v;
  }

  /** Keys with a write the cache has not shown yet (for tests). */
  get size(): number {
    return this.pending.size;
  }
}
