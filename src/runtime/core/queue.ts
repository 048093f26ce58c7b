/**
 * A keyed work queue with client-go's semantics (types.ts `WorkQueue`): a key waits at most once,
 * is never handed to two workers at once, and a key added while it is being processed is handed
 * out again after `done`. Delayed adds share one timer over a min-heap. Retries back off per key
 * (5 ms doubling to 60 s) and, overall, through a token bucket (50 qps, burst 100), taking
 * whichever delay is longer.
 */
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { MinHeap } from './heap.js';
import type { ControllerMetrics } from './metrics.js';
import type { KeyedWorkQueue } from './types.js';

export type { KeyedWorkQueue };

export interface WorkQueueOptions {
  clock?: Clock;
  /** First retry delay of a failing key (default 5 ms); doubles per failure. */
  baseDelayMs?: number;
  /** Cap of the per-key retry delay (default 60 s). */
  maxDelayMs?: number;
  /** Overall retry rate in keys per second (default 50; 0 disables the bucket). */
  qps?: number;
  /** Retries allowed at once before `qps` applies (default 100). */
  burst?: number;
  /** Where adds, retries, depth and time in the queue are counted (metrics.ts). */
  metrics?: ControllerMetrics;
}

interface Delayed {
  at: number;
  seq: number;
  key: string;
}

class Queue implements KeyedWorkQueue {
  private readonly clock: Clock;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly qps: number;
  private readonly burst: number;

  /** Ready keys in FIFO order; `dirty` holds every key that must be processed (again). */
  private ready: string[] = [];
  /** When each ready key became ready (for the time-in-queue metric). */
  private readonly readySince = new Map<string, number>();
  private readonly metrics: ControllerMetrics | undefined;
  private readonly dirty = new Set<string>();
  private readonly inFlight = new Set<string>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];

  /** Delayed keys: the heap may hold stale entries; `dueAt` says which one counts. */
  private readonly heap = new MinHeap<Delayed>((a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq));
  private readonly dueAt = new Map<string, number>();
  private seq = 0;
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;

  private readonly failures = new Map<string, number>();
  private tokens: number;
  private refilledAt: number;
  private closed = false;

  constructor(opts: WorkQueueOptions) {
    this.clock = opts.clock ?? systemClock;
    this.baseDelayMs = opts.baseDelayMs ?? 5;
    this.maxDelayMs = opts.maxDelayMs ?? 60_000;
    this.qps = opts.qps ?? 50;
    this.burst = opts.burst ?? 100;
    this.tokens = this.burst;
    this.refilledAt = this.clock.now();
    this.metrics = opts.metrics;
    this.metrics?.queues.add(this);
  }

  get length(): number {
    return this.ready.length;
  }

  get processing(): number {
    return this.inFlight.size;
  }

  get delayed(): number {
    return this.dueAt.size;
  }

  get shuttingDown(): boolean {
    return this.closed;
  }

  add(key: string): void {
    if (this.closed || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.metrics) this.metrics.adds++;
    if (this.inFlight.has(key)) return; // handed out again by done()
    this.makeReady(key);
  }

  addAfter(key: string, ms: number): void {
    if (this.closed) return;
    if (!(ms > 0)) return this.add(key);
    const at = this.clock.now() + ms;
    const current = this.dueAt.get(key);
    if (current !== undefined && current <= at) return; // an earlier pending add wins
    this.dueAt.set(key, at);
    this.heap.push({ at, seq: ++this.seq, key });
    this.arm();
  }

  addRateLimited(key: string): void {
    if (this.closed) return;
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    if (this.metrics) this.metrics.retries++;
    const perKey = Math.min(this.baseDelayMs * 2 ** Math.min(n, 40), this.maxDelayMs);
    this.addAfter(key, Math.max(perKey, this.takeToken()));
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  get(): Promise<string | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    const key = this.take();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(key: string): void {
    if (!this.inFlight.delete(key)) return;
    if (this.dirty.has(key) && !this.closed) this.makeReady(key);
  }

  shutDown(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    this.heap.clear();
    this.dueAt.clear();
    this.ready = [];
    this.readySince.clear();
    this.dirty.clear();
    this.metrics?.queues.delete(this);
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  private makeReady(key: string): void {
    this.ready.push(key);
    if (this.metrics) this.readySince.set(key, this.clock.now());
    this.dispatch();
  }

  private take(): string | undefined {
    const key = this.ready.shift();
    if (key === undefined) return undefined;
    const since = this.readySince.get(key);
    if (since !== undefined) {
      this.readySince.delete(key);
      this.metrics!.queueDuration.observe((this.clock.now() - since) / 1000);
    }
    this.dirty.delete(key);
    this.inFlight.add(key);
    return key;
  }

  private dispatch(): void {
    while (this.waiters.length > 0 && this.ready.length > 0) this.waiters.shift()!(this.take());
  }

  /** Reserves one token; returns how long the reservation has to wait (0 within the burst). */
  private takeToken(): number {
    if (!(this.qps > 0) || this.qps === Infinity) return 0;
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) * this.qps) / 1000);
    this.refilledAt = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.qps);
  }

  /** Points the single timer at the earliest live delayed key. */
  private arm(): void {
    let top = this.heap.peek();
    while (top && this.dueAt.get(top.key) !== top.at) {
      this.heap.pop();
      top = this.heap.peek();
    }
    const at = top?.at ?? Infinity;
    if (at === this.timerAt) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (at === Infinity) return;
    this.timer = this.clock.setTimeout(() => this.fire(), at - this.clock.now());
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.clock.now();
    for (let top = this.heap.peek(); top && top.at <= now; top = this.heap.peek()) {
      this.heap.pop();
      if (this.dueAt.get(top.key) !== top.at) continue;
      this.dueAt.delete(top.key);
      this.add(top.key);
    }
    this.arm();
  }
}

export function createWorkQueue(opts: WorkQueueOptions = {}): KeyedWorkQueue {
  return new Queue(opts);
}
