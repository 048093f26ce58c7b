import { acceptedClusterObjects, clusterRole, clusterRoleBinding, registrationRoleBinding, sameRules, sharedClusterRoles, workRoleBinding } from './cluster-rbac.js';

const groups = [
  { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:open-cluster-management:c1' },
  { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'open-cluster-management:c1' },
];
const label = { 'open-cluster-management.io/cluster-name': 'c1' };

describe('per-cluster RBAC', () => {
  test('accepted ClusterRole has exactly OCM rules', () => {
    expect(clusterRole('c1', true)).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'open-cluster-management:managedcluster:c1', labels: label },
      rules: [
        { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['create', 'get', 'list', 'watch'] },
        { apiGroups: ['register.open-cluster-management.io'], resources: ['managedclusters/clientcertificates'], verbs: ['renew'] },
        { apiGroups: ['cluster.open-cluster-management.io'], resources: ['managedclusters'], resourceNames: ['c1'], verbs: ['get', 'list', 'update', 'watch'] },
        { apiGroups: ['cluster.open-cluster-management.io'], resources: ['managedclusters/status'], resourceNames: ['c1'], verbs: ['patch', 'update'] },
      ],
    });
  });

  test('denied ClusterRole only reads its own cluster', () => {
    expect(clusterRole('c1', false).rules).toEqual([
      { apiGroups: ['cluster.open-cluster-management.io'], resources: ['managedclusters'], resourceNames: ['c1'], verbs: ['get', 'list', 'watch'] },
    ]);
  });

  test('bindings name the two agent groups', () => {
    expect(clusterRoleBinding('c1')).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'open-cluster-management:managedcluster:c1', labels: label },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'open-cluster-management:managedcluster:c1' },
      subjects: groups,
    });
    expect(registrationRoleBinding('c1')).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'open-cluster-management:managedcluster:c1:registration', namespace: 'c1', labels: label },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'open-cluster-management:managedcluster:registration' },
      subjects: groups,
    });
    expect(workRoleBinding('c1')).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: {
        name: 'open-cluster-management:managedcluster:c1:work',
        namespace: 'c1',
        labels: label,
        finalizers: ['cluster.open-cluster-management.io/manifest-work-cleanup'],
      },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'open-cluster-management:managedcluster:work' },
      subjects: groups,
    });
  });

  test('shared ClusterRoles as in the table', () => {
    const [reg, work] = sharedClusterRoles();
    expect(reg?.metadata?.name).toBe('open-cluster-management:managedcluster:registration');
    expect(reg?.metadata?.labels).toEqual({ 'open-cluster-management.io/cluster-name': '' });
    expect(reg?.rules).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'watch', 'update'] },
      { apiGroups: ['addon.open-cluster-management.io'], resources: ['managedclusteraddons'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['addon.open-cluster-management.io'], resources: ['managedclusteraddons/status'], verbs: ['patch', 'update'] },
      { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create'] },
    ]);
    expect(work?.metadata?.name).toBe('open-cluster-management:managedcluster:work');
    expect(work?.rules).toEqual([
      { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch', 'update'] },
      { apiGroups: ['work.open-cluster-management.io'], resources: ['manifestworks'], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
      { apiGroups: ['work.open-cluster-management.io'], resources: ['manifestworks/status'], verbs: ['patch', 'update'] },
    ]);
  });

  test('accept applies the namespace first and shared roles before bindings to them', () => {
    const names = acceptedClusterObjects('c1').map((o) => `${o.kind}/${o.metadata?.name}`);
    expect(names).toEqual([
      'Namespace/c1',
      'ClusterRole/open-cluster-management:managedcluster:registration',
      'ClusterRole/open-cluster-management:managedcluster:work',
      'ClusterRole/open-cluster-management:managedcluster:c1',
      'ClusterRoleBinding/open-cluster-management:managedcluster:c1',
      'RoleBinding/open-cluster-management:managedcluster:c1:registration',
      'RoleBinding/open-cluster-management:managedcluster:c1:work',
    ]);
    expect(acceptedClusterObjects('c1')[0]?.metadata?.labels).toEqual(label);
  });

  test('rule comparison ignores order but not content', () => {
    const r = clusterRole('c1', true).rules;
    expect(sameRules([...r].reverse(), r)).toBe(true);
    expect(sameRules(r, clusterRole('c1', false).rules)).toBe(false);
    expect(sameRules(undefined, r)).toBe(false);
  });
});
