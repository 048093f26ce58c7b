/**
 * cluster.open-cluster-management.io: ManagedCluster (v1), ManagedClusterSet and
 * ManagedClusterSetBinding (v1beta2), ClusterClaim and AddOnPlacementScore (v1alpha1).
 * Placement and PlacementDecision are in placement.ts.
 */
import { Type } from '@sinclair/typebox';
import { LEASE } from './names.js';
import {
  Conditions,
  DateTime,
  Enum,
  Int32,
  KindSchema,
  LabelSelector,
  ListMap,
  Nullable,
  Opt,
  PATTERN,
  ResourceList,
  type Resource,
} from './schema.js';

// ---- ManagedCluster (v1, cluster-scoped) ----

export const ClientConfig = Type.Object({
  url: Type.String({ description: 'URL of the managed cluster API server, https only.' }),
  caBundle: Opt(Type.String({ format: 'byte', description: 'Base64 PEM CA bundle for that URL.' })),
});

export const TaintEffects = ['NoSelect', 'PreferNoSelect', 'NoSelectIfNew'] as const;

export const Taint = Type.Object({
  key: Type.String({ maxLength: 316, pattern: PATTERN.qualifiedName }),
  value: Opt(Type.String({ maxLength: 1024 })),
  effect: Enum(TaintEffects, { description: 'How placements treat clusters that carry the taint.' }),
  timeAdded: Opt(Nullable(DateTime({ description: 'Set by the hub when the taint is added.' }))),
});

export const ManagedClusterSpec = Type.Object({
  hubAcceptsClient: Opt(Type.Boolean({ description: 'Set by a hub admin to accept the cluster; never by the agent.' })),
  managedClusterClientConfigs: Opt(Type.Array(ClientConfig)),
  leaseDurationSeconds: Opt(
    Int32({ minimum: 0, default: LEASE.defaultDurationSeconds, description: 'Lease renewal period of the agent; 0 means 60.' }),
  ),
  taints: Opt(Type.Array(Taint)),
});

export const ClusterClaimValue = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 253 }),
  value: Type.String({ minLength: 1, maxLength: 1024 }),
});

export const ManagedNamespaceStatus = Type.Object({
  clusterSet: Type.String(),
  name: Type.String({ maxLength: 63, pattern: PATTERN.dnsLabel }),
  conditions: Opt(Conditions()),
});

export const ManagedClusterStatus = Type.Object({
  conditions: Opt(Conditions()),
  capacity: Opt(ResourceList({ description: 'Summed capacity of all nodes.' })),
  allocatable: Opt(ResourceList({ description: 'Summed allocatable resources of schedulable nodes.' })),
  version: Opt(Type.Object({ kubernetes: Opt(Type.String()) })),
  clusterClaims: Opt(Type.Array(ClusterClaimValue)),
  managedNamespaces: Opt(ListMap(ManagedNamespaceStatus, ['clusterSet', 'name'])),
});

export const ManagedClusterSchema = KindSchema(
  { spec: Opt(ManagedClusterSpec), status: Opt(ManagedClusterStatus) },
  { description: 'A cluster registered with this hub: spec written by the agent and the hub admin, status by the agent and the hub.' },
);
export type ManagedCluster = Resource<typeof ManagedClusterSchema>;

// ---- ClusterClaim (v1alpha1, cluster-scoped, on the spoke) ----

export const ClusterClaimSchema = KindSchema(
  { spec: Opt(Type.Object({ value: Opt(Type.String({ minLength: 1, maxLength: 1024 })) })) },
  { description: 'A fact about the managed cluster, reported to the hub in ManagedCluster status.clusterClaims.' },
);
export type ClusterClaim = Resource<typeof ClusterClaimSchema>;

// ---- ManagedClusterSet (v1beta2, cluster-scoped) ----

export const SelectorTypes = ['ExclusiveClusterSetLabel', 'LabelSelector'] as const;
const exclusive = { selectorType: 'ExclusiveClusterSetLabel' };

export const ManagedClusterSelector = Type.Object(
  {
    selectorType: Enum(SelectorTypes, { default: exclusive.selectorType }),
    labelSelector: Opt(LabelSelector),
  },
  { default: exclusive },
);

export const ManagedClusterSetSchema = KindSchema({
  spec: Opt(
    Type.Object(
      {
        clusterSelector: Opt(ManagedClusterSelector),
        managedNamespaces: Opt(ListMap(Type.Object({ name: Type.String({ maxLength: 63, pattern: PATTERN.dnsLabel }) }), ['name'])),
      },
      { default: { clusterSelector: exclusive } },
    ),
  ),
  status: Opt(Type.Object({ conditions: Opt(Conditions({ map: false })) })),
}, { description: 'A group of managed clusters, selected by the clusterset label or a label selector.' });
export type ManagedClusterSet = Resource<typeof ManagedClusterSetSchema>;

// ---- ManagedClusterSetBinding (v1beta2, namespaced) ----

export const ManagedClusterSetBindingSchema = KindSchema(
  {
    spec: Type.Object({
      clusterSet: Type.String({ minLength: 1, maxLength: 253, description: 'Name of the bound set; must equal the binding name.' }),
    }),
    status: Opt(Type.Object({ conditions: Opt(Conditions({ map: false })) })),
  },
  {
    description: 'Makes a cluster set usable by placements in this namespace.',
    // OCM enforces this in a webhook; a CEL rule does it without one.
    'x-kubernetes-validations': [
      { rule: 'self.metadata.name == self.spec.clusterSet', message: 'the binding name must equal spec.clusterSet', fieldPath: '.spec.clusterSet' },
    ],
  },
);
export type ManagedClusterSetBinding = Resource<typeof ManagedClusterSetBindingSchema>;

// ---- AddOnPlacementScore (v1alpha1, namespaced; status only) ----

export const AddOnPlacementScoreSchema = KindSchema({
  status: Opt(
    Type.Object({
      conditions: Opt(Conditions()),
      scores: Opt(
        ListMap(Type.Object({ name: Type.String(), value: Int32({ minimum: -100, maximum: 100 }) }), ['name']),
      ),
      validUntil: Opt(DateTime({ description: 'Scores are stale after this time.' })),
    }),
  ),
}, { description: 'Scores an add-on reports for a cluster, used by placement prioritizers.' });
export type AddOnPlacementScore = Resource<typeof AddOnPlacementScoreSchema>;
