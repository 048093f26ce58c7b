/**
 * `ocmadm delete work NAME --clusters a,b`: deletes the ManifestWork NAME from each cluster's
 * namespace on the hub. Every work must exist before any is deleted (nothing half-done). With
 * --wait it watches until each is gone, which the work agent allows only once it has removed
 * the applied resources on its spoke (its finalizer).
 */
import { CliError, InterruptedError } from '../../../cli/errors.js';
import type { KubeClient } from '../../../kube/client.js';
import { isNotFound } from '../../../kube/errors.js';
import { DRY_RUN_DELETE, getOrUndefined, resourcePath } from '../../../kube/resources.js';
import { MANIFEST_WORKS } from '../../../api/index.js';
import { waitForObject } from '../../../cli/wait.js';
import type { DeleteWorkOptions } from './options.js';

export interface DeleteWorkResult {
  name: string;
  dryRun: boolean;
  clusters: { cluster: string; change: 'deleted' | 'would-delete'; gone?: boolean }[];
}

export interface DeleteWorkDeps {
  hub: KubeClient;
  deadline: number;
  signal?: AbortSignal;
}

const workRef = (cluster: string, name: string) => ({ ...MANIFEST_WORKS, namespace: cluster, name });

export async function runDeleteWork(o: DeleteWorkOptions, d: DeleteWorkDeps): Promise<DeleteWorkResult> {
  const found = await Promise.all(o.clusters.map((c) => getOrUndefined(d.hub, resourcePath(workRef(c, o.name)))));
  const missing = o.clusters.filter((_, i) => !found[i]);
  if (missing.length) throw new CliError(`no ManifestWork ${o.name} in cluster ${missing.join(', ')} (ocmadm get works lists them); nothing was deleted`);
  const result: DeleteWorkResult = { name: o.name, dryRun: o.dryRun, clusters: [] };
  for (const c of o.clusters) {
    try {
      await d.hub.delete(resourcePath(workRef(c, o.name)), o.dryRun ? DRY_RUN_DELETE : undefined);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    result.clusters.push({ cluster: c, change: o.dryRun ? 'would-delete' : 'deleted' });
  }
  if (!o.wait || o.dryRun) return result;
  for (const r of result.clusters) {
    try {
      await waitForObject(d.hub, workRef(r.cluster, o.name), (w) => !w, { deadline: d.deadline, signal: d.signal, what: `ManifestWork ${r.cluster}/${o.name} to be removed` });
      r.gone = true;
    } catch (err) {
      if (err instanceof InterruptedError || !(err instanceof CliError)) throw err;
      r.gone = false;
    }
  }
  return result;
}
