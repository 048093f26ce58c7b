/**
 * The two writes the core patch helpers do not cover: server-side apply of the objects the hub
 * owns outright (namespace, agent RBAC), and deletes that treat "already gone" as done. Guarded
 * merge patches, /status and finalizers go through core/patch.ts.
 */
import type { KubeClient, KubeObject } from '../../kube/client.js';
import { resourcePath } from '../../kube/resources.js';
import { FIELD_MANAGER } from '../../api/names.js';
import { objectRef, type TargetRef } from '../core/patch.js';

/** Server-side apply as the hub controller, taking ownership of conflicting fields. */
export function applyOwned<T extends KubeObject>(client: KubeClient, coll: TargetRef, obj: T): Promise<T> {
  return client.patch<T>(resourcePath(objectRef(coll, obj)), obj, 'apply', { fieldManager: FIELD_MANAGER.hub, force: true });
}

// One delete-if-present for the whole tree (src/kube/resources.ts); re-exported for the hub's controllers.
export { deleteIfPresent } from '../../kube/resources.js';

/** The finalizer list without `fs`. */
export const withoutFinalizers = (list: string[] | undefined, ...fs: string[]): string[] => (list ?? []).filter((x) => !fs.includes(x));
