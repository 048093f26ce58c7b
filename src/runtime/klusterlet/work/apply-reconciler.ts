/**
 * The work agent's main reconciler, keyed by ManifestWork name: finalizer, AppliedManifestWork,
 * every manifest applied in kind order with its strategy, resources dropped from the spec
 * released, per-manifest Applied conditions and the work's Applied condition written to the hub
 * (with availability, when every manifest applied). Independent writes go out together: the
 * finalizer with the record, the record's resource list with the work's status.
 * Deleted works and orphaned records go to finalize.ts. A manifest that fails leaves the others
 * applied and is retried with per-key backoff (never a tight loop); a healthy work is re-applied
 * every resync (default 4 min ± 50 %) to undo drift.
 */
import type { KubeClient, KubeObject } from '../../../kube/client.js';
import { describeError, isNotFound } from '../../../kube/errors.js';
import { resourcePath, splitApiVersion, type Discovery } from '../../../kube/resources.js';
import { APPLIED_MANIFEST_WORKS, MANIFEST_WORKS, type AppliedManifestWork, type ManifestWork } from '../../../api/index.js';
import { COND, FINALIZER } from '../../../api/names.js';
import type { AppliedResourceT } from '../../../api/work.js';
import { backoffDelay } from '../../core/backoff.js';
import { findCondition, isTrue, setCondition, type Condition } from '../../core/conditions.js';
import { addFinalizer, patchStatus } from '../../core/patch.js';
import type { OwnWrites } from '../../core/own-writes.js';
import type { Logger, ReconcileResult, Reconciler } from '../../core/types.js';
import { applyManifest, strategyOf } from './apply.js';
import { executorDenial } from './executor.js';
import { ensureAppliedWork, ownerRefOf, releaseResource, setAppliedResources, type Identity } from './applied-work.js';
import { PENDING_DELETE_RECHECK_MS, evictAppliedWork, finalizeWork, finishAppliedWork } from './finalize.js';
import { appliedWorkName } from './hub-hash.js';
import { applyOrder, cleanManifest, findManifestConfig, isOrphaned, manifestId, resourceKey, type ResourceId } from './manifests.js';
import { appliedManifests, workApplied, type ApplyResult, type ManifestStatus } from './status.js';
import { liveManifestStatus, withAvailability } from './status-reconciler.js';

export interface ApplyReconcilerOptions {
  cluster: string;
  id: Identity;
  hub: KubeClient;
  spoke: KubeClient;
  discovery: Discovery;
  /** The hub cache of works, showing this agent's own writes before the watch brings them back. */
  works: OwnWrites<ManifestWork>;
  /** The spoke cache of records, likewise showing our own writes. */
  applied: OwnWrites<AppliedManifestWork>;
  log: Logger;
  /** Re-apply period of a healthy work (default 4 min; each wait is 0.5–1.5× this). */
  resyncMs?: number;
  /** How long a record whose work vanished from the hub is kept (default 60 min). */
  evictionGraceMs?: number;
  /** Retry backoff of a work with failing manifests (default 1 s doubling to 5 min). */
  retry?: { initialMs: number; maxMs: number };
  now?: () => number;
  random?: () => number;
}

/** A promise's outcome, held so that a failure is not unhandled while another write is awaited. */
type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
const settle = <T>(p: Promise<T>): Promise<Settled<T>> => p.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
const unwrap = <T>(s: Settled<T>): T => {
  if (!s.ok) throw s.error;
  return s.value;
};

const idOf = (r: AppliedResourceT): ResourceId => ({ group: r.group ?? '', resource: r.resource, namespace: r.namespace || undefined, name: r.name });
const keyOf = (r: AppliedResourceT) => resourceKey(idOf(r));

