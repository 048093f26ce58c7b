/**
 * AppliedManifestWorks on the spoke, handled by unjoin itself because the agent that would
 * finish them is stopped first. For each resource in status.appliedResources, the work agent's
 * rule (ocm-protocol.md §3): delete it (Background, UID precondition) when this AppliedManifestWork
 * is its only owner; remove only our ownerRef when another owner shares it; keep it when the
 * ownerRef is gone already (the ManifestWork's delete option orphaned it). --orphan-workloads
 * removes our ownerRef everywhere, so nothing is deleted (not even by the garbage collector).
 */
import { createHash } from 'node:crypto';
import type { KubeClient, KubeObject, OwnerReference } from '../../kube/client.js';
import { isConflict, isNotFound, KubeApiError } from '../../kube/errors.js';
import { resourcePath, type ResourceRef } from '../../kube/resources.js';
import { APPLIED_MANIFEST_WORKS, type AppliedManifestWork } from '../../api/index.js';

export type ResourceAction = 'delete' | 'release' | 'orphan' | 'keep' | 'gone';

export interface AppliedResourcePlan {
  ref: ResourceRef & { name: string };
  uid?: string;
  label: string;
  action: ResourceAction;
  why: string;
}

export interface AppliedWorkPlan {
  name: string;
  uid: string;
  finalizers: string[];
  resources: AppliedResourcePlan[];
}

type AppliedResource = NonNullable<NonNullable<AppliedManifestWork['status']>['appliedResources']>[number];

/** `hubHash` as the work agent computes it: lowercase hex sha256 of the hub server URL as written. */
export const hubHash = (server: string) => createHash('sha256').update(server).digest('hex');

export function resourceLabel(r: Pick<AppliedResource, 'group' | 'resource' | 'namespace' | 'name'>): string {
  const kind = r.group ? `${r.resource}.${r.group}` : r.resource;
  return `${kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}

/** What to do with one applied resource, from its live object (pure). */
export function decideResource(live: KubeObject | undefined, expectedUid: string | undefined, workUid: string, orphan: boolean): { action: ResourceAction; why: string } {
  if (!live || (expectedUid && live.metadata?.uid !== expectedUid)) return { action: 'gone', why: 'already gone' };
  const owners = live.metadata?.ownerReferences ?? [];
  if (!owners.some((o) => o.uid === workUid)) return { action: 'keep', why: 'orphaned by its ManifestWork delete option' };
  if (orphan) return { action: 'orphan', why: '--orphan-workloads: owner reference removed, resource kept' };
  if (owners.some((o) => o.uid !== workUid)) return { action: 'release', why: 'another owner shares it: only this owner reference removed' };
  return { action: 'delete', why: 'owned by this work only' };
}

export async function getLive(client: KubeClient, ref: ResourceRef): Promise<KubeObject | undefined> {
  try {
    return await client.get(resourcePath(ref));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Lists the AppliedManifestWorks of this klusterlet's hub (all of them when the hub is unknown) and plans each resource. */
export async function planAppliedWorks(
  spoke: KubeClient,
  hubServers: string[],
  orphan: boolean,
): Promise<{ works: AppliedWorkPlan[]; foreign: string[] }> {
  let items: AppliedManifestWork[];
  try {
    items = (await spoke.list<AppliedManifestWork>(resourcePath(APPLIED_MANIFEST_WORKS))).items;
  } catch (err) {
    if (isNotFound(err)) return { works: [], foreign: [] }; // CRD not installed
    throw err;
  }
  const hashes = new Set(hubServers.map(hubHash));
  const works: AppliedWorkPlan[] = [];
  const foreign: string[] = [];
  for (const w of items) {
    const name = w.metadata?.name ?? '';
    if (hashes.size > 0 && w.spec?.hubHash && !hashes.has(w.spec.hubHash)) {
      foreign.push(name);
      continue;
    }
    const uid = w.metadata?.uid ?? '';
    const resources: AppliedResourcePlan[] = [];
    for (const r of w.status?.appliedResources ?? []) {
      const ref = { group: r.group ?? '', version: r.version, resource: r.resource, namespace: r.namespace || undefined, name: r.name };
      const live = await getLive(spoke, ref);
      resources.push({ ref, uid: r.uid, label: resourceLabel(r), ...decideResource(live, r.uid, uid, orphan) });
    }
    works.push({ name, uid, finalizers: w.metadata?.finalizers ?? [], resources });
  }
  return { works, foreign };
}

/** Removes the owner reference to `workUid` (guarded by resourceVersion: a concurrent change retries). */
export async function removeOwnerRef(client: KubeClient, ref: ResourceRef, workUid: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const live = await getLive(client, ref);
    const owners = live?.metadata?.ownerReferences;
    if (!live || !owners?.some((o) => o.uid === workUid)) return;
    const rest: OwnerReference[] = owners.filter((o) => o.uid !== workUid);
    try {
      await client.patch(resourcePath(ref), { metadata: { resourceVersion: live.metadata?.resourceVersion, ownerReferences: rest.length ? rest : null } }, 'merge');
      return;
    } catch (err) {
      if (attempt >= 4 || !isConflict(err)) throw err;
    }
  }
}

/** Deletes with Background propagation and a UID precondition (never a same-named successor). */
export async function deleteResource(client: KubeClient, ref: ResourceRef, uid?: string): Promise<void> {
  const body = { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background', ...(uid ? { preconditions: { uid } } : {}) };
  try {
    await client.delete(resourcePath(ref), body);
  } catch (err) {
    if (isNotFound(err) || (err instanceof KubeApiError && err.status === 409)) return; // gone, or a successor with another UID
    throw err;
  }
}
