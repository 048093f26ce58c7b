/**
 * Noticing acceptance at once. Until the hub accepts the cluster, the agent's certificate may not
 * read its own ManagedCluster (403), so the certificate's watch can only retry with backoff. The
 * bootstrap identity may watch ManagedClusters (as `clusteradm join --wait` does), so while the
 * cluster waits for acceptance this watches it with that identity and reports the moment
 * `HubAcceptedManagedCluster=True` appears. It gives up quietly when the bootstrap credentials no
 * longer work (401/403, e.g. an expired token); the certificate's own retries still get there.
 */
import type { KubeClient, KubeList } from '../../kube/client.js';
import { describeError, isForbidden, isGone, isUnauthorized } from '../../kube/errors.js';
import { resourcePath } from '../../kube/resources.js';
import { MANAGED_CLUSTERS, type ManagedCluster } from '../../api/index.js';
import { COND } from '../../api/names.js';
import { backoffDelay } from '../core/backoff.js';
import { sleep } from '../core/clock.js';
import { isTrue, type Condition } from '../core/conditions.js';
import type { Logger } from '../core/types.js';

const accepted = (mc: ManagedCluster | undefined) => !!mc && isTrue(mc.status?.conditions as Condition[] | undefined, COND.cluster.hubAccepted);

/** Resolves true once the cluster is accepted; false when stopped or the identity is refused. */
export async function watchForAcceptance(client: KubeClient, cluster: string, signal: AbortSignal, log: Logger): Promise<boolean> {
  const collection = resourcePath(MANAGED_CLUSTERS);
  const fieldSelector = `metadata.name=${cluster}`;
  for (let failures = 0; !signal.aborted; ) {
    const seen = new AbortController();
    const stop = AbortSignal.any([signal, seen.signal]);
    let found = false;
    try {
      const list = await client.request<KubeList<ManagedCluster>>('GET', collection, { query: { fieldSelector }, signal });
      if (accepted(list.items[0])) return true;
      // KubeClient.watch only listens for a *coming* abort: never start one on a stopped signal.
      if (signal.aborted) return false;
      failures = 0;
      await client.watch<ManagedCluster>(
        collection,
        { fieldSelector, resourceVersion: list.metadata.resourceVersion, timeoutSeconds: 300 },
        (ev) => {
          if (ev.type !== 'BOOKMARK' && ev.type !== 'DELETED' && accepted(ev.object)) {
            found = true;
            seen.abort();
          }
        },
        { signal: stop },
      );
      if (found) return true;
    } catch (err) {
      if (found) return true;
      if (signal.aborted) return false;
      if (isUnauthorized(err) || isForbidden(err)) {
        log.debug('the bootstrap identity can no longer watch the cluster; acceptance is noticed by the certificate alone', { error: describeError(err) });
        return false;
      }
      if (!isGone(err)) await sleep(backoffDelay(++failures, { initialMs: 1000, maxMs: 30_000, jitter: 0.2 }), signal);
    }
  }
  return false;
}
