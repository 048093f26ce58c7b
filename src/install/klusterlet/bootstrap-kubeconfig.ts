/**
 * The bootstrap kubeconfig join writes into Secret open-cluster-management-agent/bootstrap-hub-kubeconfig
 * (key `kubeconfig`), named as OCM's agents expect: cluster `hub`, user `bootstrap`, context
 * `bootstrap` (namespace `default`). The token lives only here and in the Secret: never in logs.
 */
import yaml from 'js-yaml';
import { KubeConfig } from '../../kube/kubeconfig.js';

export const BOOTSTRAP_NAMES = { cluster: 'hub', user: 'bootstrap', context: 'bootstrap' } as const;
export const BOOTSTRAP_KEY = 'kubeconfig';

export interface BootstrapSpec {
  server: string;
  /** PEM bundle that verifies the hub's serving certificate. */
  caPem: string;
  token: string;
}

export function bootstrapKubeconfigYaml(spec: BootstrapSpec): string {
  return yaml.dump(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: BOOTSTRAP_NAMES.cluster, cluster: { server: spec.server, 'certificate-authority-data': Buffer.from(spec.caPem).toString('base64') } }],
      users: [{ name: BOOTSTRAP_NAMES.user, user: { token: spec.token } }],
      contexts: [{ name: BOOTSTRAP_NAMES.context, context: { cluster: BOOTSTRAP_NAMES.cluster, user: BOOTSTRAP_NAMES.user, namespace: 'default' } }],
      'current-context': BOOTSTRAP_NAMES.context,
    },
    { noRefs: true, lineWidth: -1 },
  );
}

/** A client-node KubeConfig for the bootstrap identity (what the agent will use). */
export function bootstrapKubeConfig(spec: BootstrapSpec): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(bootstrapKubeconfigYaml(spec));
  return kc;
}

/** The hub server named by a bootstrap kubeconfig text, or undefined when it cannot be read. */
export function bootstrapServer(text: string): string | undefined {
  try {
    const kc = new KubeConfig();
    kc.loadFromString(text);
    return kc.getCurrentCluster()?.server;
  } catch {
    return undefined;
  }
}
