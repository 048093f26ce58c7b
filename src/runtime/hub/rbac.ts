/**
 * The least-privilege RBAC of the hub controller runtime itself, for `ocmadm init` to render into
 * the runtime's ClusterRole (cluster-wide rules) and a Role in its own namespace.
 *
 * Granting permissions: Kubernetes lets a subject create a (Cluster)Role or a binding only if it
 * already holds every permission inside it, unless it has `escalate` (roles) or `bind` (bindings).
 * The names of per-cluster roles are dynamic, so `escalate`/`bind` could not be limited by
 * resourceNames: holding them on all clusterroles would let the controller write any rule and
 * bind it to anyone, i.e. become cluster-admin. So the controller holds the (OCM-scoped) rules it
 * grants to agents instead, and has no `escalate`. The only extra permissions that brings are the
 * agents' own: `managedclusters/clientcertificates renew` (a virtual subresource), `manifestworks`
 * update/patch and status, `managedclusteraddons/status`, and events.
 * `bind` it has on the two shared agent roles only, by name: it could bind them anyway (it holds
 * their rules), and with `bind` the API server skips the escalation check of the two RoleBindings
 * each accept makes. That check reads the role of each of the controller's own bindings from etcd,
 * one after another (about 7 reads per binding: 14,000 of the 24,000 etcd reads of accepting
 * 1,000 clusters, each RoleBinding apply taking 0.6-1.3 s on the loaded bench hub).
 */
import { GROUP, RBAC, SA, SIGNER } from '../../api/names.js';
import { REGISTRATION_RULES, WORK_RULES, clusterRoleRules, type PolicyRule } from './cluster-rbac.js';

const WATCH = ['get', 'list', 'watch'];

