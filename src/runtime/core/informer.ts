/**
 * A list-then-watch cache of one collection (types.ts `Informer`).
 * - List in pages (`limit`/`continue`), then watch from the list's resourceVersion with bookmarks,
 *   a randomized server-side timeout (~5 min) and the client's idle timeout (a hung stream).
 * - A clean close re-watches from the last resourceVersion seen (events and bookmarks move it).
 * - 410 Gone relists and emits the add/update/delete differences, so handlers stay level-correct.
 * - Any other error reconnects after capped exponential backoff with jitter (200 ms → 5 s).
 * `stop()` aborts the request in flight and any pending wait: nothing is left running.
 */
import type { KubeClient, KubeList, KubeObject, WatchEvent } from '../../kube/client.js';
import { describeError, isGone } from '../../kube/errors.js';
import { resourcePath } from '../../kube/resources.js';
import { RECONNECT_MAX_MS, backoffDelay } from './backoff.js';
import { sleep, systemClock, type Clock } from './clock.js';
import type { Informer, InformerEvent, Logger, WatchTarget } from './types.js';

export interface InformerOptions {
  /** Items per list page (default 500). */
  pageSize?: number;
  /** Server-side watch timeout; each watch uses 0.8–1.2× this (default 300 s). */
  watchTimeoutSeconds?: number;
  /** Abort a watch that receives no byte for this long (default 90 s; bookmarks keep it alive). */
  idleMs?: number;
  /** Reconnect backoff (default 200 ms doubling to RECONNECT_MAX_MS = 5 s, +20 % jitter). */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  random?: () => number;
  clock?: Clock;
}

