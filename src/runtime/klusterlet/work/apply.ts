/**
 * Writes one manifest to the spoke with its update strategy (ocm-protocol.md §3):
 * - Update: GET, then create (a new work's resources: create first, read only if it exists),
 *   or PUT only when a field of the manifest differs (labels,
 *   annotations and ownerRefs merged, finalizers kept), so a re-apply of an unchanged work writes
 *   nothing and resourceVersions stay put;
 * - ServerSideApply: an apply patch under the configured field manager (conflicts are errors),
 *   with `ignoreFields` as OCM has them (ignore-fields.ts);
 * - CreateOnly: create if missing, otherwise only the ownerRef;
 * - ReadOnly: never writes.
 * The ownerRef to the AppliedManifestWork is added when the work owns the resource and removed
 * when the delete option orphans it.
 */
import type { KubeClient, KubeObject, OwnerReference } from '../../../kube/client.js';
import { isAlreadyExists } from '../../../kube/errors.js';
import { resourcePath, type Discovery, type ResourceRef, getOrUndefined } from '../../../kube/resources.js';
import { FIELD_MANAGER } from '../../../api/names.js';
import type { ManifestConfigT } from '../../../api/work.js';
import { deepEqual, guardedMergePatch } from '../../core/patch.js';
import { SPEC_HASH_ANNOTATION, ignoreFieldsError, specHash, withHash, withoutIgnored } from './ignore-fields.js';

export type Strategy = 'Update' | 'ServerSideApply' | 'CreateOnly' | 'ReadOnly';

export interface ApplyOptions {
  config?: ManifestConfigT;
  /** The AppliedManifestWork's ownerRef. */
  owner: OwnerReference;
  /** False when the delete option orphans the resource: our ownerRef is removed instead. */
  own: boolean;
  /**
   * The resource is most likely missing (its work is new): create it without reading first; one
   * that exists after all (AlreadyExists) is read and applied as usual.
   */
  likelyAbsent?: boolean;
}

export interface Applied {
  ref: ResourceRef & { name: string };
  namespaced: boolean;
  obj: KubeObject;
  strategy: Strategy;
}

const META_FIELDS = new Set(['apiVersion', 'kind', 'metadata', 'status']);

/** Whether everything `want` sets is equal in `have` (fields `want` leaves out are ignored). */
export function isSubset(want: unknown, have: unknown): boolean {
  // Like apimachinery's DeepDerivative: what the manifest leaves unset (or empty) is not compared.
  if (want === null || want === undefined) return true;
  if (typeof want !== 'object') return want === have;
  if (!Array.isArray(want) && Object.keys(want).length === 0) return true;
  if (Array.isArray(want)) return Array.isArray(have) && want.length === have.length && want.every((w, i) => isSubset(w, have[i]));
  if (!have || typeof have !== 'object' || Array.isArray(have)) return false;
  return Object.entries(want).every(([k, v]) => isSubset(v, (have as Record<string, unknown>)[k]));
}

/** Secret stringData as the data the server stores, so a comparison does not see a change. */
function normalizeSecret(m: KubeObject): KubeObject {
  if (m.kind !== 'Secret' || !m.stringData) return m;
  const data = { ...((m.data as Record<string, string>) ?? {}) };
  for (const [k, v] of Object.entries(m.stringData as Record<string, string>)) data[k] = Buffer.from(v).toString('base64');
  const { stringData: _merged, ...rest } = m;
  return { ...rest, data };
}

/** The ownerRefs `existing` should have: ours added or removed, everyone else's kept. */
export function ownerRefsFor(existing: readonly OwnerReference[] | undefined, opts: Pick<ApplyOptions, 'owner' | 'own'>): OwnerReference[] {
  const others = (existing ?? []).filter((o) => o.uid !== opts.owner.uid);
  return opts.own ? [...others, opts.owner] : others;
}

/** Whether an Update-strategy apply has anything to write. */
export function needsUpdate(desired: KubeObject, existing: KubeObject, opts: Pick<ApplyOptions, 'owner' | 'own'>): boolean {
  const want = normalizeSecret(desired);
  for (const [k, v] of Object.entries(want)) {
    if (META_FIELDS.has(k)) continue;
    // Data maps are whole values: a key removed from the manifest must go from the spoke too.
    const exact = (want.kind === 'ConfigMap' || want.kind === 'Secret') && (k === 'data' || k === 'binaryData');
    if (exact ? !deepEqual(v, existing[k]) : !isSubset(v, existing[k])) return true;
  }
  const m = desired.metadata ?? {};
  const e = existing.metadata ?? {};
  if (!isSubset(m.labels ?? {}, e.labels ?? {}) || !isSubset(m.annotations ?? {}, e.annotations ?? {})) return true;
  return !deepEqual(ownerRefsFor(e.ownerReferences, opts), e.ownerReferences ?? []);
}

