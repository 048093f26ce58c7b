/**
 * Simulated registration agents, many in one process, for the hub scale bench and the
 * concurrent-joins e2e: each has its own key and CSR (signed by the hub's real
 * kube-controller-manager), creates its ManagedCluster as the bootstrap identity, reports
 * Joined/Available with its own certificate once the hub has accepted it, and renews its lease as
 * the real agent does (GET and PUT spec.renewTime every lease duration). Not a klusterlet: no
 * spoke, no work agent.
 *
 *   const sims = new SimAgents(hub);                    // { server, caPem }
 *   await sims.register(token, names);                  // keys, ManagedClusters, CSRs
 *   const running = sims.run(admin, signal);            // starts each agent once signed and accepted
 *   ... ocmadm accept ...; await sims.close();
 */
import { setTimeout as delay } from 'node:timers/promises';
import { KubeClient, type KubeObject } from '../kube/client.js';
import { pemData, singleContextConfig } from '../kube/kubeconfig.js';
import { resourcePath } from '../kube/resources.js';
import { isNotFound } from '../kube/errors.js';
import { MANAGED_CLUSTERS, TYPE, type ManagedCluster } from '../api/index.js';
import { COND, LABEL, LEASE } from '../api/names.js';
import { CSRS, csrState, type CertificateSigningRequest } from '../kube/certificates.js';
import { csrObject, generateKeyAndRequest, issuedCertificate } from '../runtime/klusterlet/csr.js';
import { microTime } from '../runtime/core/leader.js';
import { setCondition, type Condition, type ConditionInput } from '../runtime/core/conditions.js';
import { backoffDelay } from '../runtime/core/backoff.js';
import { LEASES } from '../kube/core.js';

/** OCM's agent renews every lease duration plus up to this share of it (leaseUpdateJitterFactor). */
const LEASE_JITTER = 0.25;

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
  /** Milestones (epoch ms) for the bench's timeline: CSR approved and signed, first status written, first renewal. */
  at: { approved?: number; signed?: number; status?: number; renewed?: number };
  /** Status writes tried before the first one succeeded. */
  statusAttempts: number;
}

/**
 * A client with the given credentials against the hub, over Node's https (HTTP/1.1 keep-alive, the
 * transport of ocmadm's klusterlet). Not undici: it negotiates HTTP/2 with the API server, and with
 * 3,000 sessions in one process Node's HTTP/2 core spun in Http2Session::CopyDataIntoOutgoing
 * (perf), the process grew by 120 MB/s to 14 GB and stopped renewing, so every lease expired.
 */
