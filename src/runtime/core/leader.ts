/**
 * Leader election on a coordination.k8s.io/v1 Lease. Writes are optimistic (create, or update
 * carrying the resourceVersion that was read), so of two candidates exactly one succeeds.
 * A candidate watches the Lease instead of polling: it tries when the holder releases it, and
 * otherwise at the exact moment the holder's lease would expire, measured on its own clock from
 * when it last saw the Lease change (holders' clocks may be skewed). The leader renews halfway
 * through its renewDeadline (renewIntervalMs), retries a failed renewal every retryPeriod, and
 * gives up when no renewal succeeded for renewDeadline. On a graceful stop it lets its work finish
 * (still renewing), then releases the Lease (empty holder, duration 1 s) so a standby takes over
 * at once rather than after the lease duration.
 */
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import type { KubeClient, KubeObject } from '../../kube/client.js';
import { describeError, isAlreadyExists, isConflict } from '../../kube/errors.js';
import { resourcePath, type ResourceRef } from '../../kube/resources.js';
import { systemClock, type Clock } from './clock.js';
import { createInformer, type InformerOptions } from './informer.js';
import type { Logger } from './types.js';
import { LEASES, type Lease, type LeaseSpec } from '../../kube/core.js';

/** Kubernetes MicroTime: RFC 3339 with exactly 6 fractional digits, e.g. 2026-11-23T10:00:00.123456Z. */
export function microTime(d: Date = new Date()): string {
  const iso = d.toISOString(); // always YYYY-MM-DDTHH:mm:ss.sssZ for years 0–9999
  return `${iso.slice(0, 23)}000Z`;
}

/**
 * How long after a successful renewal the next one is due: half the renew deadline, so the other
 * half holds retries, and never sooner than the retry period. client-go renews every retry period
 * (2 s); each renewal is a Lease write and an event back to every candidate, about 3 ms of CPU in
 * an idle hub controller, whose CPU at rest renewing every 2 s was twice that renewing every 9 s.
 */
export function renewIntervalMs(renewDeadlineMs: number, retryMs: number): number {
  return Math.max(retryMs, renewDeadlineMs / 2);
}

export interface LeaderElectionOptions {
  client: KubeClient;
  lease: { namespace: string; name: string };
  log: Logger;
  /** Unique per process (default "<hostname>_<uuid>"). */
  identity?: string;
  leaseDurationSeconds?: number;
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
  /**
   * Called on becoming leader. `signal` aborts when leadership ends; the returned promise should
   * settle only when the work it started has stopped, so release waits for it.
   */
  onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  onStoppedLeading?: () => void;
  onNewLeader?: (identity: string) => void;
  /** Release the Lease on a graceful stop (default true). */
  releaseOnStop?: boolean;
  /** Longest wait for onStartedLeading's work to stop before releasing anyway (default 30 s). */
  stopTimeoutMs?: number;
  clock?: Clock;
  informer?: InformerOptions;
}

/** How `run` ended: stopped by its signal, or leadership lost (the process should exit). */
export type ElectionOutcome = 'stopped' | 'lost';

const rvNumber = (o?: KubeObject): bigint | undefined => {
  const rv = o?.metadata?.resourceVersion;
  return rv && /^\d+$/.test(rv) ? BigInt(rv) : undefined;
};

export class LeaderElector {
  readonly identity: string;
  private readonly clock: Clock;
  private readonly durationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private readonly renewEveryMs: number;
  private readonly ref: ResourceRef;
  private readonly wakers = new Set<() => void>();
  private observedRv: string | undefined;
  private observedAt = 0;
  private observedHolder: string | undefined;
  /** The Lease as our last successful write returned it. */
  private mine: Lease | undefined;
  private lastRenew = 0;
  private leading = false;
  private running = false;

