/**
 * The OCM APIs: object types (from the TypeBox definitions), the REST references of each kind
 * for `resourcePath()`, and apiVersion/kind pairs for building objects. No runtime import of the
 * definitions here: TypeBox costs start-up time the CLI does not need (schemas: ./crds.js and
 * the definition modules).
 */
import type { ResourceRef } from '../kube/resources.js';
import { GROUP } from './names.js';

export type { ManagedCluster, ManagedClusterSet, ManagedClusterSetBinding, ClusterClaim, AddOnPlacementScore } from './cluster.js';
export type { Placement, PlacementDecision } from './placement.js';
export type { ManifestWork, AppliedManifestWork, ManifestWorkReplicaSet } from './work.js';
export type { AddOnDeploymentConfig, AddOnTemplate, ClusterManagementAddOn, ManagedClusterAddOn } from './addon.js';
export type { Condition, Resource } from './schema.js';

type Ref = Readonly<Pick<ResourceRef, 'group' | 'version' | 'resource'>>;
const ref = (group: string, version: string, resource: string): Ref => Object.freeze({ group, version, resource });

// REST collections, e.g. resourcePath({ ...MANAGED_CLUSTERS, name: 'c1' }).
export const MANAGED_CLUSTERS = ref(GROUP.cluster, 'v1', 'managedclusters');
export const MANAGED_CLUSTER_SETS = ref(GROUP.cluster, 'v1beta2', 'managedclustersets');
export const MANAGED_CLUSTER_SET_BINDINGS = ref(GROUP.cluster, 'v1beta2', 'managedclustersetbindings');
export const PLACEMENTS = ref(GROUP.cluster, 'v1beta1', 'placements');
export const PLACEMENT_DECISIONS = ref(GROUP.cluster, 'v1beta1', 'placementdecisions');
export const ADDON_PLACEMENT_SCORES = ref(GROUP.cluster, 'v1alpha1', 'addonplacementscores');
export const CLUSTER_CLAIMS = ref(GROUP.cluster, 'v1alpha1', 'clusterclaims');
export const MANIFEST_WORKS = ref(GROUP.work, 'v1', 'manifestworks');
export const APPLIED_MANIFEST_WORKS = ref(GROUP.work, 'v1', 'appliedmanifestworks');
export const MANIFEST_WORK_REPLICA_SETS = ref(GROUP.work, 'v1alpha1', 'manifestworkreplicasets');
export const CLUSTER_MANAGEMENT_ADDONS = ref(GROUP.addon, 'v1alpha1', 'clustermanagementaddons');
export const MANAGED_CLUSTER_ADDONS = ref(GROUP.addon, 'v1alpha1', 'managedclusteraddons');
/** The version OCM's klusterlet reads. */
export const MANAGED_CLUSTER_ADDONS_V1BETA1 = ref(GROUP.addon, 'v1beta1', 'managedclusteraddons');
export const CLUSTER_MANAGEMENT_ADDONS_V1BETA1 = ref(GROUP.addon, 'v1beta1', 'clustermanagementaddons');
export const ADDON_TEMPLATES = ref(GROUP.addon, 'v1alpha1', 'addontemplates');
export const ADDON_DEPLOYMENT_CONFIGS = ref(GROUP.addon, 'v1alpha1', 'addondeploymentconfigs');

/** apiVersion and kind of each OCM kind, for building objects. */
export const TYPE = {
  managedCluster: { apiVersion: `${GROUP.cluster}/v1`, kind: 'ManagedCluster' },
  managedClusterSet: { apiVersion: `${GROUP.cluster}/v1beta2`, kind: 'ManagedClusterSet' },
  managedClusterSetBinding: { apiVersion: `${GROUP.cluster}/v1beta2`, kind: 'ManagedClusterSetBinding' },
  placement: { apiVersion: `${GROUP.cluster}/v1beta1`, kind: 'Placement' },
  placementDecision: { apiVersion: `${GROUP.cluster}/v1beta1`, kind: 'PlacementDecision' },
  addOnPlacementScore: { apiVersion: `${GROUP.cluster}/v1alpha1`, kind: 'AddOnPlacementScore' },
  clusterClaim: { apiVersion: `${GROUP.cluster}/v1alpha1`, kind: 'ClusterClaim' },
  manifestWork: { apiVersion: `${GROUP.work}/v1`, kind: 'ManifestWork' },
  appliedManifestWork: { apiVersion: `${GROUP.work}/v1`, kind: 'AppliedManifestWork' },
  manifestWorkReplicaSet: { apiVersion: `${GROUP.work}/v1alpha1`, kind: 'ManifestWorkReplicaSet' },
  clusterManagementAddOn: { apiVersion: `${GROUP.addon}/v1alpha1`, kind: 'ClusterManagementAddOn' },
  managedClusterAddOn: { apiVersion: `${GROUP.addon}/v1alpha1`, kind: 'ManagedClusterAddOn' },
  addOnTemplate: { apiVersion: `${GROUP.addon}/v1alpha1`, kind: 'AddOnTemplate' },
  addOnDeploymentConfig: { apiVersion: `${GROUP.addon}/v1alpha1`, kind: 'AddOnDeploymentConfig' },
} as const;
