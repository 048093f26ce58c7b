/**
 * Status of applied resources, keyed by ManifestWork name: reads each manifest's live object on
 * the spoke (Available), evaluates its feedback rules (StatusFeedbackSynced and values) and
 * condition rules, and aggregates the work's Available condition and rule conditions (Complete).
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
    let conditions: Condition[] = setCondition(work.status?.conditions as Condition[] | undefined, workAvailable(manifests, gen));
    for (const c of aggregateRuleConditions(manifests, gen)) conditions = setCondition(conditions, c);
    conditions = pruneStaleRuleConditions(conditions, gen);
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
    let conditions = m.conditions ?? [];
    if (!r.resource || !r.version || !r.name) {
      conditions = setCondition(conditions, {
        type: COND.work.available,
        status: 'Unknown',
        reason: REASON.manifest.incompleteMeta,
        message: 'Resource meta is incomplete (the manifest was not resolved on the managed cluster)',
      });
      return { ...m, conditions };
    }
    const ref = { group: r.group ?? '', version: r.version, resource: r.resource, namespace: r.namespace || undefined, name: r.name };
    let obj: KubeObject | undefined;
    let read: Parameters<typeof manifestAvailable>[0];
    try {
      obj = await this.o.spoke.get(resourcePath(ref));
      read = { found: true };
    } catch (err) {
      read = isNotFound(err) ? { found: false } : { error: describeError(err) };
    }
    conditions = setCondition(conditions, manifestAvailable(read));
    if (!obj) return { ...m, conditions: pruneStaleRuleConditions(conditions, work.metadata.generation) };
    const config = findManifestConfig(work.spec?.manifestConfigs, { group: ref.group, resource: ref.resource, namespace: ref.namespace, name: ref.name });
    const rules = config?.feedbackRules ?? [];
    const { values, errors } = feedbackValues(obj, rules);
    conditions = setCondition(conditions, feedbackCondition(rules.length > 0, errors));
    for (const rule of config?.conditionRules ?? []) conditions = setCondition(conditions, await evaluateRule(obj, rule, work.metadata.generation));
    const out: ManifestStatus = { ...m, conditions: pruneStaleRuleConditions(conditions, work.metadata.generation) };
    if (rules.length) out.statusFeedback = { values };
    else delete out.statusFeedback;
    return out;
  }
}