export class ApplyReconciler implements Reconciler {
  readonly name = 'manifestwork-apply';
  private readonly failures = new Map<string, number>();
  /** Records whose create is in flight: their add event may come before the create's answer. */
  private readonly creating = new Set<string>();
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly o: ApplyReconcilerOptions) {
    this.now = o.now ?? Date.now;
    this.random = o.random ?? Math.random;
  }

  /**
   * Whether the record `recordName` is being created by a pass in flight: that pass goes on with
   * the create's answer, so the record's add event needs no pass of its own.
   */
  isCreating(recordName: string): boolean {
    return this.creating.has(recordName);
  }

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const { o } = this;
    let work = o.works.get(`${o.cluster}/${name}`);
    const amw = o.applied.get(appliedWorkName(o.id.hubHash, name));
    if (!work) {
      this.failures.delete(name);
      // Only a listed cache can say the work is gone; and only our own records are evicted.
      if (!o.works.synced || !amw || amw.spec?.agentID !== o.id.agentId) return;
      return evictAppliedWork(o.spoke, amw, o.evictionGraceMs ?? 60 * 60_000, this.now());
    }
    if (work.metadata.deletionTimestamp) {
      if (!work.metadata.finalizers?.includes(FINALIZER.manifestWorkCleanup)) return;
      return finalizeWork(o.hub, o.spoke, work, amw);
    }
    // A work whose condition rules declared it Complete is frozen (OCM).
    const frozen = isTrue(work.status?.conditions as Condition[] | undefined, COND.work.complete);
    if (!work.metadata.finalizers?.includes(FINALIZER.manifestWorkCleanup)) {
      // A new work: its finalizer (hub) and its record (spoke) are written at once, and nothing
      // is applied before both are there. The work is used at once from the patched object:
      // waiting for the watch to bring the finalizer back would cost a second trip through the queue.
      const record = frozen || amw?.metadata.deletionTimestamp ? undefined : this.writeRecord(work, amw);
      try {
        work = o.works.wrote(work, await addFinalizer(o.hub, MANIFEST_WORKS, work, FINALIZER.manifestWorkCleanup));
      } catch (err) {
        const made = await record;
        if (!isNotFound(err)) throw err;
        // Deleted meanwhile: a record made just now owns nothing yet and goes at once.
        if (!amw && made?.ok) await o.spoke.delete(resourcePath({ ...APPLIED_MANIFEST_WORKS, name: made.value.metadata.name! })).catch(() => undefined);
        return;
      }
      if (record) return this.apply(name, work, amw, record);
    }
    if (frozen) {
      o.log.debug('work is Complete: spec changes are not applied', { work: name, generation: work.metadata.generation });
      return;
    }
    // Someone deleted the record on the spoke: release what it owned, then start afresh.
    if (amw?.metadata.deletionTimestamp) return finishAppliedWork(o.spoke, amw, work.spec?.deleteOption);
    return this.apply(name, work, amw, this.writeRecord(work, amw));
  }

  private async apply(name: string, work: ManifestWork, current: AppliedManifestWork | undefined, record: Promise<Settled<AppliedManifestWork>>): Promise<ReconcileResult> {
    const { o } = this;
    let amw = unwrap(await record);
    if (amw.status?.evictionStartTime) amw = o.applied.wrote(amw, await patchStatus(o.spoke, APPLIED_MANIFEST_WORKS, amw, { evictionStartTime: null }));
    const owner = ownerRefOf(amw);
    const configs = work.spec?.manifestConfigs;
    const results: ApplyResult[] = [];
    // Each applied manifest's object as the write (or read) returned it: its availability.
    const live = new Map<number, KubeObject>();
    const applied: AppliedResourceT[] = [];
    const inSpec = new Set<string>();
    let unresolved = false;
    // No record before this pass: a new work, whose resources are created without a read first.
    const likelyAbsent = !current;

    for (const { ordinal, manifest } of applyOrder((work.spec?.workload?.manifests ?? []) as KubeObject[])) {
      const m = cleanManifest(manifest);
      const { group, version } = splitApiVersion(m.apiVersion ?? '');
      const meta = { ordinal, group, version, kind: m.kind ?? '', resource: '', name: m.metadata?.name ?? '', namespace: m.metadata?.namespace ?? '' };
      let found;
      try {
        found = await o.discovery.resolve(m.apiVersion ?? '', m.kind ?? '');
      } catch (err) {
        unresolved = true;
        results.push({ ordinal, meta, error: describeError(err) });
        continue;
      }
      const rid = manifestId(m, found.resource, found.namespaced);
      inSpec.add(resourceKey(rid));
      meta.resource = found.resource;
      if (!found.namespaced) meta.namespace = '';
      const config = findManifestConfig(configs, rid);
      const own = !isOrphaned(work.spec?.deleteOption, rid);
      try {
        const ref = { group, version, resource: found.resource, namespace: rid.namespace, name: rid.name };
        const denied = await executorDenial(o.spoke, work.spec?.executor, ref, own && strategyOf(config) !== 'ReadOnly');
        if (denied) throw new Error(denied);
        const res = await applyManifest(o.spoke, o.discovery, m, { config, owner, own, likelyAbsent });
        results.push({ ordinal, meta });
        live.set(ordinal, res.obj);
        if (strategyOf(config) !== 'ReadOnly') applied.push({ group, version, resource: found.resource, namespace: rid.namespace ?? '', name: rid.name, uid: res.obj.metadata?.uid });
      } catch (err) {
        results.push({ ordinal, meta, error: describeError(err) });
      }
    }

    const pending = await this.releaseRemoved(work, amw, applied, inSpec, unresolved);
    // The record's list (spoke) and the work's status (hub) are independent writes: sent together.
    const [listed, status] = await Promise.allSettled([setAppliedResources(o.spoke, amw, [...applied, ...pending]), this.writeStatus(work, results, live)]);
    if (listed.status === 'rejected') throw listed.reason;
    o.applied.wrote(amw, listed.value);
    if (status.status === 'rejected') throw status.reason;

    const failed = results.some((r) => r.error);
    if (failed) {
      const n = (this.failures.get(name) ?? 0) + 1;
      this.failures.set(name, n);
      const delay = backoffDelay(n, { initialMs: o.retry?.initialMs ?? 1000, maxMs: o.retry?.maxMs ?? 5 * 60_000, jitter: 0.2, random: this.random });
      o.log.info('manifests failed to apply; retrying later', { work: name, failed: results.filter((r) => r.error).map((r) => r.ordinal), retryInMs: delay });
      return { requeueAfterMs: delay };
    }
    this.failures.delete(name);
    if (pending.some((p) => !applied.some((a) => keyOf(a) === keyOf(p)))) return { requeueAfterMs: PENDING_DELETE_RECHECK_MS };
    return { requeueAfterMs: Math.round((o.resyncMs ?? 4 * 60_000) * (0.5 + this.random())) };
  }

  /** Creates or corrects the record of `work`, its answer shown by the cache view at once. */
  private async writeRecord(work: ManifestWork, current: AppliedManifestWork | undefined): Promise<Settled<AppliedManifestWork>> {
    const recordName = appliedWorkName(this.o.id.hubHash, work.metadata.name!);
    if (!current) this.creating.add(recordName);
    try {
      const made = await settle(ensureAppliedWork(this.o.spoke, this.o.id, work, current));
      if (made.ok) this.o.applied.wrote(current, made.value);
      return made;
    } finally {
      if (!current) this.creating.delete(recordName);
    }
  }

  /**
   * Resources the record lists that the spec no longer has: released once the work has been
   * applied before (a record found on a new hub with the same URL must not delete anything).
   * Returns the entries to keep listing: deletes still under way, and resources of manifests
   * that failed this round (they are still ours).
   */
  private async releaseRemoved(work: ManifestWork, amw: AppliedManifestWork, applied: AppliedResourceT[], inSpec: Set<string>, unresolved: boolean): Promise<AppliedResourceT[]> {
    const appliedKeys = new Set(applied.map(keyOf));
    const keep: AppliedResourceT[] = [];
    const everApplied = !!findCondition(work.status?.conditions as Condition[] | undefined, COND.work.applied);
    for (const r of amw.status?.appliedResources ?? []) {
      const key = keyOf(r);
      if (appliedKeys.has(key)) continue;
      if (inSpec.has(key) || unresolved || !everApplied) {
        keep.push(r);
        continue;
      }
      const outcome = await releaseResource(this.o.spoke, r, amw.metadata.uid!, false);
      if (outcome === 'pending') keep.push(r);
      else this.o.log.info('released a resource removed from the work', { work: work.metadata.name, resource: key });
    }
    return keep;
  }

  /**
   * Applied (per manifest and for the work), and when every manifest applied, their availability
   * from the objects just written: one status write where the status controller would add a second.
   */
  private async writeStatus(work: ManifestWork, results: ApplyResult[], live: Map<number, KubeObject>): Promise<void> {
    const gen = work.metadata.generation;
    const prev = work.status?.resourceStatus?.manifests as ManifestStatus[] | undefined;
    let manifests = appliedManifests(prev, results, gen);
    let conditions: Condition[] = setCondition(work.status?.conditions as Condition[] | undefined, workApplied(manifests, gen));
    if (results.every((r) => !r.error && live.has(r.ordinal))) {
      manifests = await Promise.all(manifests.map((m) => liveManifestStatus(work, m, { found: true, obj: live.get(m.resourceMeta.ordinal)! })));
      conditions = withAvailability(conditions, manifests, gen);
    }
    try {
      this.o.works.wrote(work, await patchStatus(this.o.hub, MANIFEST_WORKS, work, { conditions, resourceStatus: { manifests } }));
    } catch (err) {
      // Deleted on the hub meanwhile: its delete event brings the key back for eviction.
      if (!isNotFound(err)) throw err;
    }
  }
}
