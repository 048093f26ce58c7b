/**
 * The bootstrap kubeconfig join writes into Secret open-cluster-management-agent/bootstrap-hub-kubeconfig
 * (key `kubeconfig`), named as OCM's agents expect: cluster `hub`, user `bootstrap`, context
 * `bootstrap` (namespace `default`). The token lives only here and in the Secret: never in logs.
 */
import { KubeConfig, mergeCaPem, pemData, singleContextConfig } from '../../kube/kubeconfig.js';

export const BOOTSTRAP_NAMES = { cluster: 'hub', user: 'bootstrap', context: 'bootstrap' } as const;
export const BOOTSTRAP_KEY = 'kubeconfig';

export interface BootstrapSpec {
  server: string;
  /** PEM bundle that verifies the hub's serving certificate. */
  caPem: string;
  token: string;
  /** The forward proxy the agents reach the hub through (join --proxy-url). */
  proxyUrl?: string;
  /** The proxy's CA (join --proxy-ca-file), appended to the hub CA as clusteradm does; only with proxyUrl. */
  proxyCaPem?: string;
}

/** A client config for the bootstrap identity (what the agent will use). */
export function bootstrapKubeConfig(spec: BootstrapSpec): KubeConfig {
  const caPem = spec.proxyUrl && spec.proxyCaPem ? mergeCaPem(spec.caPem, spec.proxyCaPem) : spec.caPem;
  return singleContextConfig({
    cluster: { name: BOOTSTRAP_NAMES.cluster, server: spec.server, caData: pemData(caPem), proxyUrl: spec.proxyUrl || undefined },
    user: { name: BOOTSTRAP_NAMES.user, token: spec.token },
    context: { name: BOOTSTRAP_NAMES.context, namespace: 'default' },
  });
}

export const bootstrapKubeconfigYaml = (spec: BootstrapSpec): string => bootstrapKubeConfig(spec).toYaml();

/** The hub server named by a bootstrap kubeconfig text, or undefined when it cannot be read. */
export function bootstrapServer(text: string): string | undefined {
  try {
    return KubeConfig.fromText(text).getCurrentCluster()?.server;
  } catch {
    return undefined;
  }
}
