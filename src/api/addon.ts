/**
 * addon.open-cluster-management.io ClusterManagementAddOn (cluster-scoped) and
 * ManagedClusterAddOn (namespaced in the cluster namespace).
 *
 * OCM stores v1alpha1 and serves v1beta1 through a conversion webhook. We run no webhook, so the
 * CRDs use `conversion: None`: the API server only relabels apiVersion, and after that prunes the
 * object with the schema of the version being read. To lose nothing in either direction, each
 * schema below is the UNION of both versions' fields (used for both versions), with no field
 * required that only one version has, and preserve-unknown-fields on the objects where the two
 * versions differ. The trade-off: nothing maps v1alpha1 `spec.installNamespace` to v1beta1's
 * annotation, or `registrations[{signerName, subject}]` to `{type, kubeClient|customSigner}`;
 * a v1beta1 reader sees the v1alpha1 fields as written (and vice versa), so writers that need
 * both readers must fill both shapes.
 */
import { Type } from '@sinclair/typebox';
import { NS } from './names.js';
import { RolloutStrategy } from './placement.js';
import { Conditions, Enum, Int64, KindSchema, ListMap, Opt, PATTERN, Permissive, RawObject, StringMap, type Resource } from './schema.js';
import { ManifestWorkSpec } from './work.js';

const group = () => Opt(Type.String({ default: '', description: 'API group of the config; empty for the core group.' }));
const resource = () => Type.String({ minLength: 1 });

export const ConfigCoordinates = Type.Object({ group: group(), resource: resource() });

/** A config object of an add-on (AddOnDeploymentConfig and friends). */
export const AddOnConfig = Type.Object({
  group: group(),
  resource: resource(),
  name: Type.String({ minLength: 1 }),
  namespace: Opt(Type.String()),
});

export const ConfigSpecHash = Type.Object({
  name: Type.String({ minLength: 1 }),
  namespace: Opt(Type.String()),
  specHash: Opt(Type.String()),
});

export const AddOnMeta = Type.Object({ displayName: Opt(Type.String()), description: Opt(Type.String()) });

/** v1alpha1 only, deprecated there; kept so such objects survive a round trip. */
export const AddOnConfiguration = Type.Object({
  crdName: Opt(Type.String()),
  crName: Opt(Type.String()),
  lastObservedGeneration: Opt(Int64()),
});

export const PlacementStrategy = Type.Object({
  name: Type.String({ minLength: 1 }),
  namespace: Type.String({ minLength: 1 }),
  configs: Opt(Type.Array(AddOnConfig)),
  rolloutStrategy: Opt(RolloutStrategy),
});

export const InstallStrategy = Type.Object(
  {
    type: Opt(Enum(['Manual', 'Placements'], { default: 'Manual' })),
    placements: Opt(ListMap(PlacementStrategy, ['namespace', 'name'])),
  },
  { default: { type: 'Manual' } },
);

export const DefaultConfigReference = Type.Object({
  group: group(),
  resource: resource(),
  desiredConfig: Opt(ConfigSpecHash),
});

export const InstallProgression = Permissive({
  name: Type.String({ minLength: 1 }),
  namespace: Type.String({ minLength: 1 }),
  conditions: Opt(Conditions()),
  configReferences: Opt(
    Type.Array(
      Permissive({
        group: group(),
        resource: resource(),
        desiredConfig: Opt(ConfigSpecHash),
        lastAppliedConfig: Opt(ConfigSpecHash),
        lastKnownGoodConfig: Opt(ConfigSpecHash),
      }),
    ),
  ),
});

export const ClusterManagementAddOnSchema = KindSchema({
  spec: Permissive({
    addOnMeta: Opt(AddOnMeta),
    installStrategy: Opt(InstallStrategy),
    /** v1beta1 */
    defaultConfigs: Opt(ListMap(AddOnConfig, ['group', 'resource'])),
    /** v1alpha1 */
    supportedConfigs: Opt(
      ListMap(Type.Object({ group: group(), resource: resource(), defaultConfig: Opt(Type.Omit(ConfigSpecHash, ['specHash'])) }), [
        'group',
        'resource',
      ]),
    ),
    /** v1alpha1, deprecated */
    addOnConfiguration: Opt(AddOnConfiguration),
  }),
  status: Opt(
    Permissive({
      /** v1beta1 */
      defaultConfigReferences: Opt(Type.Array(DefaultConfigReference)),
      /** v1alpha1 (its spelling) */
      defaultconfigReferences: Opt(Type.Array(DefaultConfigReference)),
      installProgressions: Opt(Type.Array(InstallProgression)),
    }),
  ),
}, { description: 'An add-on known to the hub, and how it is installed on managed clusters.' });
export type ClusterManagementAddOn = Resource<typeof ClusterManagementAddOnSchema>;

export const RegistrationSubject = Permissive({
  user: Opt(Type.String()),
  groups: Opt(Type.Array(Type.String())),
  /** v1alpha1 spelling */
  organizationUnit: Opt(Type.Array(Type.String())),
  /** v1beta1 spelling */
  organizationUnits: Opt(Type.Array(Type.String())),
});

const signerName = () =>
  Type.String({ minLength: 5, maxLength: 571, pattern: '^([a-z0-9][a-z0-9-]*[a-z0-9]\\.)+[a-z]+/[a-z0-9-.]+$' });

