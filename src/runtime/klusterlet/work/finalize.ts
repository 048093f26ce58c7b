/**
 * Letting go of a work's resources: when the work is deleted on the hub (Deleting condition,
 * then the AppliedManifestWork is deleted, its finalizer releases every resource, and only then
 * the work's finalizer goes), and when its AppliedManifestWork outlives the work on the hub
 * (eviction after a grace period, OCM's --appliedmanifestwork-eviction-grace-period).
 * Every step is one idempotent write; the next one follows from the event it causes.
 */
import type { KubeClient } from '../../../kube/client.js';
import { isNotFound } from '../../../kube/errors.js';
import { resourcePath } from '../../../kube/resources.js';
import { APPLIED_MANIFEST_WORKS, MANIFEST_WORKS, type AppliedManifestWork, type ManifestWork } from '../../../api/index.js';
import { COND, FINALIZER, REASON } from '../../../api/names.js';
import type { AppliedResourceT, DeleteOptionT } from '../../../api/work.js';
import { metaTime, setCondition, type Condition } from '../../core/conditions.js';
import { patchStatus, removeFinalizer } from '../../core/patch.js';
import type { ReconcileResult } from '../../core/types.js';
import { releaseResource, setAppliedResources } from './applied-work.js';
import { isOrphaned, resourceRank } from './manifests.js';

/** How often to look again while deletes of released resources are still under way. */
export const PENDING_DELETE_RECHECK_MS = 500;

/** Ignores 404: the object is already gone, which is what the caller wanted. */
async function gone<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * Releases every resource an AppliedManifestWork being deleted lists (orphaning per the delete
 * option, when the work is known), highest kind rank first; drops its finalizer once nothing of
 * ours is left.
 */
export async function finishAppliedWork(spoke: KubeClient, amw: AppliedManifestWork, deleteOption: DeleteOptionT | undefined): Promise<ReconcileResult | void> {
  const uid = amw.metadata.uid!;
  const all = amw.status?.appliedResources ?? [];
  // Reverse apply order, one kind rank at a time: custom resources and workloads go before the
  // RBAC, CRDs and namespaces they depend on (and before roles that grant the agent its rights).
  const ranks = [...new Set(all.map((r) => resourceRank(r.resource)))].sort((a, b) => b - a);
  const left: AppliedResourceT[] = [];
  for (const rank of ranks) {
    const tier = all.filter((r) => resourceRank(r.resource) === rank);
    if (left.length) {
      left.push(...tier); // a higher tier is still going: this one waits
      continue;
    }
    for (const r of tier) {
      const orphan = isOrphaned(deleteOption, { group: r.group ?? '', resource: r.resource, namespace: r.namespace || undefined, name: r.name });
      if ((await releaseResource(spoke, r, uid, orphan)) === 'pending') left.push(r);
    }
  }
  if (left.length) {
    await gone(setAppliedResources(spoke, amw, left));
    return { requeueAfterMs: PENDING_DELETE_RECHECK_MS };
  }
  await gone(removeFinalizer(spoke, APPLIED_MANIFEST_WORKS, amw, FINALIZER.appliedManifestWorkCleanup));
}

/** A work deleted on the hub: Deleting, delete the record, release, then the work's finalizer. */
export async function finalizeWork(hub: KubeClient, spoke: KubeClient, work: ManifestWork, amw: AppliedManifestWork | undefined): Promise<ReconcileResult | void> {
  const conditions = setCondition(work.status?.conditions as Condition[] | undefined, {
    type: COND.work.deleting,
    status: 'True',
    reason: REASON.work.deleting,
    message: 'The work is being deleted: removing its resources from the managed cluster',
  });
  if (conditions.changed) work = (await gone(patchStatus(hub, MANIFEST_WORKS, work, { conditions }))) ?? work;
  if (amw && !amw.metadata.deletionTimestamp) {
    await gone(spoke.delete(resourcePath({ ...APPLIED_MANIFEST_WORKS, name: amw.metadata.name! })));
    return; // its deletionTimestamp comes back through the watch
  }
  if (amw) return finishAppliedWork(spoke, amw, work.spec?.deleteOption);
  await gone(removeFinalizer(hub, MANIFEST_WORKS, work, FINALIZER.manifestWorkCleanup));
}

/**
 * A record whose work is no longer on the hub: start the eviction clock, and delete the record
 * (which releases its resources) once the grace period has passed.
 */
export async function evictAppliedWork(spoke: KubeClient, amw: AppliedManifestWork, graceMs: number, now: number): Promise<ReconcileResult | void> {
  if (amw.metadata.deletionTimestamp) return finishAppliedWork(spoke, amw, undefined);
  const started = amw.status?.evictionStartTime ? Date.parse(amw.status.evictionStartTime) : undefined;
  if (started === undefined) {
    await gone(patchStatus(spoke, APPLIED_MANIFEST_WORKS, amw, { evictionStartTime: metaTime(new Date(now)) }));
    return { requeueAfterMs: graceMs };
  }
  const left = started + graceMs - now;
  if (left > 0) return { requeueAfterMs: left };
  await gone(spoke.delete(resourcePath({ ...APPLIED_MANIFEST_WORKS, name: amw.metadata.name! })));
}
