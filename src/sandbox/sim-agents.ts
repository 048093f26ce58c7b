/**
 * Simulated registration agents, many in one process, for the hub scale bench and the
 * concurrent-joins e2e: each has its own key and CSR (signed by the hub's real
 * kube-controller-manager), creates its ManagedCluster as the bootstrap identity, reports
 * Joined/Available with its own certificate and renews its lease as the real agent does (GET and
 * PUT spec.renewTime every lease duration). Not a klusterlet: no spoke, no work agent.
 *
 *   const sims = new SimAgents(hub);                    // { server, caPem }
 *   await sims.register(token, names);                  // keys, ManagedClusters, CSRs
 *   const running = sims.run(admin, signal);            // starts each agent when its CSR is signed
 *   ... ocmadm accept ...; await sims.close();
 */
import { setTimeout as delay } from 'node:timers/promises';
import { KubeClient } from '../kube/client.js';
import { pemData, singleContextConfig } from '../kube/kubeconfig.js';
import { resourcePath } from '../kube/resources.js';
import { isNotFound } from '../kube/errors.js';
import { MANAGED_CLUSTERS, TYPE } from '../api/index.js';
import { COND, LABEL, LEASE } from '../api/names.js';
import { CSRS, type CertificateSigningRequest } from '../kube/certificates.js';
import { csrObject, generateKeyAndRequest, issuedCertificate } from '../runtime/klusterlet/csr.js';
import { microTime } from '../runtime/core/leader.js';
import { backoffDelay } from '../runtime/core/backoff.js';
import { LEASES } from '../kube/core.js';

export interface SimHub {
  server: string;
  caPem: string;
}

export interface SimAgent {
  name: string;
  keyPem: string;
  leaseSeconds: number;
  client?: KubeClient;
  /** Renewals that reached the hub, and later ones that failed (since the last resetErrors()). */
  renewals: number;
  renewErrors: number;
  lastError?: string;
  /** Set by stop(): the agent no longer renews (an agent that died). */
  stopped: boolean;
  timer?: NodeJS.Timeout;
}

/** A client with the given credentials against the hub. */
export function hubClient(hub: SimHub, user: { token?: string; certData?: string; keyData?: string }, userAgent: string): Promise<KubeClient> {
  const kc = singleContextConfig({ cluster: { name: 'hub', server: hub.server, caData: pemData(hub.caPem) }, user: { name: 'u', ...user }, context: { name: 'c' } });
  return KubeClient.create(kc, userAgent);
}

