/**
 * `deploy --wait`: watches the deployment's ManifestWorks on the hub (no polling) until every
 * cluster is Applied and Available or failed to apply, reporting each change as it happens. A
 * deadline ends the wait with the last state seen, so the result can name the clusters that
 * did not finish.
 */
import { waitForList, waitForObject } from '../../cli/wait.js';
import type { CommandContext } from '../../cli/context.js';
import { CliError, InterruptedError } from '../../cli/errors.js';
import type { KubeClient, KubeObject } from '../../kube/client.js';
import { resourcePath } from '../../kube/resources.js';
import { MANIFEST_WORKS, PLACEMENTS, type ManifestWork } from '../../api/index.js';
import { COND, LABEL } from '../../api/names.js';
import type { DeployOptions } from './options.js';
import { deploySelector } from './run.js';
import { clusterStatus, settled, type ClusterStatus } from './status.js';

export interface WaitOutcome {
  statuses: ClusterStatus[];
  /** Clusters expected but without a settled status at the deadline. */
  timedOut: string[];
}

interface PlacementStatus extends KubeObject {
  status?: { numberOfSelectedClusters?: number; conditions?: { type: string; status: string; observedGeneration?: number }[] };
}

/** How many clusters the placement selected, once it has decided for its current spec. */
async function selectedCount(client: KubeClient, opts: DeployOptions, placement: string, deadline: number, signal: AbortSignal): Promise<number> {
  const decided = (p: PlacementStatus | undefined) =>
    // A condition without observedGeneration is taken as current (not every controller sets it).
    !!p?.status?.conditions?.some((c) => c.type === COND.placement.satisfied && (c.observedGeneration === undefined || c.observedGeneration >= (p.metadata?.generation ?? 0))) &&
    p.status.numberOfSelectedClusters !== undefined;
  const p = await waitForObject<PlacementStatus>(client, { ...PLACEMENTS, namespace: opts.namespace, name: placement }, decided, {
    deadline,
    signal,
    what: `Placement ${opts.namespace}/${placement} to decide`,
  });
  return p!.status!.numberOfSelectedClusters!;
}

export async function waitForWorks(ctx: CommandContext, client: KubeClient, opts: DeployOptions, clusters: string[]): Promise<WaitOutcome> {
  const deadline = ctx.deadline();
  const target = opts.target!;
  const selector = target.mode === 'clusters' ? deploySelector(opts.name) : `${LABEL.mwrs}=${opts.namespace}.${opts.name}`;
  const expected = target.mode === 'clusters' ? clusters.length : await selectedCount(client, opts, target.placement, deadline, ctx.signal);
  const seen = new Map<string, string>();
  let last: ClusterStatus[] = [];
  const report = (statuses: ClusterStatus[]) => {
    for (const s of statuses) {
      const line = `${s.applied}/${s.available}/${s.message}`;
      if (seen.get(s.cluster) === line) continue;
      seen.set(s.cluster, line);
      const state = s.applied === 'False' ? `failed: ${s.message}` : s.available === 'True' ? 'applied and available' : s.applied === 'True' ? 'applied, waiting to be available' : 'waiting for the agent';
      ctx.progress.info(`${s.cluster}: ${state}`);
    }
    const done = statuses.filter(settled).length;
    ctx.progress.start(`Waiting for ${opts.name}: ${done}/${expected} clusters done`);
  };
  const relevant = (w: ManifestWork) => target.mode !== 'clusters' || clusters.includes(w.metadata?.namespace ?? '');
  try {
    await waitForList<ManifestWork>(
      client,
      resourcePath(MANIFEST_WORKS),
      (items) => {
        last = items.filter(relevant).map(clusterStatus).sort((a, b) => a.cluster.localeCompare(b.cluster));
        report(last);
        return last.length >= expected && last.every(settled);
      },
      { labelSelector: selector, deadline, signal: ctx.signal, what: `${opts.name} on ${expected} clusters` },
    );
  } catch (err) {
    if (err instanceof InterruptedError || !(err instanceof CliError)) throw err;
  } finally {
    ctx.progress.stop();
  }
  const timedOut = [
    ...last.filter((s) => !settled(s)).map((s) => s.cluster),
    ...(target.mode === 'clusters' ? clusters.filter((c) => !last.some((s) => s.cluster === c)) : []),
  ];
  if (target.mode !== 'clusters' && last.length < expected) timedOut.push(`${expected - last.length} selected cluster(s) without a work yet`);
  return { statuses: last, timedOut };
}
