/** The hub's address and CA as the admin's kubeconfig knows them, and kubeconfigs built from them. */
import fs from 'node:fs';
import yaml from 'js-yaml';
import type { KubeConfig } from '../../kube/kubeconfig.js';

export interface HubEndpoint {
  /** The API server URL exactly as in the kubeconfig (what joining clusters are told). */
  server: string;
  /** PEM of the CA that verifies it, when the kubeconfig has one. */
  caPem?: string;
  insecureSkipTlsVerify: boolean;
}

export function hubEndpoint(kc: KubeConfig): HubEndpoint {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  let caPem: string | undefined;
  if (cluster.caData) caPem = Buffer.from(cluster.caData, 'base64').toString('utf8');
  else if (cluster.caFile) caPem = fs.readFileSync(cluster.caFile, 'utf8');
  return { server: cluster.server.replace(/\/+$/, ''), caPem, insecureSkipTlsVerify: !!cluster.skipTLSVerify };
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

function clusterEntry(ep: HubEndpoint): Record<string, unknown> {
  const c: Record<string, unknown> = { server: ep.server };
  if (ep.caPem) c['certificate-authority-data'] = b64(ep.caPem);
  else if (ep.insecureSkipTlsVerify) c['insecure-skip-tls-verify'] = true;
  return c;
}

/** A kubeconfig holding one bearer token (the local runtime's own identity). */
export function tokenKubeconfig(ep: HubEndpoint, token: string, user: string, namespace: string): string {
  return yaml.dump(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'hub', cluster: clusterEntry(ep) }],
      users: [{ name: user, user: { token } }],
      contexts: [{ name: 'hub', context: { cluster: 'hub', user, namespace } }],
      'current-context': 'hub',
      preferences: {},
    },
    { lineWidth: -1, noRefs: true },
  );
}

/** The kubeconfig of kube-public/cluster-info: server and CA only, no credentials (as kubeadm writes it). */
export function clusterInfoKubeconfig(ep: HubEndpoint): string {
  return yaml.dump(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: '', cluster: clusterEntry(ep) }],
      contexts: [],
      'current-context': '',
      preferences: {},
      users: [],
    },
    { lineWidth: -1, noRefs: true },
  );
}
