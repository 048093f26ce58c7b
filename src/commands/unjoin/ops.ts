/** The few API moves unjoin repeats: delete (absent is fine), wait until gone, drop finalizers. */
import type { KubeClient } from '../../kube/client.js';
import { isNotFound } from '../../kube/errors.js';
import { resourcePath } from '../../kube/resources.js';
import { waitForObject } from '../../cli/wait.js';
import { CliError } from '../../cli/errors.js';
import type { Ref } from './plan.js';

const gone = (o: unknown) => o === undefined;

/** Watches until the object is gone; false at the deadline (never throws for a timeout). */
export async function waitGone(client: KubeClient, ref: Ref, deadline: number, signal?: AbortSignal): Promise<boolean> {
  try {
    await waitForObject(client, ref, gone, { deadline, signal, what: `${ref.resource} ${ref.name} to be deleted` });
    return true;
  } catch (err) {
    if (err instanceof CliError && err.exitCode === 1) return false;
    throw err;
  }
}

export async function deleteRef(client: KubeClient, ref: Ref): Promise<'deleted' | 'absent'> {
  try {
    await client.delete(resourcePath(ref), { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' });
    return 'deleted';
  } catch (err) {
    if (isNotFound(err)) return 'absent';
    throw err;
  }
}

/** Drops `names` (or all, when undefined) from the object's finalizers, guarded by resourceVersion. */
export async function dropFinalizers(client: KubeClient, ref: Ref, names?: string[]): Promise<string[]> {
  const live = await client.get(resourcePath(ref)).catch((err: unknown) => (isNotFound(err) ? undefined : Promise.reject(err)));
  const current = live?.metadata?.finalizers ?? [];
  const keep = names ? current.filter((f) => !names.includes(f)) : [];
  if (!live || keep.length === current.length) return [];
  await client.patch(resourcePath(ref), { metadata: { resourceVersion: live.metadata?.resourceVersion, finalizers: keep.length ? keep : null } }, 'merge');
  return current.filter((f) => !keep.includes(f));
}
