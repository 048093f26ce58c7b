/**
 * One realistic object of each OCM kind, shaped as ocm-protocol.md describes them. Typed with the
 * generated types (so they also prove the types accept real objects); the unit tests validate them
 * against the schemas and the e2e test creates them on a real API server.
 */
import type {
  AddOnDeploymentConfig,
  AddOnPlacementScore,
  AddOnTemplate,
  AppliedManifestWork,
  ClusterClaim,
  ClusterManagementAddOn,
  ManagedCluster,
  ManagedClusterAddOn,
  ManagedClusterSet,
  ManagedClusterSetBinding,
  ManifestWork,
  ManifestWorkReplicaSet,
  Placement,
  PlacementDecision,
} from './index.js';
import { TYPE } from './index.js';
import { COND, LABEL, REASON, TAINT } from './names.js';

const T0 = '2026-01-02T03:04:05Z';
const cond = (type: string, status: 'True' | 'False' | 'Unknown', reason: string, message = '') => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: T0,
});

export interface Samples {
  managedCluster: ManagedCluster;
  managedClusterSet: ManagedClusterSet;
  managedClusterSetBinding: ManagedClusterSetBinding;
  placement: Placement;
  placementDecision: PlacementDecision;
  addOnPlacementScore: AddOnPlacementScore;
  clusterClaim: ClusterClaim;
  manifestWork: ManifestWork;
  appliedManifestWork: AppliedManifestWork;
  manifestWorkReplicaSet: ManifestWorkReplicaSet;
  clusterManagementAddOn: ClusterManagementAddOn;
  managedClusterAddOn: ManagedClusterAddOn;
  addOnTemplate: AddOnTemplate;
  addOnDeploymentConfig: AddOnDeploymentConfig;
}

/**
 * @param name a prefix for cluster-scoped names (so runs do not collide)
 * @param ns the namespace of the namespaced samples (the "cluster namespace")
 */
