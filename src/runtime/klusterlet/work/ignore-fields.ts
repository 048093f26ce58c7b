/**
 * ServerSideApply `ignoreFields`, as OCM's work agent: the manifest is hashed with the fields of
 * every `OnSpokePresent` entry removed, and the hash is stamped on the resource
 * (open-cluster-management.io/config-spec-hash). A resource whose stamp equals the hash is not
 * applied again (only our ownerRef is kept right), so a spoke-side change of any field lasts
 * until the work itself changes. When it does, the apply leaves out the `OnSpokePresent` fields
 * (what the spoke has there stays) and includes the `OnSpokeChange` ones (they are set again).
 * A missing resource is created whole. jsonPaths are dotted paths (`.spec.replicas`,
 * `.spec.template.spec.containers[*].image`); jsonPointers are RFC 6901. jqPathExpressions need a
 * jq engine ocmadm does not have: such a manifest fails to apply and says so.
 */
import { createHash } from 'node:crypto';
import type { KubeObject } from '../../../kube/client.js';
import type { ManifestConfigT } from '../../../api/work.js';

export const SPEC_HASH_ANNOTATION = 'open-cluster-management.io/config-spec-hash';

type IgnoreField = NonNullable<NonNullable<NonNullable<ManifestConfigT['updateStrategy']>['serverSideApply']>['ignoreFields']>[number];

type Json = Record<string, unknown> | unknown[];

/** `.a.b[*].c` → ['a', 'b', '*', 'c']; a bad path is an error naming it. */
export function parseJsonPath(path: string): string[] {
  const body = path.trim().replace(/^\{(.*)\}$/, '$1').replace(/^\$/, '').replace(/^\./, '');
  if (!body) throw new Error(`ignoreFields jsonPath "${path}" is empty`);
  const out: string[] = [];
  for (const part of body.split('.')) {
    const m = /^([^[\]]*)((?:\[(?:\*|\d+)\])*)$/.exec(part);
    if (!m || (!m[1] && !m[2])) throw new Error(`ignoreFields jsonPath "${path}" is not a dotted path (at "${part}")`);
    if (m[1]) out.push(m[1]);
    for (const idx of m[2]!.matchAll(/\[(\*|\d+)\]/g)) out.push(idx[1]!);
  }
  return out;
}

/** Removes the field at `keys` under `node` (every element for `*`); absent paths are no-ops. */
function removeAt(node: unknown, keys: readonly string[]): void {
  if (!node || typeof node !== 'object' || keys.length === 0) return;
  const [key, ...rest] = keys as [string, ...string[]];
  const children = Array.isArray(node) ? (key === '*' ? node : /^\d+$/.test(key) ? [node[Number(key)]] : []) : key === '*' ? Object.values(node) : undefined;
  if (rest.length === 0) {
    // As OCM: only a key of a map is removed, never a list element.
    if (!Array.isArray(node) && key !== '*') delete (node as Record<string, unknown>)[key];
    return;
  }
  if (children) for (const c of children) removeAt(c, rest);
  else removeAt((node as Record<string, unknown>)[key], rest);
}

/** RFC 6901 pointer → keys ("" is the whole document, which cannot be removed). */
export function parseJsonPointer(pointer: string): string[] {
  if (!pointer.startsWith('/')) throw new Error(`ignoreFields jsonPointer "${pointer}" must start with "/"`);
  return pointer.slice(1).split('/').map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function removePointer(doc: Json, keys: readonly string[]): void {
  let node: unknown = doc;
  for (const k of keys.slice(0, -1)) {
    if (!node || typeof node !== 'object') return;
    node = Array.isArray(node) ? node[Number(k)] : (node as Record<string, unknown>)[k];
  }
  const last = keys[keys.length - 1]!;
  if (Array.isArray(node)) {
    if (/^\d+$/.test(last) && Number(last) < node.length) node.splice(Number(last), 1);
  } else if (node && typeof node === 'object') delete (node as Record<string, unknown>)[last];
}

/** Why the ignoreFields cannot be used, or undefined. */
export function ignoreFieldsError(fields: readonly IgnoreField[]): string | undefined {
  try {
    for (const f of fields) {
      if ((f.jqPathExpressions ?? []).length > 0) return 'ignoreFields jqPathExpressions are not supported by ocmadm (use jsonPaths or jsonPointers)';
      for (const p of f.jsonPaths ?? []) parseJsonPath(p);
      for (const p of f.jsonPointers ?? []) parseJsonPointer(p);
    }
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

/** A copy of `obj` without the fields of the `OnSpokePresent` entries. */
export function withoutIgnored(obj: KubeObject, fields: readonly IgnoreField[]): KubeObject {
  const copy = structuredClone(obj);
  for (const f of fields) {
    if ((f.condition ?? 'OnSpokePresent') !== 'OnSpokePresent') continue;
    for (const p of f.jsonPaths ?? []) removeAt(copy, parseJsonPath(p));
    for (const p of f.jsonPointers ?? []) removePointer(copy as Json, parseJsonPointer(p));
  }
  return copy;
}

/** JSON with sorted keys, so equal objects hash equally. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

export const specHash = (obj: KubeObject): string => createHash('sha256').update(canonical(obj)).digest('hex').slice(0, 32);

export function withHash(obj: KubeObject, hash: string): KubeObject {
  return { ...obj, metadata: { ...(obj.metadata ?? {}), annotations: { ...(obj.metadata?.annotations ?? {}), [SPEC_HASH_ANNOTATION]: hash } } };
}