/** Runs `fn` over items with at most `limit` at a time. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

export class SimAgents {
  readonly agents = new Map<string, SimAgent>();
  /** Agents whose start failed for good (not a 403 or a transient error: those are retried). */
  readonly failures: { name: string; error: string }[] = [];
  private readonly starting: Promise<void>[] = [];
  private readonly startingNames = new Set<string>();
  private closed = false;

  constructor(
    private readonly hub: SimHub,
    private readonly opts: { userAgent?: string; log?: (line: string) => void } = {},
  ) {}

  /** Key, ManagedCluster and CSR of each name, as the bootstrap identity (`token`). */
  async register(token: string, names: readonly string[], opts: { concurrency?: number; leaseSeconds?: number } = {}): Promise<void> {
    const boot = await hubClient(this.hub, { token }, this.userAgent);
    try {
      await pool(names, opts.concurrency ?? 32, async (name) => {
        const { keyPem, csrPem } = await generateKeyAndRequest(name, 'simagent');
        const leaseSeconds = opts.leaseSeconds ?? LEASE.defaultDurationSeconds;
        await boot.create(resourcePath(MANAGED_CLUSTERS), { ...TYPE.managedCluster, metadata: { name }, spec: { hubAcceptsClient: false, leaseDurationSeconds: leaseSeconds } });
        await boot.create(resourcePath(CSRS), csrObject(name, csrPem));
        this.agents.set(name, { name, keyPem, leaseSeconds, renewals: 0, renewErrors: 0, stopped: false });
      });
    } finally {
      await boot.close();
    }
  }

  /**
   * Starts each registered agent when its CSR is signed (one admin watch stands in for the N
   * agents' own), until every agent has started or `signal` aborts. A watch the server ends is
   * listed and watched again.
   */
  async run(admin: KubeClient, signal: AbortSignal): Promise<void> {
    if (!this.agents.size) return;
    const allStarted = new AbortController();
    const watchSignal = AbortSignal.any([signal, allStarted.signal]);
    const onCsr = (csr: CertificateSigningRequest) => {
      if (csr.metadata?.labels?.[LABEL.addonName]) return; // an add-on's CSR, not the agent's
      const a = this.agents.get(csr.metadata?.labels?.[LABEL.clusterName] ?? '');
      const cert = issuedCertificate(csr);
      if (!a || !cert || a.client || a.timer || this.startingNames.has(a.name)) return;
      this.startingNames.add(a.name);
      this.starting.push(this.start(a, cert, signal).catch((err: unknown) => {
        this.failures.push({ name: a.name, error: String((err as Error)?.message ?? err) });
      }));
      if (this.startingNames.size >= this.agents.size) allStarted.abort();
    };
    for (let attempt = 1; !watchSignal.aborted; attempt++) {
      try {
        const list = await admin.list<CertificateSigningRequest>(resourcePath(CSRS), { labelSelector: LABEL.clusterName });
        list.items.forEach(onCsr);
        if (watchSignal.aborted) break;
        await admin.watch<CertificateSigningRequest>(resourcePath(CSRS), { labelSelector: LABEL.clusterName, resourceVersion: list.metadata.resourceVersion }, (ev) => {
          if (ev.type !== 'BOOKMARK') onCsr(ev.object);
        }, { signal: watchSignal });
        attempt = 0;
      } catch (err) {
        this.opts.log?.(`sim: CSR watch: ${(err as Error).message}`);
        await delay(backoffDelay(attempt, { initialMs: 200, maxMs: 5_000, jitter: 0.2 }), undefined, { signal: watchSignal }).catch(() => undefined);
      }
    }
    await Promise.all(this.starting);
  }

  private get userAgent(): string {
    return this.opts.userAgent ?? 'ocmadm-sim-agent';
  }

  private async start(a: SimAgent, certPem: string, signal: AbortSignal): Promise<void> {
    const credentials = { certData: Buffer.from(certPem).toString('base64'), keyData: Buffer.from(a.keyPem).toString('base64') };
    a.client = await hubClient(this.hub, credentials, this.userAgent);
    const now = new Date().toISOString();
    const cond = (type: string, reason: string) => ({ type, status: 'True', reason, message: 'simulated agent', lastTransitionTime: now });
    const status = {
      status: {
        conditions: [cond(COND.cluster.joined, 'ManagedClusterJoined'), cond(COND.cluster.available, 'ManagedClusterAvailable')],
        version: { kubernetes: 'v1.36.3' },
        capacity: { cpu: '4', memory: '8Gi' },
        allocatable: { cpu: '4', memory: '8Gi' },
      },
    };
    // The certificate can come before the hub grants the cluster's RBAC (accept sets
    // hubAcceptsClient after approving), and a loaded hub answers 429 or times out: retry with
    // backoff, as the real agent does, until the run ends.
    for (let attempt = 1; ; attempt++) {
      try {
        await a.client.patch(`${resourcePath({ ...MANAGED_CLUSTERS, name: a.name })}/status`, status, 'merge');
        break;
      } catch (err) {
        if (signal.aborted || this.closed) return;
        a.lastError = String((err as Error)?.message ?? err);
        await delay(backoffDelay(attempt, { initialMs: 50, maxMs: 2_000, jitter: 0.2 }), undefined, { signal }).catch(() => undefined);
      }
    }
    // The first renewal waits for the hub to have made the cluster's Lease (at acceptance).
    for (let attempt = 1; !(await this.renew(a)); attempt++) {
      if (signal.aborted || this.closed) return;
      await delay(backoffDelay(attempt, { initialMs: 100, maxMs: 5_000, jitter: 0.2 }), undefined, { signal }).catch(() => undefined);
    }
    // Real agents renew on their own clocks: a random phase keeps N agents started together
    // from renewing in one burst each period (N TLS handshakes at once on one process).
    this.schedule(a, Math.random() * a.leaseSeconds * 1000);
  }

  /** The next renewal after `ms`, then every lease duration; renewals never overlap. */
  private schedule(a: SimAgent, ms: number): void {
    if (a.stopped || this.closed) return;
    a.timer = setTimeout(() => {
      void this.renew(a).then(() => this.schedule(a, a.leaseSeconds * 1000));
    }, ms);
    a.timer.unref();
  }

  /** GET the lease and PUT spec.renewTime (the agent's RBAC allows update, not patch). */
  private async renew(a: SimAgent): Promise<boolean> {
    const leasePath = resourcePath({ ...LEASES, namespace: a.name, name: LEASE.managedCluster });
    try {
      const lease = await a.client!.get<{ spec?: Record<string, unknown> }>(leasePath);
      await a.client!.replace(leasePath, { ...lease, spec: { ...lease.spec, renewTime: microTime(new Date()) } });
      a.renewals++;
      return true;
    } catch (err) {
      // Before the first success the hub may not have made the lease yet: not a failure.
      if (a.renewals > 0) a.renewErrors++;
      a.lastError = isNotFound(err) ? 'lease not created yet' : String((err as Error)?.message ?? err);
      this.opts.log?.(`sim: ${a.name}: renew failed: ${a.lastError}`);
      return false;
    }
  }

  /** The agent stops renewing, as one whose process died. */
  stop(a: SimAgent): void {
    a.stopped = true;
    clearTimeout(a.timer);
  }

  /** Counts failed renewals from here on. */
  resetErrors(): void {
    for (const a of this.agents.values()) a.renewErrors = 0;
  }

  /** Running agents whose renewals failed since resetErrors(). */
  failing(): SimAgent[] {
    return [...this.agents.values()].filter((a) => !a.stopped && a.renewErrors > 0);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const a of this.agents.values()) clearTimeout(a.timer);
    await Promise.all([...this.agents.values()].map((a) => a.client?.close()));
  }
}