export function hubClient(hub: SimHub, user: { token?: string; certData?: string; keyData?: string }, userAgent: string): Promise<KubeClient> {
  const kc = singleContextConfig({ cluster: { name: 'hub', server: hub.server, caData: pemData(hub.caPem) }, user: { name: 'u', ...user }, context: { name: 'c' } });
  return KubeClient.create(kc, userAgent, { transport: 'node' });
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
  /** Called on each agent's first successful renewal (allRenewed's checks). */
  private readonly firstRenewalListeners = new Set<() => void>();
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
        this.agents.set(name, { name, keyPem, leaseSeconds, renewals: 0, renewErrors: 0, stopped: false, at: {}, statusAttempts: 0 });
      });
    } finally {
      await boot.close();
    }
  }

  /**
   * Starts each registered agent as OCM's does: once its CSR is signed it has its hub credentials,
   * and once its ManagedCluster says HubAccepted (the hub made its RBAC) it writes Joined and
   * Available and starts renewing its lease (OCM's joining and lease controllers both wait for that
   * condition, seen through the agent's watch of its own ManagedCluster). Two admin watches, on
   * the CSRs and the ManagedClusters, stand in for the N agents' own. Runs until every agent has
   * started or `signal` aborts.
   */
  async run(admin: KubeClient, signal: AbortSignal): Promise<void> {
    if (!this.agents.size) return;
    const allStarted = new AbortController();
    const watchSignal = AbortSignal.any([signal, allStarted.signal]);
    const certs = new Map<string, string>();
    // The conditions of each accepted cluster as its agent saw them (its status write keeps them).
    const accepted = new Map<string, Condition[]>();
    const maybeStart = (a: SimAgent | undefined) => {
      if (!a || a.client || a.timer || this.startingNames.has(a.name)) return;
      const cert = certs.get(a.name);
      if (!cert || !accepted.has(a.name)) return;
      this.startingNames.add(a.name);
      this.starting.push(this.start(a, cert, accepted.get(a.name)!, signal).catch((err: unknown) => {
        this.failures.push({ name: a.name, error: String((err as Error)?.message ?? err) });
      }));
      if (this.startingNames.size >= this.agents.size) allStarted.abort();
    };
    const onCsr = (csr: CertificateSigningRequest) => {
      if (csr.metadata?.labels?.[LABEL.addonName]) return; // an add-on's CSR, not the agent's
      const a = this.agents.get(csr.metadata?.labels?.[LABEL.clusterName] ?? '');
      if (!a) return;
      const cert = issuedCertificate(csr);
      if (!a.at.approved && csrState(csr) === 'approved') a.at.approved = Date.now();
      if (!cert || certs.has(a.name)) return;
      a.at.signed = Date.now();
      certs.set(a.name, cert);
      maybeStart(a);
    };
    const onCluster = (mc: ManagedCluster) => {
      const name = mc.metadata?.name ?? '';
      if (accepted.has(name) || !mc.status?.conditions?.some((c) => c.type === COND.cluster.hubAccepted && c.status === 'True')) return;
      accepted.set(name, (mc.status?.conditions ?? []) as Condition[]);
      maybeStart(this.agents.get(name));
    };
    await Promise.all([
      this.listWatch(admin, resourcePath(CSRS), LABEL.clusterName, onCsr, watchSignal),
      this.listWatch(admin, resourcePath(MANAGED_CLUSTERS), undefined, onCluster, watchSignal),
    ]);
    await Promise.all(this.starting);
  }

  /** Lists and watches `path` until `signal` aborts; a watch the server ends is listed and watched again. */
  private async listWatch<T extends KubeObject>(admin: KubeClient, path: string, labelSelector: string | undefined, onItem: (o: T) => void, signal: AbortSignal): Promise<void> {
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        const list = await admin.list<T>(path, { labelSelector });
        list.items.forEach(onItem);
        if (signal.aborted) break;
        await admin.watch<T>(path, { labelSelector, resourceVersion: list.metadata.resourceVersion }, (ev) => {
          if (ev.type !== 'BOOKMARK' && ev.type !== 'DELETED') onItem(ev.object);
        }, { signal });
        attempt = 0;
      } catch (err) {
        this.opts.log?.(`sim: watch of ${path}: ${(err as Error).message}`);
        await delay(backoffDelay(attempt, { initialMs: 200, maxMs: 5_000, jitter: 0.2 }), undefined, { signal }).catch(() => undefined);
      }
    }
  }

  private get userAgent(): string {
    return this.opts.userAgent ?? 'ocmadm-sim-agent';
  }

  private async start(a: SimAgent, certPem: string, seen: Condition[], signal: AbortSignal): Promise<void> {
    const credentials = { certData: Buffer.from(certPem).toString('base64'), keyData: Buffer.from(a.keyPem).toString('base64') };
    a.client = await hubClient(this.hub, credentials, this.userAgent);
    const now = new Date();
    const cond = (type: string, reason: string): ConditionInput => ({ type, status: 'True', reason, message: 'simulated agent' });
    // A merge patch replaces the whole list: like OCM's agent, it sends the conditions it read
    // (the hub's HubAccepted among them) with Joined and Available set.
    const conditions = setCondition(setCondition(seen, cond(COND.cluster.joined, 'ManagedClusterJoined'), now), cond(COND.cluster.available, 'ManagedClusterAvailable'), now);
    const status = {
      status: {
        conditions,
        version: { kubernetes: 'v1.36.3' },
        capacity: { cpu: '4', memory: '8Gi' },
        allocatable: { cpu: '4', memory: '8Gi' },
      },
    };
    // HubAccepted means the hub has granted the cluster's RBAC; a loaded hub can still answer 429
    // or time out: retry with backoff, as the real agent's controller does, until the run ends.
    for (let attempt = 1; ; attempt++) {
      try {
        a.statusAttempts++;
        await a.client.patch(`${resourcePath({ ...MANAGED_CLUSTERS, name: a.name })}/status`, status, 'merge');
        a.at.status = Date.now();
        break;
      } catch (err) {
        if (signal.aborted || this.closed) return;
        a.lastError = String((err as Error)?.message ?? err);
        await delay(backoffDelay(attempt, { initialMs: 50, maxMs: 2_000, jitter: 0.2 }), undefined, { signal }).catch(() => undefined);
      }
    }
    // OCM's lease updater: one renewal now, then one every lease duration plus up to a quarter of
    // it (wait.JitterUntil, factor 0.25), a failed one simply waiting for the next tick. The hub
    // makes the cluster's Lease when it sees HubAccepted too, so the first try can find none; the
    // cluster is Available without it (the status above), and the hub counts the grace from the
    // renewTime it created the Lease with.
    void this.renew(a).then(() => this.schedule(a));
  }

  /** The next renewal after a jittered lease duration, then the same again; renewals never overlap. */
  private schedule(a: SimAgent): void {
    if (a.stopped || this.closed) return;
    a.timer = setTimeout(() => {
      void this.renew(a).then(() => this.schedule(a));
    }, a.leaseSeconds * 1000 * (1 + LEASE_JITTER * Math.random()));
    a.timer.unref();
  }

  /** GET the lease and PUT spec.renewTime (the agent's RBAC allows update, not patch). */
  private async renew(a: SimAgent): Promise<boolean> {
    const leasePath = resourcePath({ ...LEASES, namespace: a.name, name: LEASE.managedCluster });
    try {
      const lease = await a.client!.get<{ spec?: Record<string, unknown> }>(leasePath);
      await a.client!.replace(leasePath, { ...lease, spec: { ...lease.spec, renewTime: microTime(new Date()) } });
      a.renewals++;
      if (a.renewals === 1) {
        a.at.renewed = Date.now();
        for (const l of this.firstRenewalListeners) l();
      }
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

  /**
   * Resolves once every agent not stopped has renewed its lease at least once. A first try that
   * finds no Lease waits a lease period, so this can take 1.25 lease durations after the last
   * accept. Rejects after `ms`, naming an agent still waiting and its last error.
   */
  allRenewed(ms: number): Promise<void> {
    const waiting = () => [...this.agents.values()].filter((a) => !a.stopped && a.renewals === 0);
    return new Promise((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(timer);
        this.firstRenewalListeners.delete(check);
        if (err) reject(err);
        else resolve();
      };
      const check = () => {
        if (waiting().length === 0) done();
      };
      const timer = setTimeout(() => {
        const w = waiting();
        done(new Error(`${w.length} simulated agents have not renewed their lease within ${ms} ms: ${w[0]?.name}: ${w[0]?.lastError}`));
      }, ms);
      this.firstRenewalListeners.add(check);
      check();
    });
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
