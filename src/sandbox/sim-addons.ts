/**
 * The add-on side of simulated clusters (the hub scale bench): what a spoke's klusterlet does for
 * a template add-on whose agent is healthy, against the real hub, each write with its cluster's
 * own certificate (the simulated registration agent's):
 * - registration: once the hub names a kube-client registration in the ManagedClusterAddOn's
 *   status, a key and a CSR with that subject (OCM's add-on CSR, which the hub approves and
 *   kube-controller-manager signs);
 * - work: the add-on's ManifestWorks reported as the work agent does once it applied them:
 *   Applied and Available at the work's generation, and WellKnownStatus feedback of each
 *   Deployment with its replicas ready.
 * One admin informer per resource stands in for the N agents' own watches.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { KubeClient, KubeObject } from '../kube/client.js';
import { resourcePath } from '../kube/resources.js';
import { MANAGED_CLUSTER_ADDONS, MANIFEST_WORKS, type ManagedClusterAddOn, type ManifestWork } from '../api/index.js';
import { COND, LABEL, REASON } from '../api/names.js';
import { createInformer } from '../runtime/core/informer.js';
import { nullLogger } from '../runtime/core/log.js';
import { backoffDelay } from '../runtime/core/backoff.js';
import { setCondition } from '../runtime/core/conditions.js';
import { CSRS, type CertificateSigningRequest } from '../kube/certificates.js';
import { issuedCertificate } from '../runtime/klusterlet/csr.js';
import { addonCsrObject, addonKeyAndRequest, kubeClientSubject } from '../runtime/klusterlet/addon/credentials.js';
import { workApplied, workAvailable, type ManifestStatus } from '../runtime/klusterlet/work/status.js';
import { pluralOf } from '../runtime/hub/addon-deploy.js';
import type { SimAgent } from './sim-agents.js';

/** A healthy Deployment's WellKnownStatus feedback (OCM's names). */
function deploymentFeedback(m: KubeObject): ManifestStatus['statusFeedback'] {
  const n = (m as { spec?: { replicas?: number } }).spec?.replicas ?? 1;
  const int = (name: string) => ({ name, fieldValue: { type: 'Integer' as const, integer: n } });
  return { values: [int('ReadyReplicas'), int('Replicas'), int('AvailableReplicas')] };
}

/** The status a work agent writes for a work whose manifests all applied and exist. */
export function healthyWorkStatus(work: ManifestWork, now = new Date()): Record<string, unknown> {
  const gen = work.metadata.generation;
  const manifests: ManifestStatus[] = (work.spec?.workload?.manifests ?? []).map((m: KubeObject, ordinal: number) => {
    const [group, version] = (m.apiVersion ?? '').includes('/') ? m.apiVersion!.split('/') : ['', m.apiVersion ?? ''];
    let conditions = setCondition([], { type: COND.work.applied, status: 'True', reason: REASON.manifest.applied, message: 'Apply manifest complete', observedGeneration: gen }, now);
    conditions = setCondition(conditions, { type: COND.work.available, status: 'True', reason: REASON.manifest.available, message: 'Resource is available' }, now);
    const entry: ManifestStatus = {
      resourceMeta: { ordinal, group, version, kind: m.kind ?? '', resource: pluralOf(m.kind ?? ''), name: m.metadata?.name ?? '', namespace: m.metadata?.namespace ?? '' },
      conditions,
    };
    if (m.kind === 'Deployment') entry.statusFeedback = deploymentFeedback(m);
    return entry;
  });
  let conditions = setCondition(work.status?.conditions as never, workApplied(manifests, gen), now);
  conditions = setCondition(conditions, workAvailable(manifests, gen), now);
  return { conditions, resourceStatus: { manifests } };
}

export class SimAddons {
  /** `<cluster>/<addon>` whose CSR was filed, and those whose certificate was issued. */
  readonly filed = new Set<string>();
  readonly signed = new Set<string>();
  /** `<cluster>/<work>` → the generation last reported. */
  readonly reported = new Map<string, number>();
  readonly errors: string[] = [];
  /** When the last add-on certificate was issued (ms since the epoch). */
  lastSignedAt = 0;
  private readonly busy = new Set<string>();
  private readonly signedWaiters: Array<{ n: number; resolve: () => void }> = [];

