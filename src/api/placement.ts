/**
 * cluster.open-cluster-management.io/v1beta1 Placement and PlacementDecision, plus the rollout
 * strategy (cluster/v1alpha1 in OCM) that ManifestWorkReplicaSet and add-ons use to roll out
 * over a placement's decision groups.
 */
import { Type } from '@sinclair/typebox';
import {
  Conditions,
  DateTime,
  Enum,
  Int32,
  Int64,
  IntOrString,
  KindSchema,
  LabelSelector,
  Opt,
  PATTERN,
  SelectorRequirement,
  type Resource,
} from './schema.js';
import { TaintEffects } from './cluster.js';

export const ClaimSelector = Type.Object({ matchExpressions: Opt(Type.Array(SelectorRequirement)) });

export const ClusterSelector = Type.Object({
  labelSelector: Opt(LabelSelector),
  claimSelector: Opt(ClaimSelector),
  celSelector: Opt(Type.Object({ celExpressions: Opt(Type.Array(Type.String())) })),
});

export const ScoreCoordinate = Type.Object({
  type: Enum(['BuiltIn', 'AddOn'], { default: 'BuiltIn' }),
  builtIn: Opt(Type.String({ description: 'Balance, Steady, ResourceAllocatableCPU, ResourceAllocatableMemory or Spread.' })),
  addOn: Opt(Type.Object({ resourceName: Type.String(), scoreName: Type.String() })),
});

export const PrioritizerPolicy = Type.Object({
  mode: Opt(Enum(['Additive', 'Exact'], { default: 'Additive' })),
  configurations: Opt(
    Type.Array(
      Type.Object({
        scoreCoordinate: ScoreCoordinate,
        weight: Opt(Int32({ minimum: -10, maximum: 10, default: 1 })),
      }),
    ),
  ),
});

export const Toleration = Type.Object({
  key: Opt(Type.String({ maxLength: 316, pattern: PATTERN.qualifiedName })),
  operator: Opt(Enum(['Equal', 'Exists'], { default: 'Equal' })),
  value: Opt(Type.String({ maxLength: 1024 })),
  effect: Opt(Enum(TaintEffects)),
  tolerationSeconds: Opt(Int64({ description: 'How long a matching taint is tolerated; unset means forever.' })),
});

export const DecisionStrategy = Type.Object({
  groupStrategy: Opt(
    Type.Object({
      decisionGroups: Opt(
        Type.Array(
          Type.Object({
            groupName: Type.String({ pattern: '^[a-zA-Z0-9][-A-Za-z0-9_.]{0,61}[a-zA-Z0-9]$' }),
            groupClusterSelector: Type.Object({ labelSelector: Opt(LabelSelector), claimSelector: Opt(ClaimSelector) }),
          }),
        ),
      ),
      clustersPerDecisionGroup: Opt(IntOrString({ default: '100%', pattern: '^((100|[1-9][0-9]{0,1})%|[1-9][0-9]*)$' })),
    }),
  ),
});

export const SpreadPolicy = Type.Object({
  spreadConstraints: Opt(
    Type.Array(
      Type.Object({
        topologyKey: Type.String({ maxLength: 316, pattern: PATTERN.qualifiedName }),
        topologyKeyType: Enum(['Label', 'Claim']),
        maxSkew: Opt(Int32({ minimum: 1, default: 1 })),
        whenUnsatisfiable: Opt(Enum(['DoNotSchedule', 'ScheduleAnyway'], { default: 'ScheduleAnyway' })),
      }),
      { maxItems: 8 },
    ),
  ),
});

export const PlacementSpec = Type.Object({
  clusterSets: Opt(Type.Array(Type.String(), { description: 'Bound sets to select from; empty means all bound sets.' })),
  numberOfClusters: Opt(Int32({ minimum: 0, description: 'How many clusters to select; unset means all that match.' })),
  predicates: Opt(Type.Array(Type.Object({ requiredClusterSelector: Opt(ClusterSelector) }))),
  prioritizerPolicy: Opt(PrioritizerPolicy),
  spreadPolicy: Opt(SpreadPolicy),
  tolerations: Opt(Type.Array(Toleration)),
  decisionStrategy: Opt(DecisionStrategy),
  sortBy: Opt(Enum(['ClusterName', 'Score'], { default: 'ClusterName' })),
  scoreRateLimit: Opt(Type.String({ default: '1m', pattern: '^[0-9]+[hms]$' })),
});

export const DecisionGroupStatus = Type.Object({
  decisionGroupIndex: Opt(Int32({ minimum: 0 })),
  decisionGroupName: Opt(Type.String()),
  decisions: Opt(Type.Array(Type.String(), { description: 'Names of the PlacementDecisions of the group.' })),
  clusterCount: Opt(Int32({ minimum: 0, default: 0 })),
});

export const PlacementSchema = KindSchema({
  spec: PlacementSpec,
  status: Opt(
    Type.Object({
      numberOfSelectedClusters: Opt(Int32({ minimum: 0 })),
      decisionGroups: Opt(Type.Array(DecisionGroupStatus)),
      conditions: Opt(Conditions()),
      lastScoreUpdateTime: Opt(DateTime()),
    }),
  ),
}, { description: 'Selects managed clusters from the cluster sets bound to its namespace.' });
export type Placement = Resource<typeof PlacementSchema>;

export const ClusterDecision = Type.Object({
  clusterName: Type.String(),
  reason: Type.String(),
  score: Opt(Int64()),
});

export const PlacementDecisionSchema = KindSchema({
  status: Opt(Type.Object({ decisions: Type.Array(ClusterDecision, { maxItems: 100 }) })),
}, { description: 'Clusters chosen by a placement; at most 100 per object.' });
export type PlacementDecision = Resource<typeof PlacementDecisionSchema>;

// ---- Rollout strategy (shared by ManifestWorkReplicaSet and ClusterManagementAddOn) ----

const rolloutCommon = {
  minSuccessTime: Opt(Type.String({ default: '0', description: 'How long a rolled-out cluster must stay successful.' })),
  progressDeadline: Opt(Type.String({ default: 'None', pattern: PATTERN.duration })),
  maxFailures: Opt(IntOrString({ default: 0, pattern: PATTERN.countOrPercent })),
};

export const MandatoryDecisionGroup = Type.Object({ groupName: Opt(Type.String()), groupIndex: Opt(Int32({ minimum: 0 })) });

export const RolloutStrategy = Type.Object(
  {
    type: Opt(Enum(['All', 'Progressive', 'ProgressivePerGroup'], { default: 'All' })),
    all: Opt(Type.Object(rolloutCommon)),
    progressive: Opt(
      Type.Object({
        ...rolloutCommon,
        mandatoryDecisionGroups: Opt(Type.Array(MandatoryDecisionGroup)),
        maxConcurrency: Opt(IntOrString({ pattern: PATTERN.countOrPercent })),
      }),
    ),
    progressivePerGroup: Opt(Type.Object({ ...rolloutCommon, mandatoryDecisionGroups: Opt(Type.Array(MandatoryDecisionGroup)) })),
  },
  { default: { type: 'All' } },
);