function withOwner(desired: KubeObject, opts: ApplyOptions): KubeObject {
  const metadata = { ...(desired.metadata ?? {}) };
  if (opts.own) metadata.ownerReferences = ownerRefsFor(metadata.ownerReferences, opts);
  return { ...desired, metadata };
}

/** Adds or removes our ownerRef on an existing object, if that changes anything. */
async function ensureOwner(spoke: KubeClient, ref: ResourceRef, existing: KubeObject, opts: ApplyOptions): Promise<KubeObject> {
  const want = ownerRefsFor(existing.metadata?.ownerReferences, opts);
  if (deepEqual(want, existing.metadata?.ownerReferences ?? [])) return existing;
  return guardedMergePatch(spoke, ref, existing, { metadata: { ownerReferences: want } });
}

export function strategyOf(config: ManifestConfigT | undefined): Strategy {
  return config?.updateStrategy?.type ?? 'Update';
}

/** Applies `desired` (already cleaned of uid) to the spoke; throws the API's error on failure. */
export async function applyManifest(spoke: KubeClient, discovery: Discovery, desired: KubeObject, opts: ApplyOptions): Promise<Applied> {
  const found = await discovery.resolve(desired.apiVersion ?? '', desired.kind ?? '');
  const name = desired.metadata?.name;
  if (!name) throw new Error('the manifest has no metadata.name');
  const namespace = found.namespaced ? desired.metadata?.namespace : undefined;
  if (found.namespaced && !namespace) throw new Error(`${desired.kind} ${name} is namespaced but the manifest names no namespace`);
  const ref = { group: found.group, version: found.version, resource: found.resource, namespace, name };
  const path = resourcePath(ref);
  const strategy = strategyOf(opts.config);
  const done = (obj: KubeObject): Applied => ({ ref, namespaced: found.namespaced, obj, strategy });

  if (strategy === 'ServerSideApply') {
    const ssa = opts.config?.updateStrategy?.serverSideApply;
    const apply = async (obj: KubeObject) =>
      done(await spoke.patch(path, withOwner(obj, opts), 'apply', { fieldManager: ssa?.fieldManager ?? FIELD_MANAGER.work, force: ssa?.force ?? false }));
    const ignore = ssa?.ignoreFields ?? [];
    if (ignore.length === 0) return apply(desired);
    const bad = ignoreFieldsError(ignore);
    if (bad) throw new Error(bad);
    const stripped = withoutIgnored(desired, ignore);
    const hash = specHash(stripped);
    const existing = await getOrUndefined(spoke, path);
    if (!existing) return apply(withHash(desired, hash));
    if (existing.metadata?.annotations?.[SPEC_HASH_ANNOTATION] === hash) return done(await ensureOwner(spoke, ref, existing, opts));
    return apply(withHash(stripped, hash));
  }
  if (opts.likelyAbsent && strategy !== 'ReadOnly') {
    try {
      return done(await spoke.create(resourcePath({ ...ref, name: undefined }), withOwner(desired, opts)));
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }
  const existing = await getOrUndefined(spoke, path);
  if (strategy === 'ReadOnly') {
    if (!existing) throw new Error(`${desired.kind} ${namespace ? `${namespace}/` : ''}${name} does not exist (ReadOnly never creates)`);
    return done(existing);
  }
  if (!existing) return done(await spoke.create(resourcePath({ ...ref, name: undefined }), withOwner(desired, opts)));
  if (strategy === 'CreateOnly') return done(await ensureOwner(spoke, ref, existing, opts));
  if (!needsUpdate(desired, existing, opts)) return done(existing);
  const e = existing.metadata ?? {};
  const d = desired.metadata ?? {};
  const body: KubeObject = {
    ...desired,
    metadata: {
      ...e,
      labels: { ...(e.labels ?? {}), ...(d.labels ?? {}) },
      annotations: { ...(e.annotations ?? {}), ...(d.annotations ?? {}) },
      ownerReferences: ownerRefsFor(e.ownerReferences, opts),
    },
  };
  if (existing.status !== undefined) body.status = existing.status;
  return done(await spoke.replace(path, body));
}