  constructor(private readonly opts: LeaderElectionOptions) {
    this.identity = opts.identity ?? `${os.hostname()}_${randomUUID()}`;
    this.clock = opts.clock ?? systemClock;
    this.durationMs = (opts.leaseDurationSeconds ?? 15) * 1000;
    this.renewDeadlineMs = (opts.renewDeadlineSeconds ?? 10) * 1000;
    this.retryMs = (opts.retryPeriodSeconds ?? 2) * 1000;
    if (!(this.durationMs > this.renewDeadlineMs && this.renewDeadlineMs > this.retryMs)) {
      throw new Error('leader election needs leaseDuration > renewDeadline > retryPeriod');
    }
    this.renewEveryMs = renewIntervalMs(this.renewDeadlineMs, this.retryMs);
    this.ref = { ...LEASES, namespace: opts.lease.namespace, name: opts.lease.name };
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** The holder last seen on the Lease ('' when released, undefined before the first look). */
  get leader(): string | undefined {
    return this.observedHolder;
  }

  /** Campaigns, leads, and resolves when `signal` aborts or leadership is lost. */
  async run(signal: AbortSignal): Promise<ElectionOutcome> {
    if (this.running) throw new Error('a leader elector runs once at a time');
    this.running = true;
    const log = this.opts.log;
    const informer = createInformer<Lease>(
      this.opts.client,
      { ref: { ...LEASES, namespace: this.ref.namespace }, fieldSelector: `metadata.name=${this.ref.name}` },
      log,
      { clock: this.clock, ...this.opts.informer },
    );
    const key = `${this.ref.namespace}/${this.ref.name}`;
    informer.on(() => {
      this.observe(informer.get(key));
      for (const w of [...this.wakers]) w();
    });
    const stopInformer = () => informer.stop();
    signal.addEventListener('abort', stopInformer, { once: true });
    try {
      try {
        await informer.start();
      } catch {
        return 'stopped'; // stopped before the first list
      }
      log.info('waiting for leadership', { lease: key, identity: this.identity });
      while (!signal.aborted) {
        const lease = informer.get(key);
        this.observe(lease);
        const expiresAt = this.expiresAt(lease);
        if (expiresAt > this.clock.now()) {
          await this.wait(expiresAt - this.clock.now(), signal);
          continue;
        }
        if (await this.tryAcquire(lease)) return await this.lead(signal, () => informer.get(key));
        // Lost the race or the write failed: the watch brings the winner; retry anyway later.
        await this.wait(this.retryMs * (1 + 0.2 * Math.random()), signal);
      }
      return 'stopped';
    } finally {
      signal.removeEventListener('abort', stopInformer);
      informer.stop();
      this.running = false;
    }
  }

  /** Tracks when the Lease last changed, on our clock, and who holds it. */
  private observe(lease: Lease | undefined): void {
    const rv = lease?.metadata?.resourceVersion;
    if (rv === this.observedRv) return;
    this.observedRv = rv;
    this.observedAt = this.clock.now();
    const holder = lease?.spec?.holderIdentity ?? '';
    if (lease && holder !== this.observedHolder) {
      this.observedHolder = holder;
      if (holder) {
        this.opts.log.info('leader is now', { lease: this.ref.name, leader: holder, me: holder === this.identity });
        this.opts.onNewLeader?.(holder);
      }
    }
  }

  /** When the observed Lease is free for us (now or in the past when absent, released or ours). */
  private expiresAt(lease: Lease | undefined): number {
    const holder = lease?.spec?.holderIdentity;
    if (!lease || !holder || holder === this.identity) return 0;
    const seconds = lease.spec?.leaseDurationSeconds ?? this.durationMs / 1000;
    return this.observedAt + seconds * 1000;
  }

  private spec(previous: LeaseSpec | undefined, nowIso: string): LeaseSpec {
    const held = previous?.holderIdentity === this.identity;
    return {
      holderIdentity: this.identity,
      leaseDurationSeconds: this.durationMs / 1000,
      acquireTime: held ? (previous?.acquireTime ?? nowIso) : nowIso,
      renewTime: nowIso,
      leaseTransitions: (previous?.leaseTransitions ?? 0) + (held || !previous ? 0 : 1),
    };
  }

  private async tryAcquire(lease: Lease | undefined): Promise<boolean> {
    const now = this.clock.now();
    const nowIso = microTime(new Date(now));
    const { client } = this.opts;
    try {
      if (!lease) {
        const body: Lease = {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.ref.name, namespace: this.ref.namespace },
          spec: this.spec(undefined, nowIso),
        };
        this.mine = await client.request<Lease>('POST', resourcePath({ ...this.ref, name: undefined }), { body, timeoutMs: this.renewDeadlineMs });
      } else {
        const body: Lease = { ...lease, spec: { ...lease.spec, ...this.spec(lease.spec, nowIso) } };
        this.mine = await client.request<Lease>('PUT', resourcePath(this.ref), { body, timeoutMs: this.renewDeadlineMs });
      }
      this.lastRenew = now;
      return true;
    } catch (err) {
      if (!isConflict(err) && !isAlreadyExists(err)) this.opts.log.warn('cannot acquire the lease', { lease: this.ref.name, error: describeError(err) });
      return false;
    }
  }

