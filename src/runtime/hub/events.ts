/**
 * Kubernetes Events the hub emits about a ManagedCluster, in the cluster's namespace (as OCM's
 * recorder does). Best effort: an event that cannot be written is logged, never retried.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../core/types.js';
import type { KubeClient } from '../../kube/client.js';
import { TYPE, type ManagedCluster } from '../../api/index.js';
import { microTime } from '../core/leader.js';

export interface ClusterEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  note: string;
}

export async function recordClusterEvent(
  client: KubeClient,
  log: Logger,
  controller: string,
  cluster: ManagedCluster,
  ev: ClusterEvent,
  now: Date,
): Promise<void> {
  const c = cluster.metadata.name!;
  const body = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: `${c}.${randomBytes(8).toString('hex')}`, namespace: c },
    eventTime: microTime(now),
    type: ev.type,
    reason: ev.reason,
    action: ev.reason,
    note: ev.note,
    reportingController: 'ocmadm-hub-controller',
    reportingInstance: controller,
    // The API server wants regarding.namespace == the event's namespace, as OCM also sets it.
    regarding: { ...TYPE.managedCluster, name: c, namespace: c, uid: cluster.metadata.uid },
  };
  try {
    await client.create(`/apis/events.k8s.io/v1/namespaces/${encodeURIComponent(c)}/events`, body);
  } catch (err) {
    log.debug('could not record event', { cluster: c, reason: ev.reason, error: (err as Error).message });
  }
}
