/**
 * Status of applied resources, keyed by ManifestWork name: reads each manifest's live object on
 * the spoke (Available), evaluates its feedback rules (StatusFeedbackSynced and values) and
 * condition rules, and aggregates the work's Available condition and rule conditions (Complete).
 * A pass of the apply controller that applied every manifest has already reported these from the
 * objects it wrote (liveManifestStatus, withAvailability); this controller keeps them current.
 * Level-based: each work requeues itself every status-sync interval (default 10 s, +0–90 %
 * jitter), and writes only when something changed. Manifests with `feedbackScrapeType: Watch`
 * are also watched on the spoke (feedback-watch.ts): a change of one queues its work at once.
 */
import type { KubeClient, KubeObject } from '../../../kube/client.js';
import { describeError, isNotFound } from '../../../kube/errors.js';
import { resourcePath } from '../../../kube/resources.js';
import { MANIFEST_WORKS, type ManifestWork } from '../../../api/index.js';
import { COND, FINALIZER, REASON } from '../../../api/names.js';
import { findCondition, setCondition, type Condition } from '../../core/conditions.js';
import { patchStatus } from '../../core/patch.js';
import type { OwnWrites } from '../../core/own-writes.js';
import type { ReconcileResult, Reconciler } from '../../core/types.js';
import { aggregateRuleConditions, evaluateRule, pruneStaleRuleConditions } from './condition-rules.js';
import { feedbackValues } from './feedback.js';
import type { FeedbackWatches, WatchedResource } from './feedback-watch.js';
import { findManifestConfig } from './manifests.js';
import { feedbackCondition, manifestAvailable, workAvailable, type ManifestStatus } from './status.js';

export interface StatusReconcilerOptions {
  cluster: string;
  hub: KubeClient;
  spoke: KubeClient;
  works: OwnWrites<ManifestWork>;
  statusSyncMs?: number;
  random?: () => number;
  /** Watches for `feedbackScrapeType: Watch` manifests; without it Watch is read as Poll. */
  watches?: FeedbackWatches;
}

/** The manifests of `work` whose config asks for Watch, as resources to watch on the spoke. */
function watchedResources(work: ManifestWork): WatchedResource[] {
  return ((work.status?.resourceStatus?.manifests ?? []) as ManifestStatus[]).flatMap(({ resourceMeta: r }) => {
    if (!r.resource || !r.version || !r.name) return [];
    const w = { group: r.group ?? '', version: r.version, resource: r.resource, namespace: r.namespace || undefined, name: r.name };
    return findManifestConfig(work.spec?.manifestConfigs, w)?.feedbackScrapeType === 'Watch' ? [w] : [];
  });
}

export class StatusReconciler implements Reconciler {
  readonly name = 'manifestwork-status';
  private readonly random: () => number;

  constructor(private readonly o: StatusReconcilerOptions) {
    this.random = o.random ?? Math.random;
  }

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const { o } = this;
    const work = o.works.get(`${o.cluster}/${name}`);
    if (!work || work.metadata.deletionTimestamp || !work.metadata.finalizers?.includes(FINALIZER.manifestWorkCleanup)) {
      o.watches?.sync(name, []);
      return;
    }
    // Nothing to report before the first apply pass wrote the manifests' metadata.
    if (!findCondition(work.status?.conditions as Condition[] | undefined, COND.work.applied)) return;
    o.watches?.sync(name, watchedResources(work));
    const gen = work.metadata.generation;
    const manifests = await Promise.all(((work.status?.resourceStatus?.manifests ?? []) as ManifestStatus[]).map((m) => this.manifestStatus(work, m)));
    const conditions = withAvailability(work.status?.conditions as Condition[] | undefined, manifests, gen);
    try {
      o.works.wrote(work, await patchStatus(o.hub, MANIFEST_WORKS, work, { conditions, resourceStatus: { manifests } }));
    } catch (err) {
      if (isNotFound(err)) return void o.watches?.sync(name, []); // deleted on the hub meanwhile: nothing left to report on
      throw err;
    }
    return { requeueAfterMs: Math.round((o.statusSyncMs ?? 10_000) * (1 + 0.9 * this.random())) };
  }

  private async manifestStatus(work: ManifestWork, m: ManifestStatus): Promise<ManifestStatus> {
    const r = m.resourceMeta;
    if (!r.resource || !r.version || !r.name) {
      const conditions = setCondition(m.conditions ?? [], {
        type: COND.work.available,
        status: 'Unknown',
        reason: REASON.manifest.incompleteMeta,
        message: 'Resource meta is incomplete (the manifest was not resolved on the managed cluster)',
      });
      return { ...m, conditions };
    }
    const ref = { group: r.group ?? '', version: r.version, resource: r.resource, namespace: r.namespace || undefined, name: r.name };
    let read: Parameters<typeof liveManifestStatus>[2];
    try {
      read = { found: true, obj: await this.o.spoke.get(resourcePath(ref)) };
    } catch (err) {
      read = isNotFound(err) ? { found: false } : { error: describeError(err) };
    }
    return liveManifestStatus(work, m, read);
  }
}

/**
 * One manifest's entry after a read of its live object (or a 404, or an error): Available,
 * StatusFeedbackSynced and feedback values, condition rules. Also used by the apply pass with
 * the object its write returned.
 */
export async function liveManifestStatus(work: ManifestWork, m: ManifestStatus, read: { found: true; obj: KubeObject } | { found: false } | { error: string }): Promise<ManifestStatus> {
  const r = m.resourceMeta;
  const gen = work.metadata.generation;
  let conditions = setCondition(m.conditions ?? [], manifestAvailable(read));
  if (!('obj' in read)) return { ...m, conditions: pruneStaleRuleConditions(conditions, gen) };
  const config = findManifestConfig(work.spec?.manifestConfigs, { group: r.group ?? '', resource: r.resource ?? '', namespace: r.namespace || undefined, name: r.name ?? '' });
  const rules = config?.feedbackRules ?? [];
  const { values, errors } = feedbackValues(read.obj, rules);
  conditions = setCondition(conditions, feedbackCondition(rules.length > 0, errors));
  for (const rule of config?.conditionRules ?? []) conditions = setCondition(conditions, await evaluateRule(read.obj, rule, gen));
  const out: ManifestStatus = { ...m, conditions: pruneStaleRuleConditions(conditions, gen) };
  if (rules.length) out.statusFeedback = { values };
  else delete out.statusFeedback;
  return out;
}

/** The work's conditions after its manifests' availability: Available, rule aggregates, stale rule conditions pruned. */
export function withAvailability(conditions: Condition[] | undefined, manifests: readonly ManifestStatus[], gen: number | undefined): Condition[] {
  let out: Condition[] = setCondition(conditions, workAvailable(manifests, gen));
  for (const c of aggregateRuleConditions(manifests, gen)) out = setCondition(out, c);
  return pruneStaleRuleConditions(out, gen);
}
