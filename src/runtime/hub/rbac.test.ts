import { REGISTRATION_RULES, WORK_RULES, clusterRoleRules } from './cluster-rbac.js';
import { hubControllerClusterRules, hubControllerNamespaceRules, mergeRules, rulesCover } from './rbac.js';

describe('hub controller RBAC', () => {
  const rules = hubControllerClusterRules();

  test('holds every rule it grants to agents, so it needs no escalate (nor bind on the per-cluster roles)', () => {
    for (const granted of [...clusterRoleRules('c1', true), ...clusterRoleRules('c1', false), ...REGISTRATION_RULES, ...WORK_RULES]) {
      expect([granted, rulesCover(rules, granted)]).toEqual([granted, true]);
    }
  });

  test('has no wildcard, escalate, impersonate, or secrets access; bind only on the two shared agent roles, by name', () => {
    for (const r of rules) {
      expect(r.verbs).not.toEqual(expect.arrayContaining(['*']));
      expect(r.resources).not.toEqual(expect.arrayContaining(['*']));
      expect(r.apiGroups).not.toEqual(expect.arrayContaining(['*']));
      for (const v of ['escalate', 'impersonate']) expect(r.verbs).not.toContain(v);
      expect(r.resources).not.toContain('secrets');
    }
    const binds = rules.filter((r) => r.verbs.includes('bind'));
    expect(binds).toEqual([
      {
        apiGroups: ['rbac.authorization.k8s.io'],
        resources: ['clusterroles'],
        resourceNames: ['open-cluster-management:managedcluster:registration', 'open-cluster-management:managedcluster:work'],
        verbs: ['bind'],
      },
    ]);
    expect(rulesCover(rules, { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], resourceNames: ['open-cluster-management:managedcluster:c1'], verbs: ['bind'] })).toBe(false);
  });

  test('approves CSRs only for the kube-apiserver-client signer', () => {
    expect(rulesCover(rules, { apiGroups: ['certificates.k8s.io'], resources: ['signers'], resourceNames: ['kubernetes.io/kube-apiserver-client'], verbs: ['approve'] })).toBe(true);
    expect(rulesCover(rules, { apiGroups: ['certificates.k8s.io'], resources: ['signers'], resourceNames: ['kubernetes.io/kubelet-serving'], verbs: ['approve'] })).toBe(false);
    expect(rulesCover(rules, { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/approval'], verbs: ['update'] })).toBe(true);
  });

  test('can do what the reconcilers do', () => {
    const need = [
      { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
      { apiGroups: [''], resources: ['namespaces'], verbs: ['create', 'get', 'list', 'watch', 'patch'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create', 'get', 'update', 'watch'] },
      { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create'] },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles', 'clusterrolebindings', 'rolebindings'], verbs: ['patch', 'delete', 'watch'] },
      { apiGroups: ['work.open-cluster-management.io'], resources: ['manifestworks'], verbs: ['list', 'watch', 'delete'] },
      { apiGroups: ['addon.open-cluster-management.io'], resources: ['managedclusteraddons'], verbs: ['list', 'watch', 'delete'] },
      { apiGroups: ['cluster.open-cluster-management.io'], resources: ['managedclusters', 'managedclustersets'], verbs: ['patch', 'watch'] },
      { apiGroups: ['cluster.open-cluster-management.io'], resources: ['managedclusters/status', 'managedclustersets/status', 'managedclustersetbindings/status'], verbs: ['patch'] },
      { apiGroups: ['cluster.open-cluster-management.io'], resources: ['managedclustersets/join'], resourceNames: ['default'], verbs: ['create'] },
      // Placement scheduling and ManifestWorkReplicaSet.
      { apiGroups: ['cluster.open-cluster-management.io'], resources: ['placements', 'placementdecisions', 'addonplacementscores'], verbs: ['list', 'watch'] },
      { apiGroups: ['cluster.open-cluster-management.io'], resources: ['placements/status', 'placementdecisions/status'], verbs: ['patch'] },
      { apiGroups: ['cluster.open-cluster-management.io'], resources: ['placementdecisions'], verbs: ['create', 'patch', 'delete'] },
      { apiGroups: ['work.open-cluster-management.io'], resources: ['manifestworks'], verbs: ['create', 'update', 'delete'] },
      { apiGroups: ['work.open-cluster-management.io'], resources: ['manifestworkreplicasets'], verbs: ['list', 'watch', 'patch'] },
      { apiGroups: ['work.open-cluster-management.io'], resources: ['manifestworkreplicasets/status'], verbs: ['patch'] },
    ];
    for (const n of need) expect([n, rulesCover(rules, n)]).toEqual([n, true]);
  });

  test('never writes placements or set specs (only their status, finalizers and owner references)', () => {
    expect(rulesCover(rules, { apiGroups: ['cluster.open-cluster-management.io'], resources: ['placements'], verbs: ['patch'] })).toBe(false);
    expect(rulesCover(rules, { apiGroups: ['work.open-cluster-management.io'], resources: ['manifestworkreplicasets'], verbs: ['update'] })).toBe(false);
  });

  test('no two rules share groups, resources and names (merged)', () => {
    expect(mergeRules(rules)).toEqual(rules);
  });

  test('mints tokens only for its own ServiceAccount', () => {
    expect(hubControllerNamespaceRules('me')).toEqual([
      { apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: ['me'], verbs: ['create'] },
    ]);
  });
});
