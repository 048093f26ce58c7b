/**
 * The owner of the agent's hub credentials: the CSR key, the CSRs, the certificate and
 * `hub-kubeconfig-secret`, with rotation. A state machine (ocm-protocol.md §1), restart-safe:
 *  1. wait for the bootstrap secret; its current context names the hub;
 *  2. reuse a valid hub-kubeconfig-secret (no CSR), or bootstrap: with the bootstrap identity,
 *     make sure the ManagedCluster exists, get a certificate through one CSR, write the secret;
 *  3. use the certificate identity; when 20–25 % of its life remains (a timer at that moment),
 *     get a new one through a renewal CSR filed with the current identity (the hub approves it)
 *     and swap it in place; a secret that drifts or disappears is written again from memory;
 *  4. an expired certificate sends it back to 2; a changed bootstrap secret ends `run` with
 *     'bootstrap-changed' (the process restarts the agent, as OCM's exits).
 * Hub outages only delay things: every hub call retries with capped backoff, watches reconnect.
 * It reads the secrets one way each: bootstrap and hub kubeconfig secrets from the namespace's
 * informer (the latter through HubKubeconfigSecret), the CSR key through its CsrKeyStore.
 */
import type { KubeConfig } from '../../kube/kubeconfig.js';
import { KubeClient } from '../../kube/client.js';
import { describeError, isAlreadyExists, isConflict } from '../../kube/errors.js';
import { COND, REASON, SECRET } from '../../api/names.js';
import { backoffDelay } from '../core/backoff.js';
import { MAX_TIMER_MS, sleep, systemClock, type Clock } from '../core/clock.js';
import type { ConditionInput } from '../core/conditions.js';
import type { Informer, Logger } from '../core/types.js';
import { Changes } from './changes.js';
import type { CsrKeyStore } from './csr-key-store.js';
import { AbortedError, requestCertificate } from './csr-request.js';
import { certMatchesKey, parseCertificate, rotationThreshold, rotationTime, type CertInfo } from './csr.js';
import {
  checkHubKubeconfigSecret,
  currentHubCluster,
  hubKubeConfig,
  hubKubeconfigSecretData,
  type HubCluster,
  type HubCredentials,
} from './hub-kubeconfig.js';
import type { ClientConfig } from './managed-cluster.js';
import { USER_AGENT, bootstrapCertificate } from './bootstrap.js';
import type { HubKubeconfigSecret, Secret } from './hub-secret.js';

export type { Secret } from './hub-secret.js';

/** The agent's identity on the hub: a client with the current certificate. */
export interface HubIdentity {
  client: KubeClient;
  /** The same identity as a client-node config (cert and key inline), e.g. for another agent. */
  kubeConfig: KubeConfig;
  hub: HubCluster;
  certPem: string;
  cert: CertInfo;
}

export interface RegistrationOptions {
  /** Informer on Secrets of the agent namespace (started by the caller). */
  secrets: Informer<Secret>;
  /** `hub-kubeconfig-secret`, read from that informer. */
  hubSecret: HubKubeconfigSecret;
  /** The CSR key in flight (its one reader). */
  store: CsrKeyStore;
  namespace: string;
  cluster: string;
  agent: string;
  clientConfigs: ClientConfig[];
  annotations?: Record<string, string>;
  expirationSeconds?: number;
  log: Logger;
  clock?: Clock;
  random?: () => number;
  /** How long a replaced hub client stays open for in-flight requests (default 60 s). */
  closeOldClientAfterMs?: number;
}

export type RegistrationOutcome = 'stopped' | 'bootstrap-changed';

/** The identity in use, its key material, and the rotation threshold drawn for this certificate. */
interface Installed {
  id: HubIdentity;
  creds: HubCredentials;
  threshold: number;
}

/**
 * The cluster and agent names a restarted agent keeps: from the hub kubeconfig secret, or from the
 * stored CSR key while the first CSR is pending (its agent only when it is for the cluster asked for).
 */
export async function storedNames(hubSecret: HubKubeconfigSecret, store: CsrKeyStore, wantedCluster: string | undefined): Promise<{ cluster?: string; agent?: string }> {
  const fromHubSecret = hubSecret.names();
  const stored = fromHubSecret.agent ? undefined : await store.load();
  return {
    cluster: fromHubSecret.cluster ?? stored?.cluster,
    agent: fromHubSecret.agent ?? (stored && (!wantedCluster || stored.cluster === wantedCluster) ? stored.agent : undefined),
  };
}