/** The cache key of an object: "namespace/name", or "name" for cluster-scoped objects. */
export function objectKey(obj: KubeObject): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name ?? ''}` : (m.name ?? '');
}

type Handler<T> = (event: InformerEvent, obj: T, old?: T) => void;

/** The Informer contract plus hooks for tests and diagnostics. */
export interface ListWatchInformer<T extends KubeObject = KubeObject> extends Informer<T> {
  readonly target: WatchTarget;
  /** The resourceVersion the next watch starts from. */
  readonly resourceVersion: string | undefined;
  /** Completed lists (the first one included). */
  readonly listCount: number;
  /** Ends the current watch; the informer re-watches, from `fromResourceVersion` if given. */
  restartWatch(fromResourceVersion?: string): void;
  /** Ends the current watch and relists, emitting differences (what a 410 Gone triggers). */
  relist(): void;
}

class ListWatch<T extends KubeObject> implements ListWatchInformer<T> {
  private readonly cache = new Map<string, T>();
  private readonly handlers: Handler<T>[] = [];
  private readonly stopCtrl = new AbortController();
  private watchCtrl: AbortController | undefined;
  private rv: string | undefined;
  private needList = true;
  private hasSynced = false;
  private lists = 0;
  private events = 0;
  private started: Promise<void> | undefined;
  private resolveStart: (() => void) | undefined;
  private rejectStart: ((e: Error) => void) | undefined;
  private readonly path: string;
  private readonly clock: Clock;

  constructor(
    private readonly client: KubeClient,
    readonly target: WatchTarget,
    private readonly log: Logger,
    private readonly opts: InformerOptions,
  ) {
    this.path = resourcePath(target.ref);
    this.clock = opts.clock ?? systemClock;
  }

  get synced(): boolean {
    return this.hasSynced;
  }

  get resourceVersion(): string | undefined {
    return this.rv;
  }

  get listCount(): number {
    return this.lists;
  }

  start(): Promise<void> {
    if (!this.started) {
      this.started = new Promise<void>((resolve, reject) => {
        this.resolveStart = resolve;
        this.rejectStart = reject;
      });
      if (this.stopCtrl.signal.aborted) this.rejectStart?.(new Error(`informer for ${this.path} was stopped`));
      else void this.loop();
    }
    return this.started;
  }

  stop(): void {
    if (this.stopCtrl.signal.aborted) return;
    this.stopCtrl.abort();
    if (!this.hasSynced) this.rejectStart?.(new Error(`informer for ${this.path} stopped before its first list`));
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(filter?: (obj: T) => boolean): T[] {
    const all = [...this.cache.values()];
    return filter ? all.filter(filter) : all;
  }

  /** A handler added after objects are cached first gets an `add` for each of them. */
  on(handler: Handler<T>): void {
    this.handlers.push(handler);
    for (const obj of this.cache.values()) this.call(handler, 'add', obj);
  }

  restartWatch(fromResourceVersion?: string): void {
    if (fromResourceVersion !== undefined) this.rv = fromResourceVersion;
    this.watchCtrl?.abort();
  }

  relist(): void {
    this.needList = true;
    this.watchCtrl?.abort();
  }

  private async loop(): Promise<void> {
    const signal = this.stopCtrl.signal;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (this.needList) {
          await this.listAll(signal);
          continue; // a relist asked for meanwhile is honoured before watching
        }
        const quiet = await this.watchOnce(signal);
        // A stream that closes at once with nothing in it (a proxy, an overloaded server) would
        // otherwise be reopened in a tight loop.
        failures = quiet ? failures + 1 : 0;
        if (quiet) await sleep(this.delay(failures), signal, this.clock);
      } catch (err) {
        if (signal.aborted) break;
        if (isGone(err)) {
          // The resourceVersion fell out of the server's window: only a relist brings us back.
          this.log.info('watch expired, relisting', { resource: this.path, resourceVersion: this.rv, error: describeError(err) });
          this.needList = true;
          failures = 0;
          continue;
        }
        failures++;
        const delay = this.delay(failures);
        this.log.warn(this.needList ? 'list failed, retrying' : 'watch failed, reconnecting', {
          resource: this.path,
          error: describeError(err),
          failures,
          retryInMs: delay,
        });
        await sleep(delay, signal, this.clock);
      }
    }
  }

  private delay(failures: number): number {
    return backoffDelay(failures, {
      initialMs: this.opts.backoffInitialMs ?? 200,
      maxMs: this.opts.backoffMaxMs ?? RECONNECT_MAX_MS,
      jitter: 0.2,
      random: this.opts.random,
    });
  }

  private query(): Record<string, string | undefined> {
    return { labelSelector: this.target.labelSelector || undefined, fieldSelector: this.target.fieldSelector || undefined };
  }

  private async listAll(signal: AbortSignal): Promise<void> {
    this.needList = false;
    try {
      await this.listPages(signal);
    } catch (err) {
      this.needList = true;
      throw err;
    }
  }

  private async listPages(signal: AbortSignal): Promise<void> {
    const items: T[] = [];
    let rv: string | undefined;
    let cont: string | undefined;
    let paged = true;
    do {
      let page: KubeList<T>;
      try {
        page = await this.client.request<KubeList<T>>('GET', this.path, {
          query: { ...this.query(), limit: paged ? (this.opts.pageSize ?? 500) : undefined, continue: cont },
          signal,
        });
      } catch (err) {
        // An expired continue token: list again in one piece rather than chase pages forever.
        if (cont && isGone(err)) {
          paged = false;
          cont = undefined;
          items.length = 0;
          continue;
        }
        throw err;
      }
      rv ??= page.metadata?.resourceVersion;
      for (const obj of page.items ?? []) items.push(this.trim(obj));
      cont = page.metadata?.continue || undefined;
    } while (cont && !signal.aborted);
    if (signal.aborted) return;
    this.rv = rv;
    this.lists++;
    this.replace(items);
    if (!this.hasSynced) {
      this.hasSynced = true;
      this.log.debug('informer synced', { resource: this.path, items: items.length });
      this.resolveStart?.();
    }
  }

  /** Swaps the cache for a fresh list and emits what changed since the previous state. */
  private replace(items: T[]): void {
    const next = new Map<string, T>();
    for (const obj of items) next.set(objectKey(obj), obj);
    const prev = new Map(this.cache);
    this.cache.clear();
    for (const [k, v] of next) this.cache.set(k, v);
    for (const [k, obj] of next) {
      const old = prev.get(k);
      if (!old) this.emit('add', obj);
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.emit('update', obj, old);
    }
    for (const [k, old] of prev) if (!next.has(k)) this.emit('delete', old);
  }

  /** Watches until the stream ends; returns true for a stream that ended at once, empty and unasked. */
  private async watchOnce(stop: AbortSignal): Promise<boolean> {
    const ctrl = new AbortController();
    const startedAt = this.clock.now();
    const seen = this.events;
    this.watchCtrl = ctrl;
    const base = this.opts.watchTimeoutSeconds ?? 300;
    const random = this.opts.random ?? Math.random;
    const timeoutSeconds = Math.max(1, Math.round(base * (0.8 + 0.4 * random())));
    try {
      await this.client.watch<T>(
        this.path,
        { ...this.query(), resourceVersion: this.rv, timeoutSeconds },
        (ev) => this.onEvent(ev),
        { signal: AbortSignal.any([stop, ctrl.signal]), idleMs: this.opts.idleMs ?? 90_000 },
      );
      return !ctrl.signal.aborted && !stop.aborted && this.events === seen && this.clock.now() - startedAt < 1000;
    } finally {
      if (this.watchCtrl === ctrl) this.watchCtrl = undefined;
    }
  }

  private onEvent(ev: WatchEvent<T>): void {
    this.events++;
    const obj = ev.object;
    const rv = obj?.metadata?.resourceVersion;
    if (ev.type === 'BOOKMARK') {
      if (rv) this.rv = rv;
      return;
    }
    if (!obj?.metadata) return;
    this.trim(obj);
    const key = objectKey(obj);
    const old = this.cache.get(key);
    if (ev.type === 'DELETED') {
      this.cache.delete(key);
      this.emit('delete', obj, old);
    } else {
      this.cache.set(key, obj);
      if (old) this.emit('update', obj, old);
      else this.emit('add', obj);
    }
    if (rv) this.rv = rv;
  }

  /** What the cache keeps of an object: managedFields only when the target asks for them. */
  private trim(obj: T): T {
    if (!this.target.keepManagedFields && obj.metadata) delete obj.metadata.managedFields;
    return obj;
  }

  private emit(event: InformerEvent, obj: T, old?: T): void {
    for (const h of this.handlers) this.call(h, event, obj, old);
  }

  private call(h: Handler<T>, event: InformerEvent, obj: T, old?: T): void {
    try {
      h(event, obj, old);
    } catch (err) {
      // A broken handler must not break the watch for everyone else.
      this.log.error('informer handler failed', { resource: this.path, event, object: objectKey(obj), error: describeError(err) });
    }
  }
}

export function createInformer<T extends KubeObject = KubeObject>(
  client: KubeClient,
  target: WatchTarget,
  log: Logger,
  opts: InformerOptions = {},
): ListWatchInformer<T> {
  return new ListWatch<T>(client, target, log, opts);
}
