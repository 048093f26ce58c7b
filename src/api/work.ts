/**
 * work.open-cluster-management.io: ManifestWork (v1, hub, namespaced in the cluster namespace),
 * AppliedManifestWork (v1, spoke, cluster-scoped) and ManifestWorkReplicaSet (v1alpha1, hub).
 */
import { Type, type Static } from '@sinclair/typebox';
import { FIELD_MANAGER } from './names.js';
import { RolloutStrategy } from './placement.js';
import {
  Conditions,
  DateTime,
  EmbeddedResource,
  Enum,
  Int32,
  Int64,
  KindSchema,
  ListMap,
  Opt,
  PATTERN,
  type Resource,
} from './schema.js';

/** Selects resources by group/resource/namespace/name; `*` is allowed in manifestConfigs. */
export const ResourceIdentifier = Type.Object({
  group: Opt(Type.String({ description: 'API group; empty for the core group.' })),
  resource: Type.String({ description: 'Plural resource name, e.g. deployments.' }),
  namespace: Opt(Type.String()),
  name: Type.String(),
});

export const PropagationPolicies = ['Foreground', 'Orphan', 'SelectivelyOrphan'] as const;

export const DeleteOption = Type.Object({
  propagationPolicy: Opt(Enum(PropagationPolicies, { default: 'Foreground' })),
  selectivelyOrphans: Opt(Type.Object({ orphaningRules: Opt(Type.Array(ResourceIdentifier)) })),
  ttlSecondsAfterFinished: Opt(Int64({ minimum: 0, description: 'Delete the work this long after it is Complete.' })),
});

export const UpdateStrategyTypes = ['Update', 'CreateOnly', 'ServerSideApply', 'ReadOnly'] as const;

export const IgnoreField = Type.Object({
  condition: Enum(['OnSpokePresent', 'OnSpokeChange'], { default: 'OnSpokePresent' }),
  jsonPaths: Opt(Type.Array(Type.String())),
  jsonPointers: Opt(Type.Array(Type.String())),
  jqPathExpressions: Opt(Type.Array(Type.String())),
});

export const UpdateStrategy = Type.Object({
  type: Enum(UpdateStrategyTypes, { default: 'Update' }),
  serverSideApply: Opt(
    Type.Object({
      force: Opt(Type.Boolean()),
      fieldManager: Opt(Type.String({ default: FIELD_MANAGER.work, pattern: `^${FIELD_MANAGER.work}` })),
      ignoreFields: Opt(ListMap(IgnoreField, ['condition'])),
    }),
  ),
});

export const FeedbackRule = Type.Object({
  type: Enum(['WellKnownStatus', 'JSONPaths']),
  jsonPaths: Opt(ListMap(Type.Object({ name: Type.String(), path: Type.String(), version: Opt(Type.String()) }), ['name'])),
});

export const ConditionRule = Type.Object(
  {
    condition: Type.String({ description: 'The condition type to set on the manifest.' }),
    type: Enum(['WellKnownConditions', 'CEL']),
    celExpressions: Opt(Type.Array(Type.String())),
    message: Opt(Type.String()),
    messageExpression: Opt(Type.String()),
  },
  { 'x-kubernetes-validations': [{ rule: "self.type != 'CEL' || self.condition != ''", message: 'a CEL rule needs a condition' }] },
);

export const ManifestConfig = Type.Object({
  resourceIdentifier: ResourceIdentifier,
  updateStrategy: Opt(UpdateStrategy),
  feedbackRules: Opt(Type.Array(FeedbackRule)),
  conditionRules: Opt(ListMap(ConditionRule, ['condition'])),
  feedbackScrapeType: Opt(Enum(['Poll', 'Watch'], { default: 'Poll' })),
});

export const ServiceAccountSubject = Type.Object({
  namespace: Type.String({ minLength: 1, maxLength: 253, pattern: PATTERN.dnsSubdomain }),
  name: Type.String({ minLength: 1, maxLength: 253, pattern: PATTERN.dnsSubdomain }),
});

export const ManifestWorkSpec = Type.Object({
  workload: Opt(Type.Object({ manifests: Opt(Type.Array(EmbeddedResource({ description: 'A whole Kubernetes object to apply.' }))) })),
  deleteOption: Opt(DeleteOption),
  manifestConfigs: Opt(Type.Array(ManifestConfig)),
  executor: Opt(
    Type.Object({
      subject: Opt(Type.Object({ type: Enum(['ServiceAccount']), serviceAccount: Opt(ServiceAccountSubject) })),
    }),
  ),
});

