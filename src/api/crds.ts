/**
 * The CustomResourceDefinitions ocmadm installs, built from the TypeBox definitions: which side
 * (hub or spoke) each belongs to, names, scope, versions, status subresource and printer columns.
 * `npm run gen:crds` writes `renderCrdFiles()` to manifests/crds; a unit test keeps them equal.
 */
import type { TSchema } from '@sinclair/typebox';
import yaml from 'js-yaml';
import type { KubeObject } from '../kube/client.js';
import { AddOnDeploymentConfigSchema, AddOnTemplateSchema, ClusterManagementAddOnSchema, ManagedClusterAddOnSchema } from './addon.js';
import {
  AddOnPlacementScoreSchema,
  ClusterClaimSchema,
  ManagedClusterSchema,
  ManagedClusterSetBindingSchema,
  ManagedClusterSetSchema,
} from './cluster.js';
import { COND, GROUP, LABEL, MANAGED_BY } from './names.js';
import { toOpenApi, type JSONSchemaProps } from './openapi.js';
import { PlacementDecisionSchema, PlacementSchema } from './placement.js';
import { AppliedManifestWorkSchema, ManifestWorkReplicaSetSchema, ManifestWorkSchema } from './work.js';

export type Side = 'hub' | 'spoke';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema: TSchema;
  /** Enables the /status subresource. */
  status: boolean;
  printerColumns?: PrinterColumn[];
}

export interface CrdDefinition {
  side: Side;
  group: string;
  kind: string;
  plural: string;
  singular: string;
  shortNames?: string[];
  categories?: string[];
  scope: 'Cluster' | 'Namespaced';
  versions: CrdVersion[];
}

const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };
/** A column showing one field of the condition of the given type. */
const cond = (name: string, type: string, field: 'status' | 'reason' = 'status', description?: string): PrinterColumn => ({
  name,
  type: 'string',
  jsonPath: `.status.conditions[?(@.type=="${type}")].${field}`,
  ...(description ? { description } : {}),
});
const v = (name: string, schema: TSchema, printerColumns?: PrinterColumn[], status = true): CrdVersion => ({
  name,
  served: true,
  storage: true,
  schema,
  status,
  ...(printerColumns ? { printerColumns } : {}),
});

const addonColumns = [cond('Available', 'Available'), cond('Degraded', 'Degraded'), cond('Progressing', 'Progressing')];
const displayName: PrinterColumn = { name: 'DISPLAY NAME', type: 'string', jsonPath: '.spec.addOnMeta.displayName' };

