/**
 * `deploy NAME --delete`: removes what `deploy NAME` made (its ManifestWorkReplicaSet and the
 * Placement it created, or its ManifestWorks) and waits until every work is gone from the hub,
 * which the work agents allow only after cleaning up on their spokes (their finalizer).
 */
import type { CommandContext } from '../../cli/context.js';
import { CliError, InterruptedError } from '../../cli/errors.js';
import type { KubeClient, KubeObject } from '../../kube/client.js';
import { isNotFound } from '../../kube/errors.js';
import { resourcePath } from '../../kube/resources.js';
import { MANIFEST_WORKS, MANIFEST_WORK_REPLICA_SETS, PLACEMENTS } from '../../api/index.js';
import { LABEL } from '../../api/names.js';
import { waitForList } from '../../cli/wait.js';
import type { DeployOptions } from './options.js';
import { deploySelector } from './run.js';

export interface RemoveResult {
  removed: { kind: string; namespace: string; name: string }[];
  /** Clusters whose work was still on the hub at the deadline (its agent did not clean up). */
  left: string[];
}

const worksSelector = (opts: DeployOptions) => [deploySelector(opts.name), `${LABEL.mwrs}=${opts.namespace}.${opts.name}`];

async function listWorks(client: KubeClient, opts: DeployOptions): Promise<KubeObject[]> {
  const lists = await Promise.all(worksSelector(opts).map((labelSelector) => client.list(resourcePath(MANIFEST_WORKS), { labelSelector })));
  return lists.flatMap((l) => l.items);
}

async function deleteIfOurs(client: KubeClient, ref: { group: string; version: string; resource: string }, opts: DeployOptions, kind: string): Promise<RemoveResult['removed']> {
  const path = resourcePath({ ...ref, namespace: opts.namespace, name: opts.name });
  try {
    const o = await client.get(path);
    if (o.metadata?.labels?.[LABEL.deploy] !== opts.name) return [];
    await client.delete(path);
    return [{ kind, namespace: opts.namespace, name: opts.name }];
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
}

export async function removeDeployment(ctx: CommandContext, client: KubeClient, opts: DeployOptions): Promise<RemoveResult> {
  const works = await listWorks(client, opts);
  const removed: RemoveResult['removed'] = [];
  if (!opts.dryRun) {
    removed.push(...(await deleteIfOurs(client, MANIFEST_WORK_REPLICA_SETS, opts, 'ManifestWorkReplicaSet')));
    removed.push(...(await deleteIfOurs(client, PLACEMENTS, opts, 'Placement')));
  }
  // Works made by a replica set go with it; those made by name are deleted here.
  for (const w of works) {
    const name = { kind: 'ManifestWork', namespace: w.metadata!.namespace!, name: w.metadata!.name! };
    removed.push(name);
    if (opts.dryRun || w.metadata?.labels?.[LABEL.deploy] !== opts.name) continue;
    await client.delete(resourcePath({ ...MANIFEST_WORKS, namespace: name.namespace, name: name.name })).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  }
  if (!removed.length) throw new CliError(`nothing is deployed under the name ${opts.name}${opts.target?.mode === 'placement' ? ` in namespace ${opts.namespace}` : ''}`);
  if (opts.dryRun) return { removed, left: [] };
  ctx.progress.start(`Waiting for the spokes to remove ${opts.name}`);
  let remaining: KubeObject[] = works;
  try {
    for (const labelSelector of worksSelector(opts)) {
      await waitForList(client, resourcePath(MANIFEST_WORKS), (items) => ((remaining = items), items.length === 0), {
        labelSelector,
        deadline: ctx.deadline(),
        signal: ctx.signal,
        what: `the works of ${opts.name} to be removed`,
      });
    }
    remaining = [];
  } catch (err) {
    if (err instanceof InterruptedError || !(err instanceof CliError)) throw err;
  } finally {
    ctx.progress.stop();
  }
  return { removed, left: remaining.map((w) => w.metadata!.namespace!) };
}
