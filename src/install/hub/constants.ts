/**
 * Names and defaults of what `ocmadm init` installs on a hub besides OCM's own wire names
 * (those are in src/api/names.ts). Every string is typed here once.
 */
import { LABEL, MANAGED_BY, NS, SA } from '../../api/names.js';
import { DEFAULT_NODE_IMAGE } from '../../bundle/index.js';
import { RUNTIME_NODE_FLAGS } from '../../runtime/node-flags.js';

/** The image of the hub controller for `--runtime cluster`: stock Node; the runtime comes in a ConfigMap. */
export const DEFAULT_IMAGE = DEFAULT_NODE_IMAGE;
/** How the Dockerfile's image starts the hub controller on its own (its CMD). */
export const IMAGE_COMMAND = ['node', ...RUNTIME_NODE_FLAGS['hub-controller'], '/app/dist/runtime/hub/main.js'] as const;

export const HUB = {
  /** The admission guard (ValidatingAdmissionPolicy and its binding share the name). */
  admissionPolicy: 'ocmadm-managedcluster-guard',
  /** OCM's webhooks for set bindings, works and replica sets, as policies (admission-fleet.yaml). */
  bindingPolicy: 'ocmadm-clustersetbinding-guard',
  workPolicy: 'ocmadm-manifestwork-guard',
  replicaSetPolicy: 'ocmadm-manifestworkreplicaset-guard',
  /** Role and RoleBinding in kube-public letting anyone read cluster-info (as kubeadm does). */
  clusterInfoReader: 'ocmadm:cluster-info-reader',
  clusterInfo: { namespace: 'kube-public', name: 'cluster-info' },
  /** ClusterRole and ClusterRoleBinding of the hub controller runtime. */
  controllerRole: 'ocmadm:hub-controller',
  /** Role and RoleBinding in the runtime namespace (minting its own token). */
  controllerTokenRole: 'ocmadm:hub-controller:token',
  controllerDeployment: SA.hubController,
  controllerNamespace: NS.hubRuntime,
  healthPort: 8000,
  bootstrapTokenNamespace: 'kube-system',
} as const;

/** Every object ocmadm installs carries this label, so `clean` finds it. */
export const MANAGED_LABELS = { [LABEL.managedBy]: MANAGED_BY } as const;
export const MANAGED_SELECTOR = `${LABEL.managedBy}=${MANAGED_BY}`;

export const TTL = {
  /** Default life of a ServiceAccount token from `init` and `get token` (as clusteradm). */
  serviceAccountSeconds: 3600,
  /** Default life of a bootstrap token Secret. */
  bootstrapTokenSeconds: 24 * 3600,
  /** The API server's minimum for TokenRequest. */
  minServiceAccountSeconds: 600,
  /** The local hub controller's own token; it renews it itself at 80 % of its life. */
  localRuntimeSeconds: 24 * 3600,
  /** A bootstrap token closer than this to expiry is replaced instead of reused. */
  reuseMarginSeconds: 300,
} as const;

export type RuntimeType = 'cluster' | 'local';
export const RUNTIME_TYPES: readonly RuntimeType[] = ['cluster', 'local'];

/** OCM's operator-based hub: its presence means another manager owns this hub. */
export const OCM_OPERATOR = {
  crd: 'clustermanagers.operator.open-cluster-management.io',
  clusterManagers: { group: 'operator.open-cluster-management.io', version: 'v1', resource: 'clustermanagers' },
  deployment: { namespace: 'open-cluster-management', name: 'cluster-manager' },
} as const;

/** Flags of the hub controller beyond the runtime's own (the same for both runtimes). */
export function hubControllerExtraArgs(autoApproveUsers: string[] = []): string[] {
  return autoApproveUsers.length ? [`--auto-approve-users=${autoApproveUsers.join(',')}`] : [];
}