/** What the controller does itself, rule by rule (why in the trailing comment). */
function ownRules(): PolicyRule[] {
  return [
    // ManagedClusters: finalizers, set label, taints (spec), conditions (status).
    { apiGroups: [GROUP.cluster], resources: ['managedclusters'], verbs: [...WATCH, 'update', 'patch'] },
    { apiGroups: [GROUP.cluster], resources: ['managedclusters/status'], verbs: ['patch', 'update'] },
    // The clusterset label it adds passes the admission guard only with join on `default`.
    { apiGroups: [GROUP.cluster], resources: ['managedclustersets/join'], resourceNames: ['default'], verbs: ['create'] },
    // Built-in sets `default` and `global` (created if missing, spec enforced) and set/binding status.
    { apiGroups: [GROUP.cluster], resources: ['managedclustersets'], verbs: [...WATCH, 'create', 'update', 'patch'] },
    { apiGroups: [GROUP.cluster], resources: ['managedclustersets/status'], verbs: ['patch', 'update'] },
    { apiGroups: [GROUP.cluster], resources: ['managedclustersetbindings'], verbs: WATCH },
    { apiGroups: [GROUP.cluster], resources: ['managedclustersetbindings/status'], verbs: ['patch', 'update'] },
    // GC on cluster deletion; ManifestWorkReplicaSet creates, updates and deletes its works.
    { apiGroups: [GROUP.work], resources: ['manifestworks'], verbs: [...WATCH, 'create', 'update', 'patch', 'delete'] },
    // A replica set's executor is copied into its works; the work guard asks for execute-as, which
    // the replica-set guard already demanded cluster-wide of whoever set it.
    { apiGroups: [GROUP.work], resources: ['manifestworks'], verbs: ['execute-as'] },
    // ManifestWorkReplicaSets: finalizer (patch) and status.
    { apiGroups: [GROUP.work], resources: ['manifestworkreplicasets'], verbs: [...WATCH, 'patch'] },
    { apiGroups: [GROUP.work], resources: ['manifestworkreplicasets/status'], verbs: ['patch', 'update'] },
    // Placement scheduling: status, and the decisions it owns (blockOwnerDeletion needs finalizers update).
    { apiGroups: [GROUP.cluster], resources: ['placements'], verbs: WATCH },
    { apiGroups: [GROUP.cluster], resources: ['placements/status'], verbs: ['patch', 'update'] },
    { apiGroups: [GROUP.cluster], resources: ['placements/finalizers'], verbs: ['update'] },
    { apiGroups: [GROUP.cluster], resources: ['placementdecisions'], verbs: [...WATCH, 'create', 'patch', 'delete'] },
    { apiGroups: [GROUP.cluster], resources: ['placementdecisions/status'], verbs: ['patch', 'update'] },
    // AddOn prioritizers read add-on scores.
    { apiGroups: [GROUP.cluster], resources: ['addonplacementscores'], verbs: WATCH },
    // Add-ons: install by placement (create/delete), owner and status of each enabled add-on.
    { apiGroups: [GROUP.addon], resources: ['managedclusteraddons'], verbs: [...WATCH, 'create', 'patch', 'delete'] },
    { apiGroups: [GROUP.addon], resources: ['clustermanagementaddons', 'addontemplates', 'addondeploymentconfigs'], verbs: WATCH },
    // blockOwnerDeletion on the add-ons and works it owns.
    { apiGroups: [GROUP.addon], resources: ['clustermanagementaddons/finalizers', 'managedclusteraddons/finalizers'], verbs: ['update'] },
    // Cluster namespaces: applied (server-side apply creates or patches), never deleted.
    { apiGroups: [''], resources: ['namespaces'], verbs: [...WATCH, 'create', 'patch'] },
    // Per-cluster RBAC and the shared agent roles: applied, and deleted on cluster removal.
    {
      apiGroups: ['rbac.authorization.k8s.io'],
      resources: ['clusterroles', 'clusterrolebindings', 'rolebindings'],
      verbs: [...WATCH, 'create', 'patch', 'delete'],
    },
    // The per-cluster registration and work RoleBindings refer to these (see the top comment).
    { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], resourceNames: [RBAC.registrationClusterRole, RBAC.workClusterRole], verbs: ['bind'] },
    // managed-cluster-lease in each cluster namespace, and the leader-election Lease.
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: [...WATCH, 'create', 'update', 'patch'] },
    // Renewal CSRs: read, ask a SubjectAccessReview, approve for the client signer only.
    { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: WATCH },
    { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/approval'], verbs: ['update'] },
    { apiGroups: ['certificates.k8s.io'], resources: ['signers'], resourceNames: [SIGNER.kubeApiserverClient], verbs: ['approve'] },
    { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
    { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch', 'update'] },
  ];
}

/**
 * Cluster-wide rules of the hub controller's ClusterRole: its own needs plus every rule it grants
 * to agents (see the comment at the top for why not `escalate`, and `bind` on two roles only).
 */
export function hubControllerClusterRules(opts: { autoApprove?: boolean } = {}): PolicyRule[] {
  const granted = [...clusterRoleRules('*', true), ...REGISTRATION_RULES, ...WORK_RULES].map((r) => {
    // Held cluster-wide, so the per-cluster resourceNames are dropped.
    const { resourceNames: _drop, ...rest } = r;
    return { apiGroups: [...rest.apiGroups], resources: [...rest.resources], verbs: [...rest.verbs] };
  });
  // Auto-approval sets hubAcceptsClient, which the admission guard allows only with this right:
  // held only when `init --auto-approve` turned it on.
  const accept: PolicyRule[] = opts.autoApprove ? [{ apiGroups: [GROUP.register], resources: ['managedclusters/accept'], verbs: ['update'] }] : [];
  return mergeRules([...ownRules(), ...granted, ...accept]);
}

/**
 * Rules of the Role in the controller's own namespace: minting tokens for its own ServiceAccount
 * (the local runtime refreshes its kubeconfig token this way).
 */
export function hubControllerNamespaceRules(serviceAccount: string = SA.hubController): PolicyRule[] {
  return [{ apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: [serviceAccount], verbs: ['create'] }];
}

/** Unions verbs of rules on the same groups/resources/resourceNames, keeping the first order. */
export function mergeRules(rules: PolicyRule[]): PolicyRule[] {
  const out = new Map<string, PolicyRule>();
  for (const r of rules) {
    const key = JSON.stringify([[...r.apiGroups].sort(), [...r.resources].sort(), [...(r.resourceNames ?? [])].sort()]);
    const prev = out.get(key);
    if (!prev) out.set(key, { ...r, apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] });
    else for (const v of r.verbs) if (!prev.verbs.includes(v)) prev.verbs.push(v);
  }
  return [...out.values()];
}

/** Whether `held` covers every verb of `wanted` (resourceNames-restricted rules are not widened). */
export function rulesCover(held: PolicyRule[], wanted: PolicyRule): boolean {
  return wanted.apiGroups.every((g) =>
    wanted.resources.every((res) =>
      wanted.verbs.every((v) =>
        held.some(
          (h) =>
            (h.apiGroups.includes(g) || h.apiGroups.includes('*')) &&
            (h.resources.includes(res) || h.resources.includes('*')) &&
            (h.verbs.includes(v) || h.verbs.includes('*')) &&
            (!h.resourceNames?.length || (wanted.resourceNames?.length && wanted.resourceNames.every((n) => h.resourceNames!.includes(n)))),
        ),
      ),
    ),
  );
}