  /** Renews with the resourceVersion of our last write; a 409 means someone else wrote the Lease. */
  private async renew(current: () => Lease | undefined): Promise<'renewed' | 'failed' | 'lost'> {
    const now = this.clock.now();
    const nowIso = microTime(new Date(now));
    const base = this.mine!;
    const body: Lease = { ...base, spec: { ...base.spec, ...this.spec(base.spec, nowIso) } };
    const timeoutMs = Math.max(1, this.lastRenew + this.renewDeadlineMs - now);
    try {
      this.mine = await this.opts.client.request<Lease>('PUT', resourcePath(this.ref), { body, timeoutMs });
      this.lastRenew = now;
      return 'renewed';
    } catch (err) {
      if (isConflict(err)) {
        const seen = current();
        if (seen && seen.spec?.holderIdentity !== this.identity) return 'lost';
        // Still ours per the watch (e.g. our own earlier write raced): retry from that version.
        if (seen) this.mine = seen;
      } else {
        this.opts.log.warn('cannot renew the lease', { lease: this.ref.name, error: describeError(err) });
      }
      return 'failed';
    }
  }

  private stolen(lease: Lease | undefined): boolean {
    const theirs = rvNumber(lease);
    const ours = rvNumber(this.mine);
    return !!lease && lease.spec?.holderIdentity !== this.identity && theirs !== undefined && ours !== undefined && theirs > ours;
  }

  private async lead(signal: AbortSignal, current: () => Lease | undefined): Promise<ElectionOutcome> {
    const log = this.opts.log;
    const leadCtrl = new AbortController();
    this.leading = true;
    log.info('became leader', { lease: this.ref.name, identity: this.identity });
    let settled = false;
    let failed = false;
    const work = Promise.resolve()
      .then(() => this.opts.onStartedLeading(leadCtrl.signal))
      .catch((err: unknown) => {
        failed = true;
        log.error('leading failed', { error: describeError(err) });
      })
      .finally(() => {
        settled = true;
        for (const w of [...this.wakers]) w();
      });
    let outcome: ElectionOutcome = 'lost';
    let stopAt = Infinity;
    let nextRenew = this.lastRenew + this.renewEveryMs;
    for (;;) {
      if (this.stolen(current())) break;
      if (failed) break;
      if (signal.aborted && !leadCtrl.signal.aborted) {
        leadCtrl.abort(); // ask the work to stop; keep the lease until it has
        stopAt = this.clock.now() + (this.opts.stopTimeoutMs ?? 30_000);
      }
      if (signal.aborted && (settled || this.clock.now() >= stopAt)) {
        outcome = 'stopped';
        break;
      }
      const now = this.clock.now();
      if (now - this.lastRenew >= this.renewDeadlineMs) {
        log.error('lost leadership: no renewal within the deadline', { lease: this.ref.name, renewDeadlineMs: this.renewDeadlineMs });
        break;
      }
      if (now >= nextRenew) {
        const r = await this.renew(current);
        nextRenew = this.clock.now() + (r === 'renewed' ? this.renewEveryMs : this.retryMs);
        if (r === 'lost') break;
        continue;
      }
      const until = Math.min(nextRenew, this.lastRenew + this.renewDeadlineMs, stopAt);
      // After a stop request the loop keeps renewing (without the spent signal) until the work is done.
      await this.wait(until - now, signal.aborted ? undefined : signal);
    }
    this.leading = false;
    leadCtrl.abort();
    if (outcome === 'stopped' && (this.opts.releaseOnStop ?? true)) await this.release();
    if (outcome === 'lost') log.warn('stopped leading', { lease: this.ref.name, identity: this.identity });
    this.opts.onStoppedLeading?.();
    void work; // on loss the work has its abort signal; the caller is expected to exit
    return outcome;
  }

  /** Empties the holder (duration 1 s) so a standby acquires now; 409 means it moved on already. */
  private async release(): Promise<void> {
    const base = this.mine;
    if (!base) return;
    const nowIso = microTime(new Date(this.clock.now()));
    const body: Lease = {
      ...base,
      spec: { ...base.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: nowIso, renewTime: nowIso },
    };
    try {
      this.mine = await this.opts.client.request<Lease>('PUT', resourcePath(this.ref), { body, timeoutMs: this.renewDeadlineMs });
      this.opts.log.info('released the lease', { lease: this.ref.name, identity: this.identity });
    } catch (err) {
      if (!isConflict(err)) this.opts.log.warn('cannot release the lease', { lease: this.ref.name, error: describeError(err) });
    }
  }

  /** Waits `ms`, or until the Lease changes, the work settles, or `signal` aborts. */
  private wait(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        this.clock.clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.wakers.delete(done);
        resolve();
      };
      const timer = this.clock.setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
      this.wakers.add(done);
    });
  }
}