/** Both shapes: v1alpha1 `{signerName, subject}` and v1beta1 `{type, kubeClient | customSigner}`. */
export const Registration = Permissive({
  signerName: Opt(signerName()),
  subject: Opt(RegistrationSubject),
  type: Opt(Enum(['kubeClient', 'customSigner'])),
  kubeClient: Opt(Permissive({ driver: Opt(Enum(['csr', 'token'])), subject: Opt(RegistrationSubject) })),
  customSigner: Opt(Permissive({ signerName: signerName(), subject: Opt(RegistrationSubject) })),
});

export const ConfigReference = Permissive({
  group: group(),
  resource: resource(),
  /** v1alpha1 only */
  name: Opt(Type.String({ minLength: 1 })),
  namespace: Opt(Type.String()),
  desiredConfig: Opt(ConfigSpecHash),
  lastAppliedConfig: Opt(ConfigSpecHash),
  lastObservedGeneration: Opt(Int64()),
});

export const HealthCheckModes = ['Lease', 'Customized'] as const;

export const ManagedClusterAddOnSchema = KindSchema({
  spec: Permissive({
    /** v1alpha1; v1beta1 carries it in an annotation (see the file comment). */
    installNamespace: Opt(Type.String({ default: NS.addonAgent, maxLength: 63, pattern: PATTERN.dnsLabel })),
    configs: Opt(Type.Array(AddOnConfig)),
  }),
  status: Opt(
    Permissive({
      conditions: Opt(Conditions()),
      namespace: Opt(Type.String({ description: 'Where the add-on agent runs on the managed cluster.' })),
      healthCheck: Opt(Type.Object({ mode: Opt(Enum(HealthCheckModes, { default: 'Lease' })) })),
      registrations: Opt(Type.Array(Registration)),
      /** v1alpha1 only */
      kubeClientDriver: Opt(Enum(['csr', 'token'])),
      relatedObjects: Opt(
        Type.Array(Type.Object({ group: Type.String(), resource: Type.String(), name: Type.String(), namespace: Opt(Type.String()) })),
      ),
      supportedConfigs: Opt(ListMap(ConfigCoordinates, ['group', 'resource'])),
      configReferences: Opt(Type.Array(ConfigReference)),
      addOnMeta: Opt(AddOnMeta),
      /** v1alpha1, deprecated */
      addOnConfiguration: Opt(AddOnConfiguration),
    }),
  ),
}, { description: 'An add-on enabled on one managed cluster; lives in the cluster namespace.' });
export type ManagedClusterAddOn = Resource<typeof ManagedClusterAddOnSchema>;

const RoleRef = Type.Object({ apiGroup: Type.String(), kind: Type.String(), name: Type.String() });

/** A hub permission the add-on agent's identity gets (OCM's HubPermissionConfig). */
export const HubPermission = Type.Object({
  type: Enum(['CurrentCluster', 'SingleNamespace']),
  currentCluster: Opt(Type.Object({ clusterRoleName: Type.String({ minLength: 1 }) })),
  singleNamespace: Opt(Type.Object({ namespace: Type.String({ minLength: 1 }), roleRef: RoleRef })),
});

export const TemplateRegistration = Type.Object({
  type: Enum(['KubeClient', 'CustomSigner']),
  kubeClient: Opt(Type.Object({ hubPermissions: Opt(Type.Array(HubPermission)) })),
  customSigner: Opt(
    Type.Object({
      signerName: signerName(),
      subject: Opt(
        Type.Object({
          user: Opt(Type.String()),
          groups: Opt(Type.Array(Type.String())),
          organizationUnit: Opt(Type.Array(Type.String())),
        }),
      ),
      signingCA: Type.Object({ name: Type.String({ minLength: 1 }), namespace: Opt(Type.String()) }),
    }),
  ),
});

/** addon.open-cluster-management.io/v1alpha1 AddOnTemplate (cluster-scoped). */
export const AddOnTemplateSchema = KindSchema({
  spec: Type.Object({
    addonName: Type.String({ minLength: 1 }),
    agentSpec: ManifestWorkSpec,
    registration: Opt(Type.Array(TemplateRegistration)),
  }),
}, { description: "An add-on's agent: the manifests deployed to each cluster and the registrations of its hub identity." });
export type AddOnTemplate = Resource<typeof AddOnTemplateSchema>;

/** AddOnDeploymentConfig (v1alpha1 and v1beta1 share this shape). */
export const AddOnDeploymentConfigSchema = KindSchema({
  spec: Permissive({
    customizedVariables: Opt(
      ListMap(Type.Object({ name: Type.String({ maxLength: 255, pattern: '^[a-zA-Z_][_a-zA-Z0-9]*$' }), value: Type.String({ default: '' }) }), ['name']),
    ),
    nodePlacement: Opt(Type.Object({ nodeSelector: Opt(StringMap()), tolerations: Opt(Type.Array(RawObject())) })),
    registries: Opt(Type.Array(Type.Object({ mirror: Type.String(), source: Type.String() }))),
    proxyConfig: Opt(RawObject()),
    agentInstallNamespace: Opt(Type.String({ maxLength: 63, pattern: PATTERN.dnsLabel })),
    resourceRequirements: Opt(Type.Array(RawObject())),
  }),
}, { description: "Per-cluster or per-placement settings of an add-on's agent: variables, node placement, registries, install namespace." });
export type AddOnDeploymentConfig = Resource<typeof AddOnDeploymentConfigSchema>;
