/** The hub's address and CA as the admin's kubeconfig knows them, and kubeconfigs built from them. */
import { KubeConfig, clusterCaPem, pemData, singleContextConfig, type Cluster } from '../../kube/kubeconfig.js';

export interface HubEndpoint {
  /** The API server URL exactly as in the kubeconfig (what joining clusters are told). */
  server: string;
  /** PEM of the CA that verifies it, when the kubeconfig has one. */
  caPem?: string;
  insecureSkipTlsVerify: boolean;
  /** How this machine reaches it (kept for the hub's own local runtime, not told to joiners). */
  tlsServerName?: string;
  proxyUrl?: string;
}

export function hubEndpoint(kc: KubeConfig): HubEndpoint {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  return {
    server: cluster.server.replace(/\/+$/, ''),
    caPem: clusterCaPem(cluster),
    insecureSkipTlsVerify: !!cluster.skipTLSVerify,
    tlsServerName: cluster.tlsServerName,
    proxyUrl: cluster.proxyUrl,
  };
}

/** Server and CA (or, without a CA, the skip flag the admin's kubeconfig had). */
function clusterEntry(name: string, ep: HubEndpoint): Cluster {
  const trust = ep.caPem ? { caData: pemData(ep.caPem) } : { skipTLSVerify: ep.insecureSkipTlsVerify };
  return { name, server: ep.server, ...trust };
}

/** A kubeconfig holding one bearer token (the local runtime's own identity). */
export function tokenKubeconfig(ep: HubEndpoint, token: string, user: string, namespace: string): string {
  const cluster = { ...clusterEntry('hub', ep), tlsServerName: ep.tlsServerName, proxyUrl: ep.proxyUrl };
  return singleContextConfig({ cluster, user: { name: user, token }, context: { name: 'hub', namespace } }).toYaml();
}

/** The kubeconfig of kube-public/cluster-info: server and CA only, no credentials (as kubeadm writes it). */
export function clusterInfoKubeconfig(ep: HubEndpoint): string {
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [clusterEntry('', ep)] });
  return kc.toYaml();
}
