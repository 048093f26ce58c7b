/**
 * OCM's wire names: groups, namespaces, secrets, labels, finalizers, RBAC names, condition
 * types and reasons. Every string OCM agents or clusteradm rely on is typed here once.
 */

export const GROUP = {
  cluster: 'cluster.open-cluster-management.io',
  work: 'work.open-cluster-management.io',
  addon: 'addon.open-cluster-management.io',
  register: 'register.open-cluster-management.io',
  operator: 'operator.open-cluster-management.io',
} as const;

export const NS = {
  /** Hub: bootstrap ServiceAccount lives here. */
  hubBootstrap: 'open-cluster-management',
  /** Hub: where the hub controller runtime runs (cluster runtime). */
  hubRuntime: 'open-cluster-management-hub',
  /** Spoke: the klusterlet agent namespace. */
  agent: 'open-cluster-management-agent',
  addonAgent: 'open-cluster-management-agent-addon',
} as const;

export const SECRET = {
  bootstrapHubKubeconfig: 'bootstrap-hub-kubeconfig',
  hubKubeconfig: 'hub-kubeconfig-secret',
  bootstrapTokenId: 'ocmhub',
  bootstrapToken: 'bootstrap-token-ocmhub',
  /**
   * Spoke, agent namespace: the private key (and name) of the agent's CSR in flight, so a
   * restarted agent resumes that CSR instead of filing another. ocmadm's own; OCM keeps it in memory.
   */
  csrKey: 'hub-kubeconfig-secret-csr-key',
} as const;

/** Keys of the hub-kubeconfig secret. */
export const HUB_KUBECONFIG_KEYS = {
  kubeconfig: 'kubeconfig',
  cert: 'tls.crt',
  key: 'tls.key',
  clusterName: 'cluster-name',
  agentName: 'agent-name',
} as const;

export const SA = {
  bootstrap: 'agent-registration-bootstrap',
  hubController: 'ocmadm-hub-controller',
  klusterlet: 'klusterlet-agent',
} as const;

export const LABEL = {
  clusterName: 'open-cluster-management.io/cluster-name',
  addonName: 'open-cluster-management.io/addon-name',
  clusterSet: 'cluster.open-cluster-management.io/clusterset',
  placement: 'cluster.open-cluster-management.io/placement',
  decisionGroupIndex: 'cluster.open-cluster-management.io/decision-group-index',
  decisionGroupName: 'cluster.open-cluster-management.io/decision-group-name',
  cleanupPriority: 'open-cluster-management.io/cleanup-priority',
  spokeOnly: 'open-cluster-management.io/spoke-only',
  mwrs: 'work.open-cluster-management.io/manifestworkreplicaset',
  mwrsPlacement: 'work.open-cluster-management.io/placementname',
  /** ClusterRoles with this label ("true") add to the work agent's rights on the spoke (aggregation). */
  aggregateToWork: 'open-cluster-management.io/aggregate-to-work',
  /** Marks every object ocmadm installs, so `clean` and `unjoin` can find them. */
  managedBy: 'app.kubernetes.io/managed-by',
  /** On what `ocmadm deploy NAME` creates: the NAME, so re-runs and --delete find it all. */
  deploy: 'ocmadm.io/deploy',
  bootstrapTokenApp: 'app',
} as const;

export const MANAGED_BY = 'ocmadm';

export const ANNOTATION = {
  agentPrefix: 'agent.open-cluster-management.io/',
  skipClockSync: 'registration.open-cluster-management.io/skip-clock-sync-check',
  autoAccepted: 'open-cluster-management.io/automatically-accepted-on',
  configSpecHash: 'open-cluster-management.io/config-spec-hash',
  /** GC deletes a cluster's works and add-ons lowest value first (0–100; an annotation in OCM, not a label). */
  cleanupPriority: 'open-cluster-management.io/cleanup-priority',
  /** "false" on the built-in cluster sets stops the hub from enforcing their spec. */
  clusterSetAutoUpdate: 'cluster.open-cluster-management.io/autoupdate',
  /** "true" on a Placement stops the hub from scheduling it (OCM's experimental switch). */
  placementSchedulingDisable: 'cluster.open-cluster-management.io/experimental-scheduling-disable',
} as const;

