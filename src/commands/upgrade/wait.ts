/**
 * upgrade --wait: the Deployment rolled out, every pod of the selector runs the new bundle and is
 * Ready and no old pod is left (not even terminating); on a hub, a new pod holds the leader
 * Lease. A new pod that cannot start ends the wait with its own reason.
 */
import { resourcePath } from '../../kube/resources.js';
import { waitForList, waitForObject } from '../../cli/wait.js';
import { ANNOTATION } from '../../bundle/index.js';
import { waitRolledOut, withPodTrouble, type Pod } from '../../bundle/pods.js';
import { LEASE_REF } from '../../install/hub/runtime.js';
import type { Target } from './targets.js';
import { PODS, type Lease } from '../../kube/core.js';

const isReady = (p: Pod) => !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

/** Pure: the pods are exactly `replicas` pods of the bundle `sha256`, all Ready, none terminating. */
export function rolledTo(pods: Pod[], sha256: string, replicas: number): boolean {
  return pods.length === replicas && pods.every((p) => p.metadata?.annotations?.[ANNOTATION.sha256] === sha256 && !p.metadata?.deletionTimestamp && isReady(p));
}

export interface Rolled {
  pods: string[];
  /** The hub: the new pod holding the leader Lease. */
  leader?: string;
}

export async function waitRolled(t: Target, deadline: number, signal: AbortSignal): Promise<Rolled> {
  const w = { labelSelector: t.podSelector, what: t.what, deadline, signal };
  const d = await waitRolledOut(t.client, t.namespace, t.deploymentName, w);
  const replicas = (d.spec as { replicas?: number } | undefined)?.replicas ?? 1;
  return withPodTrouble(t.client, { ...w, namespace: t.namespace, deployment: t.deploymentName }, async (sig) => {
    const pods = await waitForList<Pod>(t.client, resourcePath({ ...PODS, namespace: t.namespace }), (items) => rolledTo(items, t.bundle.sha256, replicas), {
      labelSelector: t.podSelector,
      deadline,
      signal: sig,
      what: `${t.what}'s pods to run ${t.bundle.version} with no old pod left`,
    });
    const names = pods.map((p) => p.metadata!.name!).sort();
    if (t.kind !== 'hub-controller') return { pods: names };
    const lease = await waitForObject<Lease>(t.client, LEASE_REF, (l) => names.includes(l?.spec?.holderIdentity ?? ''), {
      deadline,
      signal: sig,
      what: `a new hub controller pod to hold Lease ${LEASE_REF.namespace}/${LEASE_REF.name}`,
    });
    return { pods: names, leader: lease!.spec!.holderIdentity! };
  });
}