  /** Resolves once `n` add-on certificates were issued. */
  signedAtLeast(n: number): Promise<void> {
    if (this.signed.size >= n) return Promise.resolve();
    return new Promise((resolve) => this.signedWaiters.push({ n, resolve }));
  }

  constructor(
    private readonly agents: ReadonlyMap<string, SimAgent>,
    private readonly log?: (line: string) => void,
  ) {}

  /** Informers on the hub (admin) for add-ons, their works and their CSRs, until `signal` aborts. */
  async run(admin: KubeClient, signal: AbortSignal): Promise<void> {
    const addons = createInformer<ManagedClusterAddOn>(admin, { ref: MANAGED_CLUSTER_ADDONS }, nullLogger, {});
    const works = createInformer<ManifestWork>(admin, { ref: MANIFEST_WORKS, labelSelector: LABEL.addonName }, nullLogger, {});
    const csrs = createInformer<CertificateSigningRequest>(admin, { ref: CSRS, labelSelector: LABEL.addonName }, nullLogger, {});
    addons.on((e, a) => e !== 'delete' && this.register(a));
    works.on((e, w) => e !== 'delete' && this.report(w));
    csrs.on((e, c) => {
      const key = `${c.metadata?.labels?.[LABEL.clusterName]}/${c.metadata?.labels?.[LABEL.addonName]}`;
      if (e === 'delete' || !issuedCertificate(c) || this.signed.has(key)) return;
      this.signed.add(key);
      this.lastSignedAt = Date.now();
      for (const w of this.signedWaiters.splice(0)) {
        if (this.signed.size >= w.n) w.resolve();
        else this.signedWaiters.push(w);
      }
    });
    const all = [addons, works, csrs];
    await Promise.all(all.map((i) => i.start()));
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    for (const i of all) i.stop();
  }

  /** The agent of a started simulated cluster, else undefined (its events are not ours). */
  private agentOf(cluster: string | undefined): SimAgent | undefined {
    const a = cluster ? this.agents.get(cluster) : undefined;
    return a?.client && !a.stopped ? a : undefined;
  }

  private register(mca: ManagedClusterAddOn): void {
    const cluster = mca.metadata.namespace;
    const key = `${cluster}/${mca.metadata.name}`;
    const a = this.agentOf(cluster);
    const subject = kubeClientSubject(mca);
    if (!a || !subject || this.filed.has(key) || this.busy.has(key)) return;
    this.once(key, async () => {
      const { csrPem } = await addonKeyAndRequest(subject);
      await a.client!.create(resourcePath(CSRS), addonCsrObject(cluster!, mca.metadata.name!, csrPem));
      this.filed.add(key);
    });
  }

  private report(work: ManifestWork): void {
    const cluster = work.metadata.namespace;
    const key = `${cluster}/${work.metadata.name}`;
    const a = this.agentOf(cluster);
    const gen = work.metadata.generation ?? 0;
    const applied = (work.status?.conditions ?? []).find((c) => c.type === COND.work.applied);
    if (!a || this.busy.has(key) || (applied?.observedGeneration === gen && this.reported.get(key) === gen)) return;
    this.once(key, async () => {
      await a.client!.patch(`${resourcePath({ ...MANIFEST_WORKS, namespace: cluster, name: work.metadata.name! })}/status`, { status: healthyWorkStatus(work) }, 'merge');
      this.reported.set(key, gen);
    });
  }

  /** One write per key at a time, retried with backoff (a loaded hub answers 429 or times out); failures are recorded. */
  private once(key: string, fn: () => Promise<void>): void {
    this.busy.add(key);
    void (async () => {
      for (let attempt = 1; attempt <= 8; attempt++) {
        try {
          return await fn();
        } catch (err) {
          this.errors.push(`${key}: ${(err as Error)?.message ?? err}`);
          this.log?.(`sim add-on ${key}: ${(err as Error)?.message ?? err}`);
          await delay(backoffDelay(attempt, { initialMs: 200, maxMs: 5_000, jitter: 0.2 }));
        }
      }
    })().finally(() => this.busy.delete(key));
  }
}