export const FINALIZER = {
  apiResourceCleanup: 'cluster.open-cluster-management.io/api-resource-cleanup',
  resourceCleanup: 'cluster.open-cluster-management.io/resource-cleanup',
  manifestWorkCleanup: 'cluster.open-cluster-management.io/manifest-work-cleanup',
  appliedManifestWorkCleanup: 'cluster.open-cluster-management.io/applied-manifest-work-cleanup',
  mwrsCleanup: 'work.open-cluster-management.io/manifest-work-cleanup',
} as const;

/** RBAC object names on the hub. */
export const RBAC = {
  bootstrapClusterRole: 'open-cluster-management:bootstrap',
  bootstrapSaBinding: 'open-cluster-management:bootstrap:agent-registration',
  bootstrapTokenBinding: 'open-cluster-management:bootstrap:managedcluster',
  bootstrapTokenGroup: 'system:bootstrappers:managedcluster',
  registrationClusterRole: 'open-cluster-management:managedcluster:registration',
  workClusterRole: 'open-cluster-management:managedcluster:work',
  clusterRole: (c: string) => `open-cluster-management:managedcluster:${c}`,
  clusterRoleBinding: (c: string) => `open-cluster-management:managedcluster:${c}`,
  registrationRoleBinding: (c: string) => `open-cluster-management:managedcluster:${c}:registration`,
  workRoleBinding: (c: string) => `open-cluster-management:managedcluster:${c}:work`,
} as const;

/** Identities of a managed cluster's agent (certificate subject). */
export const IDENTITY = {
  managedClustersGroup: 'system:open-cluster-management:managed-clusters',
  clusterGroup: (c: string) => `system:open-cluster-management:${c}`,
  /** OCM binds this second group too (used by token-based drivers). */
  clusterGroupAlt: (c: string) => `open-cluster-management:${c}`,
  commonName: (c: string, agent: string) => `system:open-cluster-management:${c}:${agent}`,
  commonNamePrefix: 'system:open-cluster-management:',
  bootstrapSaUser: `system:serviceaccount:open-cluster-management:agent-registration-bootstrap`,
  bootstrapTokenUserPrefix: 'system:bootstrap:',
  bootstrapSaGroup: 'system:serviceaccounts:open-cluster-management',
} as const;

export const SIGNER = { kubeApiserverClient: 'kubernetes.io/kube-apiserver-client' } as const;
export const CSR_USAGES = ['digital signature', 'key encipherment', 'client auth'] as const;
/** No new CSR while this many with the cluster label (and no addon label) exist. */
export const MAX_PENDING_CSRS = 10;

/** ClusterClaims: reserved names are always reported, before at most `maxCustom` others. */
export const CLAIM = {
  id: 'id.k8s.io',
  reserved: [
    'id.k8s.io',
    'kubeversion.open-cluster-management.io',
    'platform.open-cluster-management.io',
    'product.open-cluster-management.io',
  ],
  maxCustom: 20,
} as const;

export const LEASE = {
  managedCluster: 'managed-cluster-lease',
  defaultDurationSeconds: 60,
  graceMultiplier: 5,
  /** Leader-election Lease of the hub controller runtime, in its own namespace. */
  hubController: 'ocmadm-hub-controller',
} as const;

/** Built-in placement prioritizers (scoreCoordinate.builtIn). */
export const PRIORITIZER = {
  balance: 'Balance',
  steady: 'Steady',
  cpu: 'ResourceAllocatableCPU',
  memory: 'ResourceAllocatableMemory',
  spread: 'Spread',
} as const;

/** Placement limits OCM applies. */
export const PLACEMENT = {
  /** Clusters per PlacementDecision object. */
  maxDecisionsPerObject: 100,
  /** Decision objects are named `<placement>-decision-<N>`, N from this. */
  firstDecisionIndex: 1,
  /** Prioritizer scores lie in [-max, max]. */
  maxScore: 100,
} as const;

export const CLUSTERSET = { default: 'default', global: 'global' } as const;

export const TAINT = {
  unavailable: 'cluster.open-cluster-management.io/unavailable',
  unreachable: 'cluster.open-cluster-management.io/unreachable',
  effectNoSelect: 'NoSelect',
  /** Placements prefer other clusters but may still select this one. */
  effectPreferNoSelect: 'PreferNoSelect',
  /** Filters the cluster out of new decisions only; clusters already decided stay. */
  effectNoSelectIfNew: 'NoSelectIfNew',
} as const;