export const CRDS: readonly CrdDefinition[] = [
  {
    side: 'hub',
    group: GROUP.cluster,
    kind: 'ManagedCluster',
    plural: 'managedclusters',
    singular: 'managedcluster',
    shortNames: ['mcl', 'mcls'],
    scope: 'Cluster',
    versions: [
      v('v1', ManagedClusterSchema, [
        { name: 'Hub Accepted', type: 'boolean', jsonPath: '.spec.hubAcceptsClient' },
        { name: 'Managed Cluster URLs', type: 'string', jsonPath: '.spec.managedClusterClientConfigs[*].url' },
        cond('Joined', COND.cluster.joined),
        cond('Available', COND.cluster.available),
        age,
      ]),
    ],
  },
  {
    side: 'hub',
    group: GROUP.cluster,
    kind: 'ManagedClusterSet',
    plural: 'managedclustersets',
    singular: 'managedclusterset',
    shortNames: ['mclset', 'mclsets'],
    scope: 'Cluster',
    versions: [v('v1beta2', ManagedClusterSetSchema, [cond('Empty', COND.clusterSet.empty), age])],
  },
  {
    side: 'hub',
    group: GROUP.cluster,
    kind: 'ManagedClusterSetBinding',
    plural: 'managedclustersetbindings',
    singular: 'managedclustersetbinding',
    shortNames: ['mclsetbinding', 'mclsetbindings'],
    scope: 'Namespaced',
    versions: [v('v1beta2', ManagedClusterSetBindingSchema, [cond('Bound', COND.binding.bound), age])],
  },
  {
    side: 'hub',
    group: GROUP.cluster,
    kind: 'Placement',
    plural: 'placements',
    singular: 'placement',
    scope: 'Namespaced',
    versions: [
      v('v1beta1', PlacementSchema, [
        cond('Succeeded', COND.placement.satisfied),
        cond('Reason', COND.placement.satisfied, 'reason'),
        { name: 'SelectedClusters', type: 'integer', jsonPath: '.status.numberOfSelectedClusters' },
      ]),
    ],
  },
  {
    side: 'hub',
    group: GROUP.cluster,
    kind: 'PlacementDecision',
    plural: 'placementdecisions',
    singular: 'placementdecision',
    scope: 'Namespaced',
    versions: [v('v1beta1', PlacementDecisionSchema)],
  },
  {
    side: 'hub',
    group: GROUP.cluster,
    kind: 'AddOnPlacementScore',
    plural: 'addonplacementscores',
    singular: 'addonplacementscore',
    scope: 'Namespaced',
    versions: [v('v1alpha1', AddOnPlacementScoreSchema)],
  },
  {
    side: 'hub',
    group: GROUP.work,
    kind: 'ManifestWork',
    plural: 'manifestworks',
    singular: 'manifestwork',
    scope: 'Namespaced',
    versions: [v('v1', ManifestWorkSchema, [cond('Applied', COND.work.applied), cond('Available', COND.work.available), age])],
  },
  {
    side: 'hub',
    group: GROUP.work,
    kind: 'ManifestWorkReplicaSet',
    plural: 'manifestworkreplicasets',
    singular: 'manifestworkreplicaset',
    shortNames: ['mwrs'],
    scope: 'Namespaced',
    versions: [
      v('v1alpha1', ManifestWorkReplicaSetSchema, [
        cond('Placement', COND.mwrs.placementVerified, 'reason', 'Reason'),
        cond('Found', COND.mwrs.placementVerified, 'status', 'Configured'),
        cond('ManifestWorks', COND.mwrs.applied, 'reason', 'Reason'),
        cond('Applied', COND.mwrs.applied, 'status', 'Applied'),
      ]),
    ],
  },
  {
    side: 'hub',
    group: GROUP.addon,
    kind: 'ClusterManagementAddOn',
    plural: 'clustermanagementaddons',
    singular: 'clustermanagementaddon',
    shortNames: ['cma', 'cmas'],
    scope: 'Cluster',
    versions: [
      v('v1alpha1', ClusterManagementAddOnSchema, [
        displayName,
        { name: 'CRD NAME', type: 'string', jsonPath: '.spec.addOnConfiguration.crdName' },
      ]),
      { ...v('v1beta1', ClusterManagementAddOnSchema, [displayName]), storage: false },
    ],
  },
  {
    side: 'hub',
    group: GROUP.addon,
    kind: 'ManagedClusterAddOn',
    plural: 'managedclusteraddons',
    singular: 'managedclusteraddon',
    shortNames: ['mca', 'mcas'],
    scope: 'Namespaced',
    versions: [
      v('v1alpha1', ManagedClusterAddOnSchema, addonColumns),
      { ...v('v1beta1', ManagedClusterAddOnSchema, addonColumns), storage: false },
    ],
  },
  {
    side: 'hub',
    group: GROUP.addon,
    kind: 'AddOnTemplate',
    plural: 'addontemplates',
    singular: 'addontemplate',
    scope: 'Cluster',
    versions: [v('v1alpha1', AddOnTemplateSchema, [{ name: 'ADDON NAME', type: 'string', jsonPath: '.spec.addonName' }], false)],
  },
  {
    side: 'hub',
    group: GROUP.addon,
    kind: 'AddOnDeploymentConfig',
    plural: 'addondeploymentconfigs',
    singular: 'addondeploymentconfig',
    scope: 'Namespaced',
    versions: [v('v1alpha1', AddOnDeploymentConfigSchema, undefined, false), { ...v('v1beta1', AddOnDeploymentConfigSchema, undefined, false), storage: false }],
  },
  {
    side: 'spoke',
    group: GROUP.work,
    kind: 'AppliedManifestWork',
    plural: 'appliedmanifestworks',
    singular: 'appliedmanifestwork',
    scope: 'Cluster',
    versions: [v('v1', AppliedManifestWorkSchema, [{ name: 'Work', type: 'string', jsonPath: '.spec.manifestWorkName' }, age])],
  },
  {
    side: 'spoke',
    group: GROUP.cluster,
    kind: 'ClusterClaim',
    plural: 'clusterclaims',
    singular: 'clusterclaim',
    scope: 'Cluster',
    versions: [v('v1alpha1', ClusterClaimSchema, [{ name: 'Value', type: 'string', jsonPath: '.spec.value' }, age], false)],
  },
];

export const crdName = (def: CrdDefinition): string => `${def.plural}.${def.group}`;

/** The definitions of one side, in install order. */
export const crdsFor = (side: Side): CrdDefinition[] => CRDS.filter((d) => d.side === side);

/** The apiextensions.k8s.io/v1 CustomResourceDefinition object of a definition. */
export function crdObject(def: CrdDefinition): KubeObject {
  const names: Record<string, unknown> = { kind: def.kind, listKind: `${def.kind}List`, plural: def.plural, singular: def.singular };
  if (def.shortNames?.length) names.shortNames = [...def.shortNames];
  if (def.categories?.length) names.categories = [...def.categories];
  const spec: Record<string, unknown> = { group: def.group, names, scope: def.scope };
  // Several versions share one storage version and identical-in-shape schemas (see addon.ts).
  if (def.versions.length > 1) spec.conversion = { strategy: 'None' };
  spec.versions = def.versions.map((ver) => {
    const out: Record<string, unknown> = { name: ver.name, served: ver.served, storage: ver.storage };
    if (ver.printerColumns?.length) out.additionalPrinterColumns = ver.printerColumns.map((c) => ({ ...c }));
    out.schema = { openAPIV3Schema: toOpenApi(ver.schema) as JSONSchemaProps };
    if (ver.status) out.subresources = { status: {} };
    return out;
  });
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: crdName(def), labels: { [LABEL.managedBy]: MANAGED_BY } },
    spec,
  };
}

export const CRD_DIR = 'manifests/crds';
export const CRD_HEADER = '# generated by npm run gen:crds; do not edit\n';

/** Repository-relative path of a definition's YAML file. */
export const crdFile = (def: CrdDefinition): string => `${CRD_DIR}/${def.side}/${def.group}_${def.plural}.yaml`;

/** Every CRD file: path relative to the repository root → YAML text. */
export function renderCrdFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const def of CRDS) {
    const text = yaml.dump(crdObject(def), { lineWidth: -1, noRefs: true, quotingType: '"' });
    files.set(crdFile(def), CRD_HEADER + text);
  }
  return files;
}
