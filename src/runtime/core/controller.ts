/**
 * Controller: informer events → keys → a work queue → N workers calling reconcile(key).
 * Success forgets the key's failures (and honours requeueAfterMs); a throw retries with the
 * queue's backoff and logs one line with the error's message; a 409 Conflict (a write based on a
 * stale read) retries almost at once, since the fresher object is already on its way (the quick
 * delay doubles per conflict in a row, so a watch lagging on a loaded apiserver is waited for); a
 * TerminalError is logged once and not retried. reconcile gets the run's signal: stop aborts it.
 * Manager: the process-level owner of the client, the shared informers and the controllers.
 */
import type { KubeClient, KubeObject } from '../../kube/client.js';
import { describeError, isConflict } from '../../kube/errors.js';
import { systemClock, type Clock } from './clock.js';
import type { InformerOptions } from './informer.js';
import { processMetrics, type ControllerMetrics, type MetricsRegistry, type ReconcileOutcome } from './metrics.js';
import { createWorkQueue, type KeyedWorkQueue, type WorkQueueOptions } from './queue.js';
import { SharedInformers } from './shared-informers.js';
import { TerminalError, type ControllerSpec, type Informer, type InformerEvent, type Logger, type RuntimeContext } from './types.js';

/** A key to reconcile now, or after `afterMs` (a look that can wait; an earlier add still wins). */
export type KeyRequest = string | { key: string; afterMs: number };

/** Maps an informer change to the keys to reconcile (`old` is set for updates and deletes). */
export type KeysFn<T> = (obj: T, old: T | undefined, event: InformerEvent) => KeyRequest[];

export interface ControllerOptions {
  queue?: WorkQueueOptions;
  /** Delay before retrying a key whose write hit 409 Conflict (default 50 ms, doubled per conflict in a row). */
  conflictRequeueMs?: number;
  /** Conflicts in a row retried that way before normal backoff applies (default 5: 50 ms … 800 ms, 1.55 s in all). */
  maxQuickConflictRetries?: number;
  clock?: Clock;
  /** Where the queue and reconciles are counted (default: the process's registry). */
  metrics?: MetricsRegistry;
}

export class Controller {
  readonly name: string;
  readonly queue: KeyedWorkQueue;
  private readonly workers: number;
  private readonly conflicts = new Map<string, number>();
  private readonly clock: Clock;
  private running: Promise<void> | undefined;
  private busy = 0;
  private readonly metrics: ControllerMetrics;

  constructor(
    readonly spec: ControllerSpec,
    private readonly log: Logger,
    private readonly opts: ControllerOptions = {},
  ) {
    this.name = spec.reconciler.name;
    this.workers = Math.max(1, spec.workers ?? 1);
    this.clock = opts.clock ?? systemClock;
    this.metrics = (opts.metrics ?? processMetrics).controller(this.name);
    this.queue = createWorkQueue({ clock: this.clock, metrics: this.metrics, ...opts.queue });
  }

  /**
   * Enqueues the keys `toKeys` returns for every change the informer sees. A change also restarts
   * the key's quick conflict retries: the conflicts so far were writes racing that change, not a
   * lagging watch (ten concurrent edits of one object could use up the 1.55 s budget).
   */
  watches<T extends KubeObject>(informer: Informer<T>, toKeys: KeysFn<T>): this {
    informer.on((event, obj, old) => {
      for (const k of toKeys(obj, old, event)) {
        if (typeof k === 'string') {
          if (!k) continue;
          this.conflicts.delete(k);
          this.queue.add(k);
        } else if (k.key) this.queue.addAfter(k.key, k.afterMs);
      }
    });
    return this;
  }

  /** Manual trigger, e.g. keys of objects that should exist even when nothing changed yet. */
  enqueue(...keys: string[]): void {
    for (const key of keys) this.queue.add(key);
  }

  /** Keys being reconciled right now. */
  get inFlight(): number {
    return this.busy;
  }

  /**
   * Runs the workers until `signal` aborts; then the queue stops handing out keys and the promise
   * resolves once the reconciles in flight have finished.
   */
  run(signal: AbortSignal): Promise<void> {
    if (this.running) return this.running;
    const stop = () => this.queue.shutDown();
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    this.log.info('controller started', { controller: this.name, workers: this.workers });
    const workers = Array.from({ length: this.workers }, () => this.worker(signal));
    this.running = Promise.all(workers).then(() => {
      signal.removeEventListener('abort', stop);
      this.log.info('controller stopped', { controller: this.name });
    });
    return this.running;
  }

