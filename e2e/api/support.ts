import type { KubeClient } from '../../src/kube/client.js';
import { adminClient } from '../support/clusters.js';

/** An admin client for the shared hub control plane started by global setup. */
export function hubAdmin(): Promise<KubeClient> {
  return adminClient('hub');
}