export function samples(name = 'cluster1', ns = 'cluster1'): Samples {
  return {
    managedCluster: {
      ...TYPE.managedCluster,
      metadata: { name, labels: { [LABEL.clusterSet]: 'default' } },
      spec: {
        hubAcceptsClient: true,
        leaseDurationSeconds: 60,
        managedClusterClientConfigs: [{ url: 'https://spoke.example.com:6443', caBundle: 'LS0tLS1CRUdJTi0tLS0tCg==' }],
        taints: [{ key: TAINT.unreachable, effect: 'NoSelect', timeAdded: T0 }],
      },
      status: {
        conditions: [
          cond(COND.cluster.hubAccepted, 'True', REASON.cluster.adminAccepted, 'Accepted by hub cluster admin'),
          cond(COND.cluster.joined, 'True', REASON.cluster.joined, 'Managed cluster joined'),
          cond(COND.cluster.available, 'Unknown', REASON.cluster.leaseUpdateStopped, 'Registration agent stopped updating its lease.'),
        ],
        capacity: { cpu: '8', memory: '16318464Ki', pods: 110 },
        allocatable: { cpu: '7500m', memory: '15Gi', pods: 110 },
        version: { kubernetes: 'v1.33.1' },
        clusterClaims: [{ name: 'id.k8s.io', value: 'a1b2c3' }],
      },
    },
    managedClusterSet: {
      ...TYPE.managedClusterSet,
      metadata: { name: `${name}-set` },
      spec: { clusterSelector: { selectorType: 'LabelSelector', labelSelector: { matchLabels: { env: 'prod' } } } },
      status: { conditions: [cond(COND.clusterSet.empty, 'False', REASON.clusterSet.selected, '1 ManagedClusters selected')] },
    },
    managedClusterSetBinding: {
      ...TYPE.managedClusterSetBinding,
      metadata: { name: `${name}-set`, namespace: ns },
      spec: { clusterSet: `${name}-set` },
    },
    placement: {
      ...TYPE.placement,
      metadata: { name: 'placement1', namespace: ns },
      spec: {
        clusterSets: [`${name}-set`],
        numberOfClusters: 2,
        predicates: [
          {
            requiredClusterSelector: {
              labelSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] },
              claimSelector: { matchExpressions: [{ key: 'platform.open-cluster-management.io', operator: 'Exists' }] },
              celSelector: { celExpressions: ['managedCluster.metadata.labels["env"] == "prod"'] },
            },
          },
        ],
        prioritizerPolicy: {
          mode: 'Exact',
          configurations: [
            { scoreCoordinate: { type: 'BuiltIn', builtIn: 'ResourceAllocatableMemory' }, weight: 2 },
            { scoreCoordinate: { type: 'AddOn', addOn: { resourceName: 'default', scoreName: 'cpuratio' } }, weight: 1 },
          ],
        },
        tolerations: [{ key: TAINT.unreachable, operator: 'Exists', tolerationSeconds: 300 }],
        decisionStrategy: {
          groupStrategy: {
            decisionGroups: [{ groupName: 'canary', groupClusterSelector: { labelSelector: { matchLabels: { canary: 'true' } } } }],
            clustersPerDecisionGroup: '25%',
          },
        },
      },
    },
    placementDecision: {
      ...TYPE.placementDecision,
      metadata: {
        name: 'placement1-decision-1',
        namespace: ns,
        labels: { [LABEL.placement]: 'placement1', [LABEL.decisionGroupIndex]: '0', [LABEL.decisionGroupName]: 'canary' },
      },
      status: { decisions: [{ clusterName: name, reason: '', score: 42 }] },
    },
    addOnPlacementScore: {
      ...TYPE.addOnPlacementScore,
      metadata: { name: 'default', namespace: ns },
      status: { scores: [{ name: 'cpuratio', value: 88 }], validUntil: T0 },
    },
    clusterClaim: {
      ...TYPE.clusterClaim,
      metadata: { name: `${name}.claim.example.com` },
      spec: { value: 'prod' },
    },
    manifestWork: {
      ...TYPE.manifestWork,
      metadata: { name: 'work1', namespace: ns },
      spec: {
        workload: {
          manifests: [
            { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm1', namespace: 'default' }, data: { a: 'b' } },
            { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 1 } },
          ],
        },
        deleteOption: {
          propagationPolicy: 'SelectivelyOrphan',
          selectivelyOrphans: { orphaningRules: [{ group: '', resource: 'configmaps', namespace: 'default', name: 'cm1' }] },
          ttlSecondsAfterFinished: 600,
        },
        manifestConfigs: [
          {
            resourceIdentifier: { group: 'apps', resource: 'deployments', namespace: 'default', name: 'web' },
            updateStrategy: {
              type: 'ServerSideApply',
              serverSideApply: { force: true, fieldManager: 'work-agent', ignoreFields: [{ condition: 'OnSpokeChange', jsonPaths: ['.spec.replicas'] }] },
            },
            feedbackRules: [
              { type: 'WellKnownStatus' },
              { type: 'JSONPaths', jsonPaths: [{ name: 'replicas', path: '.status.replicas', version: 'v1' }] },
            ],
            conditionRules: [{ condition: 'Complete', type: 'CEL', celExpressions: ['object.status.readyReplicas > 0'], message: 'ready' }],
            feedbackScrapeType: 'Watch',
          },
        ],
        executor: { subject: { type: 'ServiceAccount', serviceAccount: { namespace: 'default', name: 'deployer' } } },
      },
      status: {
        conditions: [cond(COND.work.applied, 'True', REASON.work.applied), cond(COND.work.available, 'True', REASON.work.available)],
        resourceStatus: {
          manifests: [
            {
              resourceMeta: { ordinal: 1, group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', name: 'web', namespace: 'default' },
              statusFeedback: {
                values: [
                  { name: 'replicas', fieldValue: { type: 'Integer', integer: 1 } },
                  { name: 'ready', fieldValue: { type: 'Boolean', boolean: true } },
                  { name: 'raw', fieldValue: { type: 'JsonRaw', jsonRaw: '{"a":1}' } },
                ],
              },
              conditions: [cond(COND.work.applied, 'True', REASON.manifest.applied)],
            },
          ],
        },
      },
    },
    appliedManifestWork: {
      ...TYPE.appliedManifestWork,
      metadata: { name: `${'a'.repeat(64)}-work1` },
      spec: { hubHash: 'a'.repeat(64), agentID: 'agent-uid', manifestWorkName: 'work1' },
      status: {
        appliedResources: [{ group: '', version: 'v1', resource: 'configmaps', namespace: 'default', name: 'cm1', uid: 'c0ffee' }],
        evictionStartTime: T0,
      },
    },
    manifestWorkReplicaSet: {
      ...TYPE.manifestWorkReplicaSet,
      metadata: { name: 'mwrs1', namespace: ns },
      spec: {
        manifestWorkTemplate: { workload: { manifests: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm2', namespace: 'default' } }] } },
        placementRefs: [{ name: 'placement1', rolloutStrategy: { type: 'Progressive', progressive: { maxConcurrency: '50%', maxFailures: 1 } } }],
        cascadeDeletionPolicy: 'Foreground',
      },
    },
    clusterManagementAddOn: {
      ...TYPE.clusterManagementAddOn,
      metadata: { name: `${name}-addon` },
      spec: {
        addOnMeta: { displayName: 'Sample add-on', description: 'for tests' },
        installStrategy: { type: 'Placements', placements: [{ name: 'placement1', namespace: ns, rolloutStrategy: { type: 'All' } }] },
      },
    },
    managedClusterAddOn: {
      ...TYPE.managedClusterAddOn,
      metadata: { name: `${name}-addon`, namespace: ns },
      spec: { installNamespace: 'open-cluster-management-agent-addon' },
      status: {
        namespace: 'open-cluster-management-agent-addon',
        healthCheck: { mode: 'Lease' },
        registrations: [
          { signerName: 'kubernetes.io/kube-apiserver-client', subject: { user: 'u', groups: ['g'] } },
          { type: 'kubeClient', kubeClient: { driver: 'csr', subject: { user: 'u', groups: ['g'] } } },
        ],
        conditions: [cond('Available', 'True', 'ManagedClusterAddOnLeaseUpdated')],
      },
    },
    addOnTemplate: {
      ...TYPE.addOnTemplate,
      metadata: { name: `${name}-addon-template` },
      spec: {
        addonName: `${name}-addon`,
        agentSpec: {
          workload: {
            manifests: [
              { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'agent-config', namespace: 'open-cluster-management-agent-addon' }, data: { cluster: '{{CLUSTER_NAME}}' } },
            ],
          },
        },
        registration: [
          { type: 'KubeClient', kubeClient: { hubPermissions: [{ type: 'CurrentCluster', currentCluster: { clusterRoleName: 'sample-addon-role' } }] } },
          { type: 'CustomSigner', customSigner: { signerName: 'example.com/sample', signingCA: { name: 'sample-ca', namespace: 'default' } } },
        ],
      },
    },
    addOnDeploymentConfig: {
      ...TYPE.addOnDeploymentConfig,
      metadata: { name: `${name}-addon-config`, namespace: ns },
      spec: {
        customizedVariables: [{ name: 'LOG_LEVEL', value: '2' }],
        nodePlacement: { nodeSelector: { role: 'addons' } },
        registries: [{ source: 'quay.io/ocm', mirror: 'registry.local/ocm' }],
        agentInstallNamespace: 'sample-addon',
      },
    },
  };
}
