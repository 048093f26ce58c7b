/**
 * ManifestWork spec.deleteOption.ttlSecondsAfterFinished, as OCM's hub garbage collector: a work
 * whose Complete condition is True is deleted once `ttl` seconds have passed since that
 * condition's lastTransitionTime (at once for 0). Works without the field, or not Complete, stay.
 * Level-based, keyed by namespace/name: a work not yet due requeues itself for the instant it is.
 */
import { COND } from '../../api/names.js';
import { MANIFEST_WORKS, type ManifestWork } from '../../api/index.js';
import { findCondition, type Condition } from '../core/conditions.js';
import type { Reconciler, ReconcileResult } from '../core/types.js';
import { deleteIfPresent } from './write.js';
import { nsKey, type HubDeps } from './deps.js';

/** When `work` is due for deletion (epoch ms), or undefined when it never is as it stands. */
export function ttlDeadline(work: ManifestWork): number | undefined {
  const ttl = work.spec?.deleteOption?.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null || work.metadata.deletionTimestamp) return undefined;
  const complete = findCondition(work.status?.conditions as Condition[] | undefined, COND.work.complete);
  if (complete?.status !== 'True') return undefined;
  const since = Date.parse(complete.lastTransitionTime);
  // A condition without a readable time counts as finished long ago, as Go's zero time does.
  return (Number.isNaN(since) ? 0 : since) + Number(ttl) * 1000;
}

export class WorkTtlReconciler implements Reconciler {
  readonly name = 'manifestwork-ttl';

  constructor(private readonly deps: HubDeps) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const work = this.deps.informers.works.get(key);
    if (!work) return;
    const due = ttlDeadline(work);
    if (due === undefined) return;
    const wait = due - this.deps.now().getTime();
    if (wait > 0) return { requeueAfterMs: wait };
    const ref = { ...MANIFEST_WORKS, namespace: work.metadata.namespace!, name: work.metadata.name! };
    if (await deleteIfPresent(this.deps.client, ref)) {
      this.deps.log.info('deleted a completed manifestwork after its ttl', { work: nsKey(ref.namespace, ref.name), ttlSeconds: Number(work.spec?.deleteOption?.ttlSecondsAfterFinished) });
    }
  }
}