/** Condition types and reasons, grouped by the object that carries them. */
export const COND = {
  cluster: {
    hubAccepted: 'HubAcceptedManagedCluster',
    joined: 'ManagedClusterJoined',
    available: 'ManagedClusterConditionAvailable',
    clockSynced: 'ManagedClusterConditionClockSynced',
    certRotated: 'ClusterCertificateRotated',
    deleting: 'Deleting',
  },
  work: {
    applied: 'Applied',
    available: 'Available',
    progressing: 'Progressing',
    degraded: 'Degraded',
    complete: 'Complete',
    deleting: 'Deleting',
    feedbackSynced: 'StatusFeedbackSynced',
  },
  placement: { satisfied: 'PlacementSatisfied', misconfigured: 'PlacementMisconfigured' },
  clusterSet: { empty: 'ClusterSetEmpty' },
  binding: { bound: 'Bound' },
  mwrs: { placementVerified: 'PlacementVerified', rolledOut: 'PlacementRolledOut', applied: 'ManifestworkApplied' },
} as const;

export const REASON = {
  cluster: {
    adminAccepted: 'HubClusterAdminAccepted',
    adminDenied: 'HubClusterAdminDenied',
    acceptError: 'Error',
    joined: 'ManagedClusterJoined',
    available: 'ManagedClusterAvailable',
    kubeApiServerUnavailable: 'ManagedClusterKubeAPIServerUnavailable',
    leaseUpdateStopped: 'ManagedClusterLeaseUpdateStopped',
    clockSynced: 'ManagedClusterClockSynced',
    clockOutOfSync: 'ManagedClusterClockOutOfSync',
    certUpdated: 'ClientCertificateUpdated',
    certUpdateFailed: 'ClientCertificateUpdateFailed',
    resourceRemaining: 'ResourceRemaining',
    noResource: 'NoResource',
    deletingError: 'DeletingError',
  },
  csr: { autoApproved: 'AutoApprovedByHubCSRApprovingController', ocmadmApproved: 'ApprovedByOcmadmAccept' },
  manifest: {
    applied: 'AppliedManifestComplete',
    applyFailed: 'AppliedManifestFailed',
    available: 'ResourceAvailable',
    notAvailable: 'ResourceNotAvailable',
    fetchFailed: 'FetchingResourceFailed',
    incompleteMeta: 'IncompleteResourceMeta',
    feedbackSynced: 'StatusFeedbackSynced',
    noFeedbackSynced: 'NoStatusFeedbackSynced',
    feedbackFailed: 'StatusFeedbackSyncFailed',
    /** Conditions made by manifestConfigs[].conditionRules all carry a reason starting "ConditionRule". */
    ruleEvaluated: 'ConditionRuleEvaluated',
    ruleInvalid: 'ConditionRuleInvalid',
    ruleExpressionError: 'ConditionRuleExpressionError',
    ruleInternalError: 'ConditionRuleInternalError',
  },
  work: {
    applied: 'AppliedManifestWorkComplete',
    applyFailed: 'AppliedManifestWorkFailed',
    available: 'ResourcesAvailable',
    notAvailable: 'ResourcesNotAvailable',
    statusUnknown: 'ResourcesStatusUnknown',
    deleting: 'WorkDeleting',
    rulesAggregated: 'ConditionRulesAggregated',
  },
  placement: {
    noBindings: 'NoManagedClusterSetBindings',
    noIntersection: 'NoIntersection',
    allSetsEmpty: 'AllManagedClusterSetsEmpty',
    noClusterMatched: 'NoManagedClusterMatched',
    notAllScheduled: 'NotAllDecisionsScheduled',
    allScheduled: 'AllDecisionsScheduled',
    /** PlacementMisconfigured True / False (OCM's spelling). */
    misconfigured: 'Misconfigured',
    configured: 'Succeedconfigured',
  },
  mwrs: {
    asExpected: 'AsExpected',
    notAsExpected: 'NotAsExpected',
    processing: 'Processing',
    decisionNotFound: 'PlacementDecisionNotFound',
    decisionEmpty: 'PlacementDecisionEmpty',
    progressing: 'Progressing',
    complete: 'Complete',
  },
  clusterSet: { selected: 'ClustersSelected', noneMatched: 'NoClusterMatched' },
  binding: { bound: 'ClusterSetBound', notFound: 'ClusterSetNotFound' },
} as const;

