/**
 * What every hub reconciler gets: the client, a logger, the shared informers (one watch per
 * collection for the whole process) and a clock (tests move it; the runtime passes Date).
 */
import type { KubeClient, KubeObject } from '../../kube/client.js';
import type { Informer, Logger, RuntimeContext, WatchTarget } from '../core/types.js';
import { ADDON, LABEL, SIGNER } from '../../api/names.js';
import { CLUSTER_ROLES, CLUSTER_ROLE_BINDINGS, LEASES, NAMESPACES, ROLE_BINDINGS } from '../../kube/core.js';
import { CSRS } from '../../kube/certificates.js';
import {
  ADDON_DEPLOYMENT_CONFIGS,
  ADDON_PLACEMENT_SCORES,
  ADDON_TEMPLATES,
  CLUSTER_MANAGEMENT_ADDONS_V1BETA1,
  MANAGED_CLUSTERS,
  MANAGED_CLUSTER_ADDONS_V1BETA1,
  MANAGED_CLUSTER_SETS,
  MANAGED_CLUSTER_SET_BINDINGS,
  MANIFEST_WORKS,
  MANIFEST_WORK_REPLICA_SETS,
  PLACEMENTS,
  PLACEMENT_DECISIONS,
} from '../../api/index.js';
import type {
  AddOnDeploymentConfig,
  AddOnPlacementScore,
  AddOnTemplate,
  ClusterManagementAddOn,
  ManagedClusterAddOn,
  ManagedCluster,
  ManagedClusterSet,
  ManagedClusterSetBinding,
  ManifestWork,
  ManifestWorkReplicaSet,
  Placement,
  PlacementDecision,
} from '../../api/index.js';

/** Every collection the hub controller watches. Own objects are filtered by the cluster-name label. */
export const HUB_WATCHES = {
  clusters: { ref: MANAGED_CLUSTERS },
  clusterSets: { ref: MANAGED_CLUSTER_SETS },
  clusterSetBindings: { ref: MANAGED_CLUSTER_SET_BINDINGS },
  works: { ref: MANIFEST_WORKS },
  placements: { ref: PLACEMENTS },
  // Only decisions a placement scheduler wrote (OCM's scheduler reads them by this label too).
  placementDecisions: { ref: PLACEMENT_DECISIONS, labelSelector: LABEL.placement },
  replicaSets: { ref: MANIFEST_WORK_REPLICA_SETS },
  addOnScores: { ref: ADDON_PLACEMENT_SCORES },
  addons: { ref: MANAGED_CLUSTER_ADDONS_V1BETA1 },
  cmas: { ref: CLUSTER_MANAGEMENT_ADDONS_V1BETA1 },
  addonTemplates: { ref: ADDON_TEMPLATES },
  addonConfigs: { ref: ADDON_DEPLOYMENT_CONFIGS },
  namespaces: { ref: NAMESPACES, labelSelector: LABEL.clusterName },
  // The lease reconciler judges clock sync from the server-stamped managedFields times.
  leases: { ref: LEASES, labelSelector: LABEL.clusterName, keepManagedFields: true },
  clusterRoles: { ref: CLUSTER_ROLES, labelSelector: LABEL.clusterName },
  clusterRoleBindings: { ref: CLUSTER_ROLE_BINDINGS, labelSelector: LABEL.clusterName },
  roleBindings: { ref: ROLE_BINDINGS, labelSelector: LABEL.clusterName },
  // The hub permissions of template add-ons (any namespace), found by the template label.
  addonRoleBindings: { ref: ROLE_BINDINGS, labelSelector: ADDON.templateLabel },
  // Add-on CSRs for custom signers (the kube-apiserver-client ones come through `csrs`).
  addonSignerCsrs: {
    ref: CSRS,
    labelSelector: LABEL.addonName,
    fieldSelector: `spec.signerName!=${SIGNER.kubeApiserverClient}`,
  },
  csrs: {
    ref: CSRS,
    labelSelector: LABEL.clusterName,
    fieldSelector: `spec.signerName=${SIGNER.kubeApiserverClient}`,
  },
} satisfies Record<string, WatchTarget>;

export interface HubInformers {
  clusters: Informer<ManagedCluster>;
  clusterSets: Informer<ManagedClusterSet>;
  clusterSetBindings: Informer<ManagedClusterSetBinding>;
  works: Informer<ManifestWork>;
  placements: Informer<Placement>;
  placementDecisions: Informer<PlacementDecision>;
  replicaSets: Informer<ManifestWorkReplicaSet>;
  addOnScores: Informer<AddOnPlacementScore>;
  addons: Informer<ManagedClusterAddOn>;
  cmas: Informer<ClusterManagementAddOn>;
  addonTemplates: Informer<AddOnTemplate>;
  addonConfigs: Informer<AddOnDeploymentConfig>;
  namespaces: Informer<KubeObject>;
  leases: Informer<KubeObject>;
  clusterRoles: Informer<KubeObject>;
  clusterRoleBindings: Informer<KubeObject>;
  roleBindings: Informer<KubeObject>;
  addonRoleBindings: Informer<KubeObject>;
  csrs: Informer<KubeObject>;
  addonSignerCsrs: Informer<KubeObject>;
}

export interface HubDeps {
  client: KubeClient;
  log: Logger;
  informers: HubInformers;
  /** The current time; injectable so time-dependent rules are testable. */
  now: () => Date;
  /** Bootstrap identities whose clusters are accepted without `accept` (empty: auto-approval off). */
  autoApproveUsers?: readonly string[];
}

export function hubInformers(ctx: RuntimeContext): HubInformers {
  const out = {} as Record<keyof HubInformers, Informer>;
  for (const [k, target] of Object.entries(HUB_WATCHES)) out[k as keyof HubInformers] = ctx.informer(target);
  return out as unknown as HubInformers;
}

/** Keys of objects in a namespace (informer keys are "namespace/name"). */
export function inNamespace<T extends KubeObject>(inf: Informer<T>, ns: string): T[] {
  return inf.list((o) => o.metadata?.namespace === ns);
}

export const nsKey = (ns: string, name: string) => `${ns}/${name}`;
