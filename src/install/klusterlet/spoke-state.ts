/**
 * What a spoke holds of a klusterlet: the agent namespace and its secrets, the Deployment
 * (cluster runtime), local runtime processes that serve this spoke, and under which cluster name
 * each is joined. Read-only; join's preflight and unjoin's inventory both start here.
 */
import { getOrUndefined, resourcePath } from '../../kube/resources.js';
import { NAMESPACES, SECRETS, type Secret } from '../../kube/core.js';
import fs from 'node:fs';
import { KubeConfig } from '../../kube/kubeconfig.js';
import type { KubeClient, KubeObject } from '../../kube/client.js';
import { isNotFound } from '../../kube/errors.js';
import { listLocalRuntimes, type LocalRuntimeInfo } from '../../runtime/host/index.js';
import { HUB_KUBECONFIG_KEYS, SECRET } from '../../api/names.js';
import { bootstrapServer } from './bootstrap-kubeconfig.js';
import { KLUSTERLET, clusterOfInstance } from './klusterlet.js';

export type { Secret } from '../../kube/core.js';
export type Deployment = KubeObject & { spec?: { template?: { spec?: { containers?: { args?: string[] }[] } } } };

export interface SpokeState {
  server: string;
  namespace?: KubeObject;
  bootstrapSecret?: Secret;
  /** The hub server named by the bootstrap secret. */
  bootstrapHub?: string;
  hubSecret?: Secret;
  /** cluster-name in hub-kubeconfig-secret (the name the agent registered under). */
  hubSecretCluster?: string;
  deployment?: Deployment;
  deploymentCluster?: string;
  /** Local klusterlet runtimes whose kubeconfig points at this spoke. */
  localRuntimes: LocalRuntimeInfo[];
  /** Every cluster name this spoke is joined under, from any of the above. */
  joinedAs: string[];
}

const unb64 = (s: string | undefined) => (s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8'));

/** The server of a local runtime's kubeconfig file, or undefined when unreadable. */
function runtimeServer(info: LocalRuntimeInfo): string | undefined {
  try {
    const kc = new KubeConfig();
    kc.loadFromString(fs.readFileSync(info.kubeconfigFile, 'utf8'));
    return kc.getCurrentCluster()?.server;
  } catch {
    return undefined;
  }
}

const sameServer = (a: string | undefined, b: string | undefined) => !!a && !!b && a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

export async function inspectSpoke(spoke: KubeClient, env: NodeJS.ProcessEnv = process.env): Promise<SpokeState> {
  const ns = KLUSTERLET.namespace;
  const secretPath = (name: string) => resourcePath({ ...SECRETS, namespace: ns, name });
  const [namespace, bootstrapSecret, hubSecret, deployment] = await Promise.all([
    getOrUndefined(spoke, resourcePath({ ...NAMESPACES, name: ns })),
    getOrUndefined<Secret>(spoke, secretPath(SECRET.bootstrapHubKubeconfig)),
    getOrUndefined<Secret>(spoke, secretPath(SECRET.hubKubeconfig)),
    getOrUndefined<Deployment>(spoke, `/apis/apps/v1/namespaces/${ns}/deployments/${KLUSTERLET.deployment}`),
  ]);
  const bootstrapText = unb64(bootstrapSecret?.data?.kubeconfig);
  const hubSecretCluster = unb64(hubSecret?.data?.[HUB_KUBECONFIG_KEYS.clusterName]) || undefined;
  const args = deployment?.spec?.template?.spec?.containers?.[0]?.args ?? [];
  const i = args.indexOf('--cluster-name');
  const deploymentCluster = i >= 0 ? args[i + 1] : undefined;
  const localRuntimes = listLocalRuntimes('klusterlet', env).filter((r) => sameServer(runtimeServer(r), spoke.server));
  const joinedAs = [...new Set([hubSecretCluster, deploymentCluster, ...localRuntimes.map((r) => clusterOfInstance(r.instance))].filter((x): x is string => !!x))];
  return {
    server: spoke.server,
    namespace,
    bootstrapSecret,
    bootstrapHub: bootstrapText ? bootstrapServer(bootstrapText) : undefined,
    hubSecret,
    hubSecretCluster,
    deployment,
    deploymentCluster,
    localRuntimes,
    joinedAs,
  };
}

/** The bootstrap kubeconfig text currently in the spoke's secret. */
export function currentBootstrapText(state: SpokeState): string | undefined {
  return unb64(state.bootstrapSecret?.data?.kubeconfig);
}
