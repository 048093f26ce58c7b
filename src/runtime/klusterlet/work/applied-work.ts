/**
 * The spoke side record of a work: AppliedManifestWork `<hubHash>-<work>` (cluster-scoped, our
 * finalizer on it), which owns the applied resources and lists them in status.appliedResources.
 * Also how a resource stops being ours: deleted when this record solely owns it, otherwise only
 * our ownerRef is removed (ocm-protocol.md §3).
 */
import type { KubeClient, OwnerReference } from '../../../kube/client.js';
import { isAlreadyExists, isNotFound } from '../../../kube/errors.js';
import { resourcePath } from '../../../kube/resources.js';
import { APPLIED_MANIFEST_WORKS, TYPE, type AppliedManifestWork, type ManifestWork } from '../../../api/index.js';
import { FINALIZER } from '../../../api/names.js';
import type { AppliedResourceT } from '../../../api/work.js';
import { deepEqual, guardedMergePatch, patchStatus } from '../../core/patch.js';
import { appliedWorkName } from './hub-hash.js';
import { resourceKey } from './manifests.js';

export interface Identity {
  hubHash: string;
  agentId: string;
}

export function ownerRefOf(amw: AppliedManifestWork): OwnerReference {
  return { apiVersion: TYPE.appliedManifestWork.apiVersion, kind: TYPE.appliedManifestWork.kind, name: amw.metadata.name!, uid: amw.metadata.uid! };
}

/** Sorted and without duplicates, so an unchanged set never rewrites the status. */
export function sortAppliedResources(list: readonly AppliedResourceT[]): AppliedResourceT[] {
  const byKey = new Map(list.map((r) => [`${resourceKey({ ...r, group: r.group ?? '' })}/${r.version}`, r]));
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
}

/** Creates or corrects the record of `work`; returns it as the server has it. */
export async function ensureAppliedWork(spoke: KubeClient, id: Identity, work: ManifestWork, current: AppliedManifestWork | undefined): Promise<AppliedManifestWork> {
  const name = appliedWorkName(id.hubHash, work.metadata.name!);
  const spec = { hubHash: id.hubHash, agentID: id.agentId, manifestWorkName: work.metadata.name! };
  const labels = work.metadata.labels ?? {};
  if (!current) {
    const body = { ...TYPE.appliedManifestWork, metadata: { name, labels, finalizers: [FINALIZER.appliedManifestWorkCleanup] }, spec };
    try {
      return await spoke.create<AppliedManifestWork>(resourcePath(APPLIED_MANIFEST_WORKS), body);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      return spoke.get<AppliedManifestWork>(resourcePath({ ...APPLIED_MANIFEST_WORKS, name }));
    }
  }
  const finalizers = current.metadata.finalizers ?? [];
  const patch: Record<string, unknown> = {};
  const meta: Record<string, unknown> = {};
  if (!deepEqual(current.spec, spec)) patch.spec = spec;
  if (!deepEqual(current.metadata.labels ?? {}, labels)) {
    // A merge patch of labels must null out the ones the work no longer has.
    const drop = Object.keys(current.metadata.labels ?? {}).filter((k) => !(k in labels));
    meta.labels = { ...labels, ...Object.fromEntries(drop.map((k) => [k, null])) };
  }
  if (!finalizers.includes(FINALIZER.appliedManifestWorkCleanup) && !current.metadata.deletionTimestamp) {
    meta.finalizers = [...finalizers, FINALIZER.appliedManifestWorkCleanup];
  }
  if (Object.keys(meta).length) patch.metadata = meta;
  if (!Object.keys(patch).length) return current;
  return guardedMergePatch<AppliedManifestWork>(spoke, APPLIED_MANIFEST_WORKS, current, patch);
}

/** Writes status.appliedResources (sorted) when it changes. */
export function setAppliedResources(spoke: KubeClient, amw: AppliedManifestWork, list: readonly AppliedResourceT[]): Promise<AppliedManifestWork> {
  return patchStatus(spoke, APPLIED_MANIFEST_WORKS, amw, { appliedResources: sortAppliedResources(list) });
}

export type Release = 'gone' | 'pending';

/**
 * Lets go of one applied resource: `orphan` removes only our ownerRef; otherwise the resource is
 * deleted (Background, UID precondition) when we are its sole owner, else our ownerRef goes.
 * 'pending' means a delete is under way; 'gone' means nothing of ours is left on it.
 */
export async function releaseResource(spoke: KubeClient, r: AppliedResourceT, ownerUid: string, orphan: boolean): Promise<Release> {
  const ref = { group: r.group ?? '', version: r.version, resource: r.resource, namespace: r.namespace || undefined, name: r.name };
  let live;
  try {
    live = await spoke.get(resourcePath(ref));
  } catch (err) {
    if (isNotFound(err)) return 'gone';
    throw err;
  }
  // Another object of the same name (recreated by someone else) is not ours to touch.
  if (r.uid && live.metadata?.uid !== r.uid) return 'gone';
  const owners = live.metadata?.ownerReferences ?? [];
  if (!owners.some((o) => o.uid === ownerUid)) return 'gone';
  const others = owners.filter((o) => o.uid !== ownerUid);
  if (orphan || others.length > 0) {
    await guardedMergePatch(spoke, ref, live, { metadata: { ownerReferences: others } });
    return 'gone';
  }
  if (live.metadata?.deletionTimestamp) return 'pending';
  try {
    await spoke.delete(resourcePath(ref), { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background', preconditions: { uid: live.metadata!.uid } });
  } catch (err) {
    if (isNotFound(err)) return 'gone';
    throw err;
  }
  return 'pending';
}
