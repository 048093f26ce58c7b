/**
 * `--runtime local`: the klusterlet as a detached process on this machine, with the same
 * least-privilege identity it has in a pod: a TokenRequest token of its ServiceAccount in a 0600
 * kubeconfig, renewed by the process itself (--token-refresh). Never the joiner's credentials.
 */
import type { KubeClient } from '../../kube/client.js';
import { resourcePath } from '../../kube/resources.js';
import { SERVICE_ACCOUNTS } from '../../kube/core.js';
import { clusterCaPem, singleContextConfig } from '../../kube/kubeconfig.js';
import { startLocalRuntime, type LocalRuntimeInfo } from '../../runtime/host/index.js';
import { KLUSTERLET, agentArgs, localInstance, type KlusterletValues } from '../../install/klusterlet/klusterlet.js';

/** One hour; the process renews it at 80 % of its life. */
export const LOCAL_TOKEN_SECONDS = 3600;

/** The CA that verifies the spoke API server, from the joiner's kubeconfig (data or file). */
export function spokeCaPem(spoke: KubeClient): string | undefined {
  const cluster = spoke.kc.getCurrentCluster();
  return cluster ? clusterCaPem(cluster) : undefined;
}

export async function serviceAccountToken(spoke: KubeClient): Promise<string> {
  const path = resourcePath({ ...SERVICE_ACCOUNTS, namespace: KLUSTERLET.namespace, name: KLUSTERLET.serviceAccount, subresource: 'token' });
  const tr = await spoke.create<{ status: { token: string } }>(path, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds: LOCAL_TOKEN_SECONDS },
  });
  return tr.status.token;
}

export async function startLocalKlusterlet(spoke: KubeClient, v: KlusterletValues, env: NodeJS.ProcessEnv): Promise<LocalRuntimeInfo> {
  const caPem = spokeCaPem(spoke);
  if (!caPem) throw new Error(`the spoke kubeconfig has no CA for ${spoke.server}: the local klusterlet would have to skip TLS verification`);
  const token = await serviceAccountToken(spoke);
  // The joiner's own cluster entry (CA, tls-server-name, proxy-url), with the ServiceAccount's token.
  const { tlsServerName, proxyUrl } = spoke.kc.getCurrentCluster()!;
  const kubeconfig = singleContextConfig({
    cluster: { name: 'spoke', server: spoke.server, caData: Buffer.from(caPem).toString('base64'), tlsServerName, proxyUrl },
    user: { name: KLUSTERLET.serviceAccount, token },
    context: { name: 'spoke' },
  }).toYaml();
  return startLocalRuntime({
    kind: 'klusterlet',
    instance: localInstance(v.clusterName, spoke.server),
    kubeconfig,
    args: [...agentArgs(v, 0), '--health-bind', '127.0.0.1', '--token-refresh', `${KLUSTERLET.namespace}/${KLUSTERLET.serviceAccount}`],
    env,
  });
}
