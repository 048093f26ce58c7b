/**
 * How the hub writes, with OCM's discipline: merge patches that carry metadata.uid and
 * metadata.resourceVersion (a stale write fails with 409 and the key is retried with fresh
 * informer state), status through /status with the whole conditions list, server-side apply for
 * the objects the hub owns outright.
 */
import type { KubeClient, KubeObject } from '../../kube/client.js';
import { isNotFound } from '../../kube/errors.js';
import { resourcePath, type ResourceRef } from '../../kube/resources.js';
import { FIELD_MANAGER } from '../../api/names.js';

type CollectionRef = Omit<ResourceRef, 'name' | 'subresource' | 'namespace'>;

export function objectRef(coll: CollectionRef, obj: KubeObject, subresource?: string): ResourceRef {
  return { ...coll, namespace: obj.metadata?.namespace, name: obj.metadata?.name, subresource };
}

/** Preconditions every merge patch carries: the object we read, and only that version of it. */
const guard = (obj: KubeObject) => ({ uid: obj.metadata?.uid, resourceVersion: obj.metadata?.resourceVersion });

/** Merge-patches metadata fields (finalizers, labels) of the observed object. */
export function patchMetadata<T extends KubeObject>(
  client: KubeClient,
  coll: CollectionRef,
  obj: T,
  metadata: Record<string, unknown>,
): Promise<T> {
  return client.patch<T>(resourcePath(objectRef(coll, obj)), { metadata: { ...guard(obj), ...metadata } }, 'merge');
}

/** Merge-patches spec fields of the observed object (lists are replaced whole). */
export function patchSpec<T extends KubeObject>(client: KubeClient, coll: CollectionRef, obj: T, spec: Record<string, unknown>): Promise<T> {
  return client.patch<T>(resourcePath(objectRef(coll, obj)), { metadata: guard(obj), spec }, 'merge');
}

/** Merge-patches /status of the observed object. */
export function patchStatus<T extends KubeObject>(
  client: KubeClient,
  coll: CollectionRef,
  obj: T,
  status: Record<string, unknown>,
): Promise<T> {
  return client.patch<T>(resourcePath(objectRef(coll, obj, 'status')), { metadata: guard(obj), status }, 'merge');
}

/** Server-side apply as the hub controller, taking ownership of conflicting fields. */
export function applyOwned<T extends KubeObject>(client: KubeClient, coll: CollectionRef, obj: T): Promise<T> {
  return client.patch<T>(resourcePath(objectRef(coll, obj)), obj, 'apply', { fieldManager: FIELD_MANAGER.hub, force: true });
}

/** Deletes; a missing object is already the wanted state. Returns whether a delete was sent. */
export async function deleteIfPresent(client: KubeClient, ref: ResourceRef): Promise<boolean> {
  try {
    await client.delete(resourcePath(ref));
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/** The finalizer list with `f` added (or the same list when present). */
export const withFinalizer = (list: string[] | undefined, f: string): string[] => (list?.includes(f) ? list : [...(list ?? []), f]);
export const withoutFinalizers = (list: string[] | undefined, ...fs: string[]): string[] => (list ?? []).filter((x) => !fs.includes(x));

export interface ConditionInput {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

export interface Condition extends ConditionInput {
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** Whether the list already has a condition of that type with the same status, reason and message. */
export function hasCondition(list: Condition[] | undefined, c: ConditionInput): boolean {
  const cur = list?.find((x) => x.type === c.type);
  return !!cur && cur.status === c.status && cur.reason === c.reason && cur.message === c.message;
}

export const findCondition = (list: Condition[] | undefined, type: string): Condition | undefined => list?.find((x) => x.type === type);
