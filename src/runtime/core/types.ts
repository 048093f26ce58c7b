/**
 * The contract of the shared controller core (watch → cache → queue(key) → reconcile(key)).
 * Hub and klusterlet reconcilers are written against these types only.
 */
import type { KubeClient, KubeObject } from '../../kube/client.js';
import type { ResourceRef } from '../../kube/resources.js';

/** A structured logger: JSON lines with time, level, msg and fields. */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/** What to watch: a collection (optionally one namespace), with optional selectors. */
export interface WatchTarget {
  ref: Omit<ResourceRef, 'name' | 'subresource'>;
  labelSelector?: string;
  fieldSelector?: string;
  /**
   * Keep metadata.managedFields in the cache. Off by default: informers drop them (as client-go's
   * transform does), often half of an object's size, which no reconciler reads but the lease one.
   */
  keepManagedFields?: boolean;
}

export type InformerEvent = 'add' | 'update' | 'delete';

/**
 * A list-then-watch cache of one collection. Relists on 410 Gone, reconnects with backoff on
 * errors, restarts a watch that goes silent. Keys are "namespace/name" or "name".
 */
export interface Informer<T extends KubeObject = KubeObject> {
  /** Resolves after the first full list has filled the cache. */
  start(): Promise<void>;
  stop(): void;
  readonly synced: boolean;
  get(key: string): T | undefined;
  list(filter?: (obj: T) => boolean): T[];
  /** Handlers run synchronously for every change; for a delete, `obj` is the last known state. */
  on(handler: (event: InformerEvent, obj: T, old?: T) => void): void;
}

/**
 * A keyed work queue: a key is never processed twice at once; adding a key that is already
 * waiting does nothing; failures retry with per-key exponential backoff (5 ms doubling to 60 s
 * by default) plus an overall rate limit.
 */
export interface WorkQueue {
  add(key: string): void;
  /** Adds the key after `ms`; an earlier pending add wins. */
  addAfter(key: string, ms: number): void;
  /** Adds with the key's backoff and increments its failure count. */
  addRateLimited(key: string): void;
  /** Resets the key's failure count (call after a successful reconcile). */
  forget(key: string): void;
  readonly length: number;
  shutDown(): void;
}

/** What a reconcile asks for next; nothing means "done until something changes". */
export interface ReconcileResult {
  /** Reconcile this key again after this many ms (e.g. exactly when a lease expires). */
  requeueAfterMs?: number;
}

/**
 * Level-based and idempotent: reads current state from informers, writes the difference, and
 * running it twice in a row changes nothing the second time. Throwing requeues with backoff;
 * throwing a TerminalError does not (the key waits for its next change). `signal` aborts when
 * the controller stops: pass it to long calls so a stop does not wait for them.
 */
export interface Reconciler {
  readonly name: string;
  reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult | void>;
}

/**
 * A failure that retrying cannot mend (an invalid spec, say): logged once, not requeued, as
 * controller-runtime's reconcile.TerminalError. The key is reconciled again on its next change.
 */
export class TerminalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TerminalError';
  }
}

/** A reconciler with the informers that feed its queue. */
export interface ControllerSpec {
  reconciler: Reconciler;
  /** Number of keys reconciled in parallel (default 1). */
  workers?: number;
}

/** The runtime a controller process gets: clients, informer factory, logger. */
export interface RuntimeContext {
  client: KubeClient;
  log: Logger;
  /** Shared informers: asking twice for the same target returns the same informer. */
  informer<T extends KubeObject = KubeObject>(target: WatchTarget): Informer<T>;
}

/*
 * Additions to the contract (nothing above changed shape). Implementations live next door:
 * - KeyedWorkQueue below: the worker side of WorkQueue (queue.ts `createWorkQueue`).
 * - informer.ts `ListWatchInformer`: Informer plus `resourceVersion`, `restartWatch()`, `relist()`.
 * - controller.ts `KeysFn`: key mappers also get the event, `(obj, old, event) => string[]`.
 * - Informer.on: a handler added after the cache is filled first gets an `add` per cached object.
 * - conditions.ts `setCondition` returns the new list itself, carrying `conditions` and `changed`.
 */

/** The consumer side of a WorkQueue: workers take a key with get() and report done(key). */
export interface KeyedWorkQueue extends WorkQueue {
  /** The next key to process; resolves `undefined` once the queue is shut down. */
  get(): Promise<string | undefined>;
  /** Marks `key` processed; if it was added meanwhile it becomes ready again. */
  done(key: string): void;
  /** Failures recorded for `key` since its last `forget`. */
  numRequeues(key: string): number;
  readonly shuttingDown: boolean;
  /** Keys handed out and not yet `done`. */
  readonly processing: number;
  /** Keys waiting in `addAfter`/`addRateLimited` delays. */
  readonly delayed: number;
}