/** Field managers ocmadm writes with (server-side apply and patches). */
export const FIELD_MANAGER = {
  cli: 'ocmadm',
  hub: 'ocmadm-hub-controller',
  registration: 'ocmadm-registration-agent',
  work: 'work-agent',
} as const;

/** The add-on framework's wire names (addon-framework and OCM's template add-on manager). */
export const ADDON = {
  /** ManifestWorks of an add-on's agent: `addon-<name>-deploy-<i>`, i from 0. */
  deployWorkPrefix: (addon: string) => `addon-${addon}-deploy`,
  deployWork: (addon: string, i = 0) => `addon-${addon}-deploy-${i}`,
  preDeleteWork: (addon: string) => `addon-${addon}-pre-delete`,
  /** Spoke: the add-on agent's hub credentials, in its install namespace. */
  hubKubeconfigSecret: (addon: string) => `${addon}-hub-kubeconfig`,
  /** Where a template agent's pods mount that secret, and the HUB_KUBECONFIG value. */
  hubKubeconfigMountPath: '/managed/hub-kubeconfig',
  hubKubeconfigPath: '/managed/hub-kubeconfig/kubeconfig',
  agentName: (addon: string) => `${addon}-agent`,
  user: (cluster: string, addon: string, agent: string) => `system:open-cluster-management:cluster:${cluster}:addon:${addon}:agent:${agent}`,
  groups: (cluster: string, addon: string) => [`system:open-cluster-management:cluster:${cluster}:addon:${addon}`, `system:open-cluster-management:addon:${addon}`],
  /** RoleBinding a template's hubPermissions become, in the cluster (or the named) namespace. */
  permissionBinding: (addon: string, roleKind: string) => `open-cluster-management:${addon}:${roleKind.toLowerCase()}:agent`,
  templateLabel: 'open-cluster-management.io/addon-template-name',
  namespaceLabel: 'open-cluster-management.io/addon-namespace',
  installNamespaceAnnotation: 'addon.open-cluster-management.io/v1alpha1-install-namespace',
  preDeleteAnnotation: 'addon.open-cluster-management.io/addon-pre-delete',
  /** On a ManagedClusterAddOn whose template has pre-delete hooks: held until the hook work completes. */
  preDeleteFinalizer: 'addon.open-cluster-management.io/addon-pre-delete',
  deletionOrphanAnnotation: 'addon.open-cluster-management.io/deletion-orphan',
  /** Variables every template gets; customized variables cannot override them. */
  builtinVariables: ['CLUSTER_NAME', 'INSTALL_NAMESPACE', 'HUB_KUBECONFIG'] as const,
  defaultInstallNamespace: 'open-cluster-management-agent-addon',
} as const;

export const ADDON_COND = {
  available: 'Available',
  progressing: 'Progressing',
  degraded: 'Degraded',
  configured: 'Configured',
  manifestApplied: 'ManifestApplied',
  hookManifestCompleted: 'HookManifestCompleted',
  registrationApplied: 'RegistrationApplied',
  certRotated: 'ClusterCertificateRotated',
} as const;

export const ADDON_REASON = {
  workNotFound: 'WorkNotFound',
  workApplyFailed: 'WorkApplyFailed',
  workNotApplied: 'WorkNotApplied',
  workApplied: 'WorkApplied',
  noProbeResult: 'NoProbeResult',
  probeUnavailable: 'ProbeUnavailable',
  probeAvailable: 'ProbeAvailable',
  leaseUpdateStopped: 'ManagedClusterAddOnLeaseUpdateStopped',
  leaseNotFound: 'ManagedClusterAddOnLeaseNotFound',
  leaseUpdated: 'ManagedClusterAddOnLeaseUpdated',
  manifestWorkApplyFailed: 'ManifestWorkApplyFailed',
  manifestsApplied: 'AddonManifestApplied',
  manifestsApplyFailed: 'AddonManifestAppliedFailed',
  progressing: 'Progressing',
  completed: 'Completed',
  failed: 'Failed',
  nilRegistration: 'NilRegistration',
  setPermissionFailed: 'SetPermissionFailed',
  setPermissionApplied: 'SetPermissionApplied',
  certUpdated: 'ClientCertificateUpdated',
  certUpdateFailed: 'ClientCertificateUpdateFailed',
  hookCompleted: 'HookManifestIsCompleted',
  hookNotCompleted: 'HookManifestIsNotCompleted',
} as const;