  private async worker(signal: AbortSignal): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      this.busy++;
      try {
        await this.process(key, signal);
      } finally {
        this.busy--;
        this.queue.done(key);
      }
    }
  }

  private count(started: number, outcome: ReconcileOutcome): void {
    this.metrics.reconciles[outcome]++;
    this.metrics.workDuration.observe((this.clock.now() - started) / 1000);
  }

  private async process(key: string, signal: AbortSignal): Promise<void> {
    const started = this.clock.now();
    try {
      const res = await this.spec.reconciler.reconcile(key, signal);
      this.queue.forget(key);
      this.conflicts.delete(key);
      const after = res ? res.requeueAfterMs : undefined;
      if (after !== undefined && after >= 0) this.queue.addAfter(key, after);
      this.count(started, after !== undefined && after >= 0 ? 'requeue_after' : 'success');
      this.log.debug('reconciled', { controller: this.name, object: key, ms: this.clock.now() - started, requeueAfterMs: after });
    } catch (err) {
      if (signal.aborted) {
        // Stopping: the queue hands out nothing more, and an aborted call is no failure.
        this.log.debug('reconcile ended by stop', { controller: this.name, object: key, error: describeError(err) });
        return;
      }
      this.count(started, 'error');
      if (err instanceof TerminalError) {
        this.queue.forget(key);
        this.conflicts.delete(key);
        this.log.error('reconcile failed, not retried', { controller: this.name, object: key, error: describeError(err) });
        return;
      }
      const n = this.conflicts.get(key) ?? 0;
      if (isConflict(err) && n < (this.opts.maxQuickConflictRetries ?? 5)) {
        this.conflicts.set(key, n + 1);
        this.queue.addAfter(key, (this.opts.conflictRequeueMs ?? 50) * 2 ** n);
        this.log.debug('conflict, retrying with fresh state', { controller: this.name, object: key, error: describeError(err) });
        return;
      }
      this.conflicts.delete(key);
      this.queue.addRateLimited(key);
      this.log.error('reconcile failed', {
        controller: this.name,
        object: key,
        error: describeError(err),
        retries: this.queue.numRequeues(key),
      });
    }
  }
}

export interface ManagerOptions {
  client: KubeClient;
  log: Logger;
  informers?: InformerOptions;
  /** How long `stop()` waits for reconciles in flight (default 15 s). */
  stopTimeoutMs?: number;
}

/**
 * Holds the RuntimeContext, the shared informers and the controllers. `start` starts the
 * informers, waits until all have listed, then runs the controllers; `stop` stops handing out
 * keys, waits (bounded) for reconciles in flight, then stops the informers.
 */
export class Manager {
  readonly informers: SharedInformers;
  readonly context: RuntimeContext;
  private readonly controllers: Controller[] = [];
  private readonly runCtrl = new AbortController();
  private runs: Promise<void>[] = [];
  private state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  private stopping: Promise<boolean> | undefined;
  private readonly log: Logger;
  private resolveStopped!: (clean: boolean) => void;
  private readonly stoppedP = new Promise<boolean>((r) => (this.resolveStopped = r));

  constructor(private readonly opts: ManagerOptions) {
    this.log = opts.log;
    this.informers = new SharedInformers(opts.client, opts.log, opts.informers);
    this.context = {
      client: opts.client,
      log: opts.log,
      informer: (target) => this.informers.get(target),
    };
  }

  /** Adds a controller (a spec gets a Controller with a child logger); before `start`. */
  add(spec: ControllerSpec | Controller, opts?: ControllerOptions): Controller {
    const c = spec instanceof Controller ? spec : new Controller(spec, this.log.child({ controller: spec.reconciler.name }), opts);
    this.controllers.push(c);
    if (this.state === 'running') this.runs.push(c.run(this.runCtrl.signal));
    return c;
  }

  /**
   * Resolves when a stop has completed (true when it was clean); e.g. the promise to hand a
   * leader elector: `onStartedLeading: async (s) => { await mgr.start(s); await mgr.stopped(); }`.
   */
  stopped(): Promise<boolean> {
    return this.stoppedP;
  }

  /** Informers synced and controllers running (for /readyz). */
  get ready(): boolean {
    return this.state === 'running' && this.informers.synced;
  }

  /** Resolves once informers have synced and controllers run; aborting `signal` stops. */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.state !== 'new') throw new Error('a manager starts once');
    this.state = 'starting';
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
    if (signal?.aborted) return void (await this.stop());
    try {
      await this.informers.startAll();
    } catch (err) {
      if (this.state !== 'starting') return; // stopped while syncing
      throw err;
    }
    if (this.state !== 'starting') return;
    this.state = 'running';
    this.runs = this.controllers.map((c) => c.run(this.runCtrl.signal));
    this.log.info('manager running', { controllers: this.controllers.map((c) => c.name), informers: this.informers.size });
  }

  /**
   * Graceful stop: no new keys, reconciles in flight get up to `timeoutMs`, then the informers
   * stop. Resolves true when everything finished within the deadline.
   */
  stop(timeoutMs = this.opts.stopTimeoutMs ?? 15_000): Promise<boolean> {
    this.stopping ??= (async () => {
      this.state = 'stopping';
      this.runCtrl.abort();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<false>((r) => (timer = setTimeout(() => r(false), timeoutMs)));
      const finished = await Promise.race([Promise.all(this.runs).then(() => true as const), deadline]);
      clearTimeout(timer);
      if (!finished) {
        const busy = this.controllers.filter((c) => c.inFlight > 0).map((c) => c.name);
        this.log.warn('reconciles still running at the stop deadline', { timeoutMs, controllers: busy });
      }
      this.informers.stopAll();
      this.state = 'stopped';
      this.log.info('manager stopped', { clean: finished });
      this.resolveStopped(finished);
      return finished;
    })();
    return this.stopping;
  }
}
