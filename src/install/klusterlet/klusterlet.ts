/**
 * The klusterlet installation on a spoke, as join writes it and unjoin removes it: object names,
 * and the rendering of src/templates/klusterlet/*.yaml into objects.
 */
import type { KubeObject } from '../../kube/client.js';
import { renderObjects } from '../../render/index.js';
import { LABEL, MANAGED_BY, SECRET } from '../../api/names.js';
import { hubInstanceName } from '../hub/runtime.js';
import { bundleConfigMap, placeholderBundle, withBundle, type RuntimeBundle } from '../../bundle/index.js';
import { KLUSTERLET } from './constants.js';

export { KLUSTERLET } from './constants.js';

export type Runtime = 'cluster' | 'local';

/**
 * The local runtime's instance (state directory) name: the cluster name AND the spoke's address,
 * `<cluster>.<host>-<port>`, so two spokes served from one machine never share (and stop) one
 * process, even when both ask for the same cluster name.
 */
export function localInstance(clusterName: string, spokeServer: string): string {
  return `${clusterName}.${hubInstanceName(spokeServer)}`;
}

/** The cluster name of a local runtime instance (older instances are the bare cluster name). */
export const clusterOfInstance = (instance: string): string => instance.split('.')[0]!;

export interface KlusterletValues {
  clusterName: string;
  runtime: Runtime;
  image: string;
  /** The spoke API server URL the hub is told about (ManagedCluster client config). */
  spokeServer?: string;
  clusterClaims: Record<string, string>;
  /** The bootstrap kubeconfig text (holds the token). */
  bootstrapKubeconfig: string;
  /** The klusterlet bundle for the cluster runtime; without it a placeholder (listing only). */
  bundle?: RuntimeBundle;
  imagePullSecrets?: string[];
}

/** The agent's flags, the same for both runtimes (local adds --kubeconfig and --token-refresh). */
export function agentArgs(v: Pick<KlusterletValues, 'clusterName' | 'spokeServer' | 'clusterClaims'>, healthPort: number): string[] {
  const args = ['--cluster-name', v.clusterName, '--agent-namespace', KLUSTERLET.namespace, '--health-port', String(healthPort)];
  if (v.spokeServer?.startsWith('https://')) args.push('--spoke-external-server-url', v.spokeServer);
  const claims = Object.entries(v.clusterClaims);
  if (claims.length) args.push('--cluster-claims', claims.map(([k, val]) => `${k}=${val}`).join(','));
  return args;
}

const labels = (clusterName: string) => ({ [LABEL.managedBy]: MANAGED_BY, [LABEL.clusterName]: clusterName });

/** Objects in apply order: namespace, RBAC, bootstrap secret, then (cluster runtime) the Deployment. */
export function klusterletObjects(v: KlusterletValues): KubeObject[] {
  const common = {
    ...KLUSTERLET,
    labels: labels(v.clusterName),
    bootstrapSecret: SECRET.bootstrapHubKubeconfig,
    aggregateSelector: { [LABEL.aggregateToWork]: 'true' },
  };
  const objects = [
    ...renderObjects('klusterlet/namespace.yaml', {
      ...common,
      nsLabels: { ...labels(v.clusterName), 'pod-security.kubernetes.io/enforce': 'restricted' },
    }),
    ...renderObjects('klusterlet/rbac.yaml', { ...common, local: v.runtime === 'local' }),
    ...renderObjects('klusterlet/bootstrap-secret.yaml', { ...common, bootstrapKubeconfig: v.bootstrapKubeconfig }),
  ];
  if (v.runtime === 'cluster') {
    const selector = { 'app.kubernetes.io/name': KLUSTERLET.deployment };
    const bundle = v.bundle ?? placeholderBundle('klusterlet');
    const [deployment] = renderObjects('klusterlet/deployment.yaml', {
      ...common,
      image: v.image,
      selector,
      podLabels: { ...selector, [LABEL.clusterName]: v.clusterName },
      args: agentArgs(v, KLUSTERLET.healthPort),
    });
    // The ConfigMap first: a pod never starts without its bundle.
    objects.push(
      bundleConfigMap(bundle, KLUSTERLET.namespace, { [LABEL.clusterName]: v.clusterName }),
      withBundle(deployment!, bundle, { image: v.image, imagePullSecrets: v.imagePullSecrets ?? [] }),
    );
  }
  return objects;
}