export const ResourceMeta = Type.Object({
  ordinal: Int32({ description: 'Index of the manifest in spec.workload.manifests.' }),
  group: Opt(Type.String()),
  version: Opt(Type.String()),
  kind: Opt(Type.String()),
  resource: Opt(Type.String()),
  name: Opt(Type.String()),
  namespace: Opt(Type.String()),
});

export const FieldValue = Type.Object({
  type: Enum(['Integer', 'String', 'Boolean', 'JsonRaw']),
  integer: Opt(Int64()),
  string: Opt(Type.String()),
  boolean: Opt(Type.Boolean()),
  jsonRaw: Opt(Type.String({ maxLength: 1024 })),
});

export const ManifestCondition = Type.Object({
  resourceMeta: ResourceMeta,
  statusFeedback: Opt(Type.Object({ values: Opt(ListMap(Type.Object({ name: Type.String(), fieldValue: FieldValue }), ['name'])) })),
  conditions: Conditions(),
});

export const ManifestWorkSchema = KindSchema({
  spec: Opt(ManifestWorkSpec),
  status: Opt(
    Type.Object({
      conditions: Opt(Conditions()),
      resourceStatus: Opt(Type.Object({ manifests: Opt(Type.Array(ManifestCondition)) })),
    }),
  ),
}, { description: 'Kubernetes objects to apply on the managed cluster whose namespace holds the work.' });
export type ManifestWork = Resource<typeof ManifestWorkSchema>;

// ---- AppliedManifestWork (v1, cluster-scoped, on the spoke) ----

export const AppliedResource = Type.Object({
  group: Opt(Type.String()),
  version: Type.String(),
  resource: Type.String(),
  namespace: Opt(Type.String()),
  name: Type.String(),
  uid: Opt(Type.String()),
});

export const AppliedManifestWorkSchema = KindSchema({
  spec: Opt(
    Type.Object({
      hubHash: Type.String({ description: 'Lowercase hex sha256 of the hub server URL.' }),
      agentID: Opt(Type.String()),
      manifestWorkName: Type.String(),
    }),
  ),
  status: Opt(
    Type.Object({
      appliedResources: Opt(Type.Array(AppliedResource)),
      evictionStartTime: Opt(DateTime()),
    }),
  ),
}, { description: 'Spoke-side record of the resources a ManifestWork applied, owner of those resources.' });
export type AppliedManifestWork = Resource<typeof AppliedManifestWorkSchema>;

// ---- ManifestWorkReplicaSet (v1alpha1, hub, namespaced) ----

const count = () => Opt(Type.Integer({ minimum: 0 }));
export const ReplicaSetSummary = Type.Object({
  total: count(),
  desiredTotal: count(),
  applied: count(),
  available: count(),
  progressing: count(),
  degraded: count(),
  updated: count(),
});

export const ManifestWorkReplicaSetSchema = KindSchema({
  spec: Opt(
    Type.Object({
      manifestWorkTemplate: Opt(ManifestWorkSpec),
      placementRefs: Type.Array(
        Type.Object({ name: Type.String({ minLength: 1 }), rolloutStrategy: Opt(RolloutStrategy) }),
        { minItems: 1 },
      ),
      cascadeDeletionPolicy: Opt(Enum(['Background', 'Foreground'], { default: 'Background' })),
    }),
  ),
  status: Opt(
    Type.Object({
      conditions: Opt(Conditions()),
      summary: Opt(ReplicaSetSummary),
      placementSummary: Opt(
        Type.Array(
          Type.Object({ name: Opt(Type.String()), availableDecisionGroups: Opt(Type.String()), summary: Opt(ReplicaSetSummary) }),
        ),
      ),
    }),
  ),
}, { description: 'A ManifestWork template deployed to every cluster its placements select.' });
export type ManifestWorkReplicaSet = Resource<typeof ManifestWorkReplicaSetSchema>;

// ---- Types of the parts the work agent reads and writes ----
export type ResourceIdentifierT = Static<typeof ResourceIdentifier>;
export type ManifestConfigT = Static<typeof ManifestConfig>;
export type FeedbackRuleT = Static<typeof FeedbackRule>;
export type DeleteOptionT = Static<typeof DeleteOption>;
export type ResourceMetaT = Static<typeof ResourceMeta>;
export type FieldValueT = Static<typeof FieldValue>;
export type ManifestConditionT = Static<typeof ManifestCondition>;
export type AppliedResourceT = Static<typeof AppliedResource>;
