/**
 * What `ocmadm init` applies, as ordered phases of objects rendered from src/templates/hub and
 * the generated CRDs. Pure apart from reading those files: the unit tests check the objects.
 */
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import type { KubeObject } from '../../kube/client.js';
import { renderObjects } from '../../render/index.js';
import { CLUSTERSET, GROUP, LABEL, MANAGED_BY, NS, RBAC, SA, SECRET } from '../../api/names.js';
import { TYPE } from '../../api/index.js';
import { hubControllerClusterRules, hubControllerNamespaceRules } from '../../runtime/hub/rbac.js';
import { HUB, hubControllerExtraArgs, type RuntimeType } from './constants.js';
import { HUB_CRD_DIR, hubCrdFiles } from './crds.js';
import { bundleConfigMap, placeholderBundle, withBundle, type RuntimeBundle } from '../../bundle/index.js';

export { HUB_CRD_DIR, PACKAGE_ROOT } from './crds.js';
export { hubControllerExtraArgs } from './constants.js';

/** The hub CRDs as generated into manifests/crds/hub (sorted by file name). */
export function loadHubCrds(dir = HUB_CRD_DIR): KubeObject[] {
  return hubCrdFiles(dir).flatMap((f) => (yaml.loadAll(fs.readFileSync(path.join(dir, f), 'utf8')) as KubeObject[]).filter((d) => !!d && typeof d === 'object'));
}

export interface BootstrapTokenValues {
  id: string;
  secret: string;
  /** RFC 3339. */
  expiration: string;
}

export interface PlanInput {
  runtime: RuntimeType;
  image: string;
  /** cluster-info's kubeconfig text; undefined leaves cluster-info alone (it exists and is not ours). */
  clusterInfoKubeconfig?: string;
  /** --use-bootstrap-token: the Secret to write (undefined = an existing one is reused) and its binding. */
  bootstrapToken?: { create?: BootstrapTokenValues };
  crds: KubeObject[];
  /** `--auto-approve`: bootstrap identities whose clusters the hub controller accepts by itself. */
  autoApproveUsers?: string[];
  /** The hub controller bundle for the cluster runtime; without it a placeholder (listing only). */
  bundle?: RuntimeBundle;
  imagePullSecrets?: string[];
}

export type PhaseName = 'crds' | 'guard' | 'namespaces' | 'rbac' | 'cluster-info' | 'clustersets' | 'bootstrap-token' | 'runtime';

export interface Phase {
  name: PhaseName;
  /** Applied together; each phase only after the previous one. */
  objects: KubeObject[];
}

/** The values every hub template sees. */
export function templateValues(input: Omit<PlanInput, 'crds'>): Record<string, unknown> {
  return {
    managedBy: { key: LABEL.managedBy, value: MANAGED_BY },
    ns: { bootstrap: NS.hubBootstrap },
    sa: { bootstrap: SA.bootstrap, controller: SA.hubController },
    rbac: RBAC,
    group: GROUP,
    label: LABEL,
    hub: HUB,
    clusterSet: CLUSTERSET,
    clusterSetApiVersion: TYPE.managedClusterSet.apiVersion,
    clusterInfo: { kubeconfig: input.clusterInfoKubeconfig ?? '' },
    controller: {
      image: input.image,
      clusterRules: hubControllerClusterRules({ autoApprove: !!input.autoApproveUsers?.length }),
      extraArgs: hubControllerExtraArgs(input.autoApproveUsers),
      namespaceRules: hubControllerNamespaceRules(SA.hubController),
    },
    token: {
      secretName: SECRET.bootstrapToken,
      namespace: HUB.bootstrapTokenNamespace,
      appLabel: { key: LABEL.bootstrapTokenApp, value: 'cluster-manager' },
      id: input.bootstrapToken?.create?.id ?? SECRET.bootstrapTokenId,
      secret: input.bootstrapToken?.create?.secret ?? '',
      expiration: input.bootstrapToken?.create?.expiration ?? '',
    },
  };
}

const isKind = (kind: string) => (o: KubeObject) => o.kind === kind;

/**
 * The phases in apply order. The guard comes right after the CRDs and before any bootstrap
 * RBAC, so no bootstrap identity ever exists on a hub without it.
 */
export function planHub(input: PlanInput): Phase[] {
  const v = templateValues(input);
  const bootstrap = renderObjects('hub/bootstrap.yaml', v);
  const runtime = renderObjects('hub/runtime.yaml', v);
  const namespaces = [...bootstrap, ...runtime].filter(isKind('Namespace'));
  const rbac = [...bootstrap, ...runtime].filter((o) => o.kind !== 'Namespace');
  const phases: Phase[] = [
    { name: 'crds', objects: input.crds },
    { name: 'guard', objects: [...renderObjects('hub/admission.yaml', v), ...renderObjects('hub/admission-fleet.yaml', v)] },
    { name: 'namespaces', objects: namespaces },
    { name: 'rbac', objects: rbac },
  ];
  if (input.clusterInfoKubeconfig !== undefined) phases.push({ name: 'cluster-info', objects: renderObjects('hub/cluster-info.yaml', v) });
  phases.push({ name: 'clustersets', objects: renderObjects('hub/clustersets.yaml', v) });
  if (input.bootstrapToken) phases.push(bootstrapTokenPhase(input.bootstrapToken.create));
  if (input.runtime === 'cluster') phases.push({ name: 'runtime', objects: runtimeObjects(input, v) });
  return phases;
}

/** The bundle's ConfigMap, then the Deployment that runs it (so a new pod always finds its bundle). */
function runtimeObjects(input: PlanInput, v: Record<string, unknown>): KubeObject[] {
  const bundle = input.bundle ?? placeholderBundle('hub-controller');
  const [deployment] = renderObjects('hub/runtime-deployment.yaml', v);
  return [
    bundleConfigMap(bundle, HUB.controllerNamespace),
    withBundle(deployment!, bundle, { image: input.image, imagePullSecrets: input.imagePullSecrets ?? [] }),
  ];
}

/** The bootstrap token Secret (only when a new one is made) and the binding of its group. */
export function bootstrapTokenPhase(create?: BootstrapTokenValues): Phase {
  const v = templateValues({ runtime: 'local', image: '', bootstrapToken: { create } });
  const objects = renderObjects('hub/bootstrap-token-binding.yaml', v);
  if (create) objects.unshift(...renderObjects('hub/bootstrap-token.yaml', v));
  return { name: 'bootstrap-token', objects };
}

export const allObjects = (phases: Phase[]): KubeObject[] => phases.flatMap((p) => p.objects);
