import type { KubeClient } from '../kube/client.js';
import { resourcePath } from '../kube/resources.js';
import { NODES } from '../kube/core.js';

/**
 * A Node as a plain API object: there is no kubelet, but status code that sums node capacity
 * (e.g. ManagedCluster status) needs something to read. Created by the admin, status written
 * through the status subresource (a create ignores status).
 */
export interface NodeCapacity {
  cpu: string;
  memory: string;
  pods: string;
}

export const DEFAULT_NODE_CAPACITY: NodeCapacity = { cpu: '4', memory: '8Gi', pods: '110' };

export async function createNode(client: KubeClient, name: string, version: string, capacity = DEFAULT_NODE_CAPACITY): Promise<void> {
  await client.create(resourcePath(NODES), {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'ocmadm.io/sandbox': 'true' },
    },
  });
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const resources = { cpu: capacity.cpu, memory: capacity.memory, pods: capacity.pods };
  await client.patch(resourcePath({ ...NODES, name, subresource: 'status' }), {
    status: {
      capacity: resources,
      allocatable: resources,
      conditions: [
        { type: 'Ready', status: 'True', reason: 'SandboxReady', message: 'sandbox node (no kubelet)', lastHeartbeatTime: now, lastTransitionTime: now },
      ],
      addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: name }],
      nodeInfo: {
        machineID: '',
        systemUUID: '',
        bootID: '',
        kernelVersion: '',
        osImage: 'ocmadm sandbox',
        containerRuntimeVersion: '',
        kubeletVersion: version,
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  });
}
