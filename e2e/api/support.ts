import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../src/kube/client.js';

/**
 * An admin client for the hub control plane.
 * TEMPORARY: reads OCMADM_E2E_HUB_KUBECONFIG until the harness's e2e/support/clusters.ts lands;
 * then this becomes a call to loadClusters().
 */
export async function hubAdmin(): Promise<KubeClient> {
  const file = process.env.OCMADM_E2E_HUB_KUBECONFIG;
  if (!file) throw new Error('OCMADM_E2E_HUB_KUBECONFIG is not set (temporary until e2e/support/clusters.ts lands)');
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  return KubeClient.create(kc, 'ocmadm-e2e');
}
