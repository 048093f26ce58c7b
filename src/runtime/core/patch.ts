/**
 * OCM's write discipline: JSON merge patches that carry the observed metadata.uid and
 * metadata.resourceVersion, so a write based on a stale read fails with 409 Conflict instead of
 * overwriting someone else's change (the key is then retried with fresh state); status goes
 * through /status and only when it would change.
 */
import type { KubeClient, KubeObject } from '../../kube/client.js';
import { isConflict } from '../../kube/errors.js';
import { resourcePath, type ResourceRef } from '../../kube/resources.js';
import { sleep } from './clock.js';

/** A collection or object reference; namespace and name default to the object's own. */
export type TargetRef = Omit<ResourceRef, 'name' | 'namespace' | 'subresource'> & { namespace?: string; name?: string };

export function objectRef(ref: TargetRef, obj: KubeObject, subresource?: string): ResourceRef {
  const name = ref.name ?? obj.metadata?.name;
  if (!name) throw new Error(`cannot patch a ${ref.resource} without a name`);
  return { ...ref, namespace: ref.namespace ?? obj.metadata?.namespace, name, subresource };
}

/** The optimistic-concurrency preconditions of a patch: exactly the object that was read. */
export function preconditions(obj: KubeObject): { uid?: string; resourceVersion?: string } {
  const m = obj.metadata ?? {};
  if (!m.resourceVersion) throw new Error(`object ${m.namespace ? `${m.namespace}/` : ''}${m.name ?? ''} has no resourceVersion; read it before patching`);
  return { uid: m.uid, resourceVersion: m.resourceVersion };
}

/** Merge-patches `obj` with `patch`, guarded by obj's uid and resourceVersion. */
export function guardedMergePatch<T extends KubeObject>(
  client: KubeClient,
  ref: TargetRef,
  obj: KubeObject,
  patch: Record<string, unknown>,
  subresource?: string,
): Promise<T> {
  const meta = (patch.metadata as Record<string, unknown> | undefined) ?? {};
  const body = { ...patch, metadata: { ...meta, ...preconditions(obj) } };
  return client.patch<T>(resourcePath(objectRef(ref, obj, subresource)), body, 'merge');
}

/** Structural equality of JSON values (key order ignored, undefined fields ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => Object.hasOwn(bo, k) && deepEqual(ao[k], bo[k]));
}

/** RFC 7386: what `target` becomes after merge patch `patch` (null deletes, lists replace). */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

/** Whether merge-patching obj.status with `status` would change anything. */
export function statusWouldChange(obj: KubeObject, status: Record<string, unknown>): boolean {
  return !deepEqual(applyMergePatch(obj.status ?? {}, status), obj.status ?? {});
}

/**
 * Merge-patches /status of `obj` when `status` changes it; returns the server's object, or `obj`
 * itself when there was nothing to write (no request sent).
 */
export async function patchStatus<T extends KubeObject>(client: KubeClient, ref: TargetRef, obj: T, status: Record<string, unknown>): Promise<T> {
  if (!statusWouldChange(obj, status)) return obj;
  return guardedMergePatch<T>(client, ref, obj, { status }, 'status');
}

export interface RetryOptions {
  /** Tries in all (default 5). */
  attempts?: number;
  /** Base pause between tries in ms (default 10, doubled each time, ±10 % jitter). */
  delayMs?: number;
  signal?: AbortSignal;
}

/**
 * Runs `fn` again while it fails with 409 Conflict, up to `attempts` tries. `fn` must re-read the
 * object each time (it gets the attempt number, 0-based); other errors are thrown at once.
 */
export async function retryOnConflict<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 5;
  for (let i = 0; ; i++) {
    try {
      return await fn(i);
    } catch (err) {
      if (!isConflict(err) || i + 1 >= attempts || opts.signal?.aborted) throw err;
    }
    await sleep((opts.delayMs ?? 10) * 2 ** i * (0.9 + 0.2 * Math.random()), opts.signal);
  }
}

/**
 * Reads the object fresh, asks `mutate` for a merge patch (undefined = nothing to do), writes it
 * guarded by the fresh resourceVersion, and starts over on 409. Returns the final object.
 */
export async function updateWithRetry<T extends KubeObject>(
  client: KubeClient,
  ref: ResourceRef,
  mutate: (current: T) => Record<string, unknown> | undefined,
  opts: RetryOptions & { subresource?: string } = {},
): Promise<T> {
  return retryOnConflict(async () => {
    const current = await client.get<T>(resourcePath({ ...ref, subresource: undefined }));
    const patch = mutate(current);
    if (!patch) return current;
    return guardedMergePatch<T>(client, ref, current, patch, opts.subresource);
  }, opts);
}

/** Adds `finalizer` to obj (guarded merge patch); returns obj unchanged when already there. */
export async function addFinalizer<T extends KubeObject>(client: KubeClient, ref: TargetRef, obj: T, finalizer: string): Promise<T> {
  const list = obj.metadata?.finalizers ?? [];
  if (list.includes(finalizer)) return obj;
  return guardedMergePatch<T>(client, ref, obj, { metadata: { finalizers: [...list, finalizer] } });
}

/** Removes `finalizer` from obj (guarded merge patch); returns obj unchanged when absent. */
export async function removeFinalizer<T extends KubeObject>(client: KubeClient, ref: TargetRef, obj: T, finalizer: string): Promise<T> {
  const list = obj.metadata?.finalizers ?? [];
  if (!list.includes(finalizer)) return obj;
  // An empty list must be sent as [] (null would also work); merge patch replaces lists whole.
  return guardedMergePatch<T>(client, ref, obj, { metadata: { finalizers: list.filter((f) => f !== finalizer) } });
}