const unb64 = (s: string | undefined) => (s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8'));

export class Registration {
  private current: Installed | undefined;
  private cond: ConditionInput | undefined;
  private readonly identityListeners = new Set<(id: HubIdentity) => void>();
  private readonly conditionListeners = new Set<() => void>();
  private readonly bootstrapChanges: Changes;
  private readonly hubSecretChanges: Changes;
  private readonly store: CsrKeyStore;
  private readonly clock: Clock;
  private readonly log: Logger;
  /** Set once the bootstrap secret was read (its text, or undefined when running without one). */
  private bootstrap: { text: string | undefined } | undefined;
  private bootstrapChanged = false;
  private runCtrl: AbortController | undefined;

  constructor(private readonly opts: RegistrationOptions) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log;
    this.bootstrapChanges = new Changes(this.clock);
    this.hubSecretChanges = new Changes(this.clock);
    this.store = opts.store;
    opts.secrets.on((event, obj) => {
      const name = obj.metadata?.name;
      if (name === SECRET.hubKubeconfig) this.hubSecretChanges.notify();
      if (name !== SECRET.bootstrapHubKubeconfig) return;
      const text = event === 'delete' ? undefined : unb64(obj.data?.kubeconfig);
      if (this.bootstrap && text !== undefined && text !== this.bootstrap.text && !this.bootstrapChanged) {
        this.log.info('the bootstrap kubeconfig changed; restarting registration');
        this.bootstrapChanged = true;
        this.runCtrl?.abort();
      }
      this.bootstrapChanges.notify();
    });
  }

  get identity(): HubIdentity | undefined {
    return this.current?.id;
  }

  /** The bootstrap kubeconfig in use (undefined before it is read, or when running without one). */
  get bootstrapKubeconfig(): string | undefined {
    return this.bootstrap?.text;
  }

  /** The ClusterCertificateRotated condition to report on the ManagedCluster, once there is one. */
  get certCondition(): ConditionInput | undefined {
    return this.cond;
  }

  onIdentity(cb: (id: HubIdentity) => void): () => void {
    this.identityListeners.add(cb);
    return () => this.identityListeners.delete(cb);
  }

  onCertCondition(cb: () => void): () => void {
    this.conditionListeners.add(cb);
    return () => this.conditionListeners.delete(cb);
  }

  /** /healthz: fails once the certificate in use has expired. */
  healthz(): true | string {
    const na = this.current?.id.cert.notAfter;
    if (na && this.clock.now() >= na.getTime()) return `the hub client certificate expired at ${na.toISOString()}`;
    return true;
  }

  async run(signal: AbortSignal): Promise<RegistrationOutcome> {
    const ctrl = new AbortController();
    this.runCtrl = ctrl;
    const onAbort = () => ctrl.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const start = await this.waitForBootstrap(ctrl.signal);
      if (!start) return this.outcome();
      const { text, hub } = start;
      for (let failures = 0; !ctrl.signal.aborted; ) {
        try {
          await this.establish(hub, text, ctrl.signal);
          failures = 0;
          await this.maintain(hub, ctrl.signal);
        } catch (err) {
          if (err instanceof AbortedError || ctrl.signal.aborted) throw err;
          const retryInMs = backoffDelay(++failures, { initialMs: 1000, maxMs: 60_000, jitter: 0.2 });
          this.log.error('registration step failed; retrying', { error: describeError(err), retryInMs });
          await sleep(retryInMs, ctrl.signal, this.clock);
        }
      }
    } catch (err) {
      if (!(err instanceof AbortedError) && !ctrl.signal.aborted) throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    return this.outcome();
  }

  private outcome(): RegistrationOutcome {
    return this.bootstrapChanged ? 'bootstrap-changed' : 'stopped';
  }

  private secretData(name: string): Record<string, string> | undefined {
    return this.opts.secrets.get(`${this.opts.namespace}/${name}`)?.data;
  }

  /**
   * The bootstrap kubeconfig and the hub its current context names. Without a bootstrap secret, a
   * hub-kubeconfig-secret whose certificate is still good for this agent is used as is (OCM keeps
   * running on a mounted copy when the bootstrap secret is deleted); bootstrapping again then
   * waits for a bootstrap secret, whose arrival restarts registration.
   */
  private async waitForBootstrap(signal: AbortSignal): Promise<{ text: string | undefined; hub: HubCluster } | undefined> {
    let said = '';
    const say = (msg: string, fields: Record<string, unknown> = {}) => {
      if (said !== msg) this.log.warn(msg, { secret: `${this.opts.namespace}/${SECRET.bootstrapHubKubeconfig}`, ...fields });
      said = msg;
    };
    while (!signal.aborted) {
      const v = this.bootstrapChanges.version;
      const text = unb64(this.secretData(SECRET.bootstrapHubKubeconfig)?.kubeconfig);
      if (text) {
        this.bootstrap = { text };
        try {
          return { text, hub: currentHubCluster(text, 'the bootstrap kubeconfig') };
        } catch (err) {
          say('cannot use the bootstrap kubeconfig; waiting for it to change', { error: describeError(err) });
        }
      } else {
        const own = this.hubFromSecret();
        if (own) {
          this.bootstrap = { text: undefined };
          say('no bootstrap secret: using the hub kubeconfig secret as it is');
          return { text: undefined, hub: own };
        }
        say('waiting for the bootstrap secret');
      }
      await this.bootstrapChanges.after(v, signal);
    }
    return undefined;
  }

  /** The hub named by the hub-kubeconfig-secret itself, when its certificate is still good for this agent. */
  private hubFromSecret(): HubCluster | undefined {
    const kubeconfig = unb64(this.opts.hubSecret.data()?.kubeconfig);
    if (!kubeconfig) return undefined;
    try {
      const hub = currentHubCluster(kubeconfig);
      const check = checkHubKubeconfigSecret(this.opts.hubSecret.data(), hub, this.opts.cluster, this.opts.agent, new Date(this.clock.now()));
      return check.valid ? hub : undefined;
    } catch {
      return undefined;
    }
  }

  /** Reuses a valid hub-kubeconfig-secret, or bootstraps. Resolves with an identity installed. */
  private async establish(hub: HubCluster, bootstrapText: string | undefined, signal: AbortSignal): Promise<void> {
    const { cluster, agent } = this.opts;
    const check = checkHubKubeconfigSecret(this.opts.hubSecret.data(), hub, cluster, agent, new Date(this.clock.now()));
    if (check.valid) {
      if (check.drift.length) await this.retry('write the hub kubeconfig secret', () => this.writeSecret(hub, check.creds), signal);
      await this.install(hub, check.creds, check.cert, 'reused the hub kubeconfig secret');
      return;
    }
    if (bootstrapText === undefined) {
      this.log.error('the hub kubeconfig secret is no longer usable and there is no bootstrap secret to register again', { reason: check.reason });
      await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
      throw new AbortedError();
    }
    this.log.info('no usable hub kubeconfig secret; bootstrapping', { reason: check.reason });
    const issued = await bootstrapCertificate({
      bootstrapText,
      hub,
      store: this.store,
      cluster,
      agent,
      clientConfigs: this.opts.clientConfigs,
      annotations: this.opts.annotations,
      expirationSeconds: this.opts.expirationSeconds,
      log: this.log,
      signal,
      clock: this.clock,
    });
    await this.complete(hub, issued, signal, 'bootstrapped');
  }

  /** Waits for the rotation time, keeping the secret right meanwhile; returns when the identity is unusable. */
  private async maintain(hub: HubCluster, signal: AbortSignal): Promise<void> {
    for (;;) {
      if (signal.aborted) throw new AbortedError();
      const cur = this.current!;
      const { notBefore, notAfter } = cur.id.cert;
      if (this.clock.now() >= notAfter.getTime()) {
        this.log.warn('the hub client certificate expired; bootstrapping again', { expiredAt: notAfter.toISOString() });
        return;
      }
      const stored = await this.store.load().catch(() => undefined);
      if (stored && certMatchesKey(cur.creds.certPem, stored.keyPem)) await this.store.clear().catch(() => undefined);
      const inFlight = stored && stored.cluster === this.opts.cluster && stored.agent === this.opts.agent && stored.hubServer === hub.server && !certMatchesKey(cur.creds.certPem, stored.keyPem);
      if (!inFlight) {
        const at = rotationTime(notBefore, notAfter, cur.threshold).getTime();
        this.log.info('certificate rotation scheduled', { at: new Date(at).toISOString(), expiresAt: notAfter.toISOString() });
        const why = await this.waitUntil(at, signal);
        if (why === 'aborted') throw new AbortedError();
        if (why === 'secret') {
          await this.reconcileSecret(hub, signal);
          continue;
        }
      }
      await this.rotate(hub, cur, signal);
    }
  }

  /** 'time' at `at` (an exact timer), 'secret' when the hub kubeconfig secret changes first. */
  private async waitUntil(at: number, signal: AbortSignal): Promise<'time' | 'secret' | 'aborted'> {
    const since = this.hubSecretChanges.version;
    while (this.clock.now() < at) {
      const changed = await this.hubSecretChanges.after(since, signal, Math.min(at - this.clock.now(), MAX_TIMER_MS));
      if (signal.aborted) return 'aborted';
      if (changed) return 'secret';
    }
    return 'time';
  }

  /** The secret changed: keep a valid newer certificate, repair drift, or write ours again. */
  private async reconcileSecret(hub: HubCluster, signal: AbortSignal): Promise<void> {
    const cur = this.current!;
    const check = checkHubKubeconfigSecret(this.opts.hubSecret.data(), hub, this.opts.cluster, this.opts.agent, new Date(this.clock.now()));
    if (check.valid && check.creds.certPem !== cur.creds.certPem && check.cert.notAfter > cur.id.cert.notAfter) {
      await this.install(hub, check.creds, check.cert, 'adopted a newer certificate from the secret');
      return;
    }
    if (check.valid && check.creds.certPem === cur.creds.certPem && check.drift.length === 0) return;
    this.log.warn('the hub kubeconfig secret changed; writing it again', check.valid ? { drift: check.drift } : { reason: check.reason });
    await this.retry('write the hub kubeconfig secret', () => this.writeSecret(hub, cur.creds), signal);
  }

  /** A renewal CSR with the current identity, until it works or the certificate expires. */
  private async rotate(hub: HubCluster, cur: Installed, signal: AbortSignal): Promise<void> {
    const deadline = new AbortController();
    const onAbort = () => deadline.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = this.clock.setTimeout(onAbort, Math.min(Math.max(0, cur.id.cert.notAfter.getTime() - this.clock.now()), MAX_TIMER_MS));
    this.log.info('rotating the hub client certificate', { expiresAt: cur.id.cert.notAfter.toISOString() });
    try {
      const issued = await requestCertificate({
        hub: cur.id.client,
        store: this.store,
        cluster: this.opts.cluster,
        agent: this.opts.agent,
        hubServer: hub.server,
        purpose: 'rotation',
        expirationSeconds: this.opts.expirationSeconds,
        log: this.log,
        signal: deadline.signal,
        clock: this.clock,
        onProblem: (message) => this.setCertCondition({ type: COND.cluster.certRotated, status: 'False', reason: REASON.cluster.certUpdateFailed, message }),
      });
      await this.complete(hub, issued, deadline.signal, 'rotated');
    } catch (err) {
      if (!(err instanceof AbortedError) && !deadline.signal.aborted) throw err;
      if (signal.aborted) throw new AbortedError();
    } finally {
      this.clock.clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Secret first, then the identity, then the stored CSR key goes. */
  private async complete(hub: HubCluster, creds: HubCredentials & { csrName: string }, signal: AbortSignal, how: string): Promise<void> {
    const cert = parseCertificate(creds.certPem);
    await this.retry('write the hub kubeconfig secret', () => this.writeSecret(hub, creds), signal);
    await this.install(hub, creds, cert, how, creds.csrName);
    await this.store.clear().catch((err: unknown) => this.log.warn('cannot remove the stored CSR key', { error: describeError(err) }));
    this.setCertCondition({
      type: COND.cluster.certRotated,
      status: 'True',
      reason: REASON.cluster.certUpdated,
      message: `client certificate rotated starting from ${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()}`,
    });
  }

  private setCertCondition(c: ConditionInput): void {
    this.cond = c;
    for (const cb of this.conditionListeners) cb();
  }

  private async install(hub: HubCluster, creds: HubCredentials, cert: CertInfo, how: string, csr?: string): Promise<void> {
    const kubeConfig = hubKubeConfig(hub, creds);
    const client = await KubeClient.create(kubeConfig, USER_AGENT);
    const old = this.current;
    const id: HubIdentity = { client, kubeConfig, hub, certPem: creds.certPem, cert };
    this.current = { id, creds, threshold: rotationThreshold(this.opts.random) };
    this.log.info('hub identity in use', { how, csr, commonName: cert.commonName, notBefore: cert.notBefore.toISOString(), notAfter: cert.notAfter.toISOString() });
    for (const cb of this.identityListeners) cb(id);
    if (old) {
      const t = setTimeout(() => void old.id.client.close(), this.opts.closeOldClientAfterMs ?? 60_000);
      t.unref();
    }
  }

  private writeSecret(hub: HubCluster, creds: HubCredentials): Promise<void> {
    const { cluster, agent } = this.opts;
    return this.opts.hubSecret.write(hubKubeconfigSecretData(hub, creds, cluster, agent), cluster);
  }

  /** Retries `fn` with capped backoff until it succeeds or `signal` aborts. */
  private async retry(what: string, fn: () => Promise<void>, signal: AbortSignal): Promise<void> {
    for (let failures = 0; ; ) {
      if (signal.aborted) throw new AbortedError();
      try {
        return await fn();
      } catch (err) {
        failures++;
        const quick = isConflict(err) || isAlreadyExists(err);
        const retryInMs = quick ? 10 : backoffDelay(failures, { initialMs: 500, maxMs: 30_000, jitter: 0.2 });
        if (!quick) this.log.warn(`cannot ${what} yet`, { error: describeError(err), retryInMs });
        await sleep(retryInMs, signal, this.clock);
      }
    }
  }
}
