/**
 * Deleting objects and waiting (by watch) until they are gone, reporting what outlives the
 * deadline instead of failing on the first one; and removing finalizers nobody will process.
 */
import type { KubeClient, KubeObject } from '../../kube/client.js';
import { describeError, isNotFound } from '../../kube/errors.js';
import { resourcePath } from '../../kube/resources.js';
import { waitForObject } from '../../kube/wait.js';
import { InterruptedError } from '../../cli/errors.js';
import { describeObject, objectRef, refOf, type ObjectRef } from './kinds.js';

export interface Leftover {
  ref: ObjectRef;
  reason: string;
}

/** Deletes every object (in parallel) and waits for each to be gone; returns the ones still there. */
export async function deleteAndWait(client: KubeClient, objects: KubeObject[], deadline: number, signal: AbortSignal): Promise<Leftover[]> {
  const results = await Promise.all(
    objects.map(async (o): Promise<Leftover | undefined> => {
      const ref = refOf(o);
      try {
        await client.delete(resourcePath(ref), { propagationPolicy: 'Background' });
      } catch (err) {
        if (isNotFound(err)) return undefined;
        return { ref: objectRef(o), reason: `delete failed: ${describeError(err)}` };
      }
      try {
        await waitForObject(client, ref, (live) => live === undefined, { deadline, signal, what: `${describeObject(o)} to be deleted` });
        return undefined;
      } catch (err) {
        if (err instanceof InterruptedError) throw err;
        return { ref: objectRef(o), reason: `still there at the deadline (${describeError(err)})` };
      }
    }),
  );
  return results.filter((l): l is Leftover => !!l);
}

/** Empties the finalizers of each object (custom resources carry `_plural` from the inventory). */
export async function stripFinalizers(client: KubeClient, objects: KubeObject[]): Promise<ObjectRef[]> {
  const done: ObjectRef[] = [];
  for (const o of objects) {
    const path = objectPath(o);
    try {
      await client.patch(path, { metadata: { finalizers: null } }, 'merge');
      done.push(objectRef(o));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return done;
}

function objectPath(o: KubeObject & { _plural?: string }): string {
  if (!o._plural) return resourcePath(refOf(o));
  const [group, version] = (o.apiVersion ?? '').split('/') as [string, string];
  return resourcePath({ group, version, resource: o._plural, namespace: o.metadata?.namespace, name: o.metadata!.name! });
}
