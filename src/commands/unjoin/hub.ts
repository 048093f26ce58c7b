/**
 * unjoin --hub-kubeconfig/--hub-context: checked before the spoke is touched (reachable, OCM
 * installed, allowed to delete the ManagedCluster, and the ManagedCluster is this spoke's and not
 * another one's of the same name), then, after the spoke is clean, the ManagedCluster is deleted
 * and waited on until the hub controller has finished its cleanup (works, RBAC, finalizers).
 */
import type { KubeClient, KubeObject } from '../../kube/client.js';
import { CliError } from '../../cli/errors.js';
import { describeError, isUnauthorized, isUnreachable } from '../../kube/errors.js';
import { resourcePath } from '../../kube/resources.js';
import { MANAGED_CLUSTERS, MANIFEST_WORKS, type ManagedCluster } from '../../api/index.js';
import { COND, FINALIZER, GROUP } from '../../api/names.js';
import { checkOcmApis, getManagedCluster, missingPermissions, whoAmI, type AccessCheck } from '../shared/hub.js';
import type { Progress } from '../../ui/progress.js';
import { registeredElsewhere } from '../join/preflight.js';
import { deleteRef, dropFinalizers, waitGone } from './ops.js';
import type { Ref } from './plan.js';

export interface HubCheck {
  client: KubeClient;
  cluster: string;
  mc?: ManagedCluster;
  describe(): { server: string; managedCluster: 'present' | 'absent' };
}

export interface HubOutcome {
  server: string;
  managedCluster: 'present' | 'absent';
  outcome: 'deleted' | 'absent' | 'left' | 'would-delete';
  detail?: string;
  /** ManifestWorks whose work-agent finalizer unjoin removed (their spoke side was already cleaned). */
  releasedWorks?: string[];
  seconds?: number;
  warnings?: string[];
}

const needs = (cluster: string): AccessCheck[] => [
  { group: GROUP.cluster, resource: 'managedclusters', verb: 'delete', name: cluster, what: `delete ManagedCluster ${cluster}` },
  { group: GROUP.work, resource: 'manifestworks', verb: 'list', namespace: cluster, what: `list ManifestWorks in ${cluster}` },
  { group: GROUP.work, resource: 'manifestworks', verb: 'patch', namespace: cluster, what: `patch ManifestWorks in ${cluster}` },
];

export async function checkHubForUnjoin(hub: KubeClient, cluster: string, spokeServer: string, spokeCaPem?: string): Promise<HubCheck> {
  try {
    await checkOcmApis(hub);
  } catch (err) {
    if (isUnreachable(err)) throw new CliError(`cannot reach the hub (--hub-kubeconfig/--hub-context): ${describeError(err)}`);
    if (isUnauthorized(err)) throw new CliError(`the hub ${hub.server} rejected the credentials of --hub-kubeconfig/--hub-context (401)`);
    throw err;
  }
  const missing = await missingPermissions(hub, needs(cluster));
  if (missing.length) {
    const me = await whoAmI(hub).catch(() => undefined);
    throw new CliError(`${me?.username ?? 'this identity'} may not ${missing.map((m) => m.what).join(', ')} on the hub ${hub.server}: pass a hub administrator's kubeconfig, or drop --hub-kubeconfig/--hub-context to unjoin the spoke only`);
  }
  const mc = await getManagedCluster(hub, cluster);
  const elsewhere = mc ? registeredElsewhere(mc, spokeServer, spokeCaPem) : undefined;
  if (elsewhere) {
    throw new CliError(
      `ManagedCluster ${cluster} on the hub ${hub.server} belongs to another spoke (API server ${elsewhere}; this spoke is ${spokeServer}): not deleting it; check --cluster-name and the hub, or drop --hub-kubeconfig/--hub-context`,
    );
  }
  return { client: hub, cluster, mc, describe: () => ({ server: hub.server, managedCluster: mc ? 'present' : 'absent' }) };
}

const deletingMessage = (mc: ManagedCluster | undefined) => mc?.status?.conditions?.find((c) => c.type === COND.cluster.deleting)?.message;

export async function finishOnHub(
  check: HubCheck,
  o: { spokeClean: boolean; deadline: number; signal?: AbortSignal; progress: Progress },
): Promise<HubOutcome> {
  const t0 = Date.now();
  const base = check.describe();
  if (!check.mc) return { ...base, outcome: 'absent', detail: 'no such ManagedCluster on the hub' };
  const hub = check.client;
  const ref: Ref = { ...MANAGED_CLUSTERS, name: check.cluster };
  const warnings: string[] = [];
  const released: string[] = [];
  try {
    // The work agent's finalizer on each ManifestWork is its promise to clean the spoke side; that
    // agent is gone and its AppliedManifestWorks are handled, so the promise is kept: drop it.
    if (o.spokeClean) {
      const works = await hub.list<KubeObject>(resourcePath({ ...MANIFEST_WORKS, namespace: check.cluster }));
      for (const w of works.items.filter((x) => x.metadata?.finalizers?.includes(FINALIZER.manifestWorkCleanup))) {
        await dropFinalizers(hub, { ...MANIFEST_WORKS, namespace: check.cluster, name: w.metadata!.name! }, [FINALIZER.manifestWorkCleanup]);
        released.push(w.metadata!.name!);
      }
      if (released.length) warnings.push(`removed the work agent's finalizer from ManifestWorks ${released.join(', ')} in ${check.cluster}: their spoke side is already cleaned up`);
    }
    o.progress.start(`deleting ManagedCluster ${check.cluster} on the hub and waiting for its cleanup`);
    if ((await deleteRef(hub, ref)) === 'absent') return { ...base, outcome: 'absent', releasedWorks: released, warnings };
    if (await waitGone(hub, ref, o.deadline, o.signal)) {
      return { ...base, outcome: 'deleted', releasedWorks: released, seconds: Math.round((Date.now() - t0) / 100) / 10, warnings };
    }
    const mc = await getManagedCluster(hub, check.cluster);
    const why = deletingMessage(mc) ?? `finalizers ${(mc?.metadata?.finalizers ?? []).join(', ') || 'none'}`;
    return { ...base, outcome: 'left', detail: `still deleting at the deadline (${why}); is the hub controller running?`, releasedWorks: released, warnings };
  } catch (err) {
    return { ...base, outcome: 'left', detail: describeError(err), releasedWorks: released, warnings };
  }
}
