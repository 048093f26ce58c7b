/**
 * What the hub grants a managed cluster's agents (ocm-protocol.md §2 "On accept"): the cluster
 * namespace, the per-cluster ClusterRole/ClusterRoleBinding, the two shared ClusterRoles and the
 * registration/work RoleBindings. Pure builders: the reconcilers apply what these return.
 */
import type { KubeObject } from '../../kube/client.js';
import { FINALIZER, GROUP, IDENTITY, LABEL, RBAC } from '../../api/names.js';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

export interface Subject {
  kind: 'Group' | 'User' | 'ServiceAccount';
  apiGroup?: string;
  name: string;
  namespace?: string;
}

export interface ClusterRole extends KubeObject {
  rules: PolicyRule[];
}

export interface RoleBinding extends KubeObject {
  roleRef: { apiGroup: string; kind: 'ClusterRole' | 'Role'; name: string };
  subjects: Subject[];
}

const RBAC_V1 = 'rbac.authorization.k8s.io/v1';
const RBAC_GROUP = 'rbac.authorization.k8s.io';

const clusterLabel = (c: string) => ({ [LABEL.clusterName]: c });

/** Both groups an agent of cluster `c` authenticates with (certificate O, or token drivers). */
export function agentSubjects(c: string): Subject[] {
  return [
    { kind: 'Group', apiGroup: RBAC_GROUP, name: IDENTITY.clusterGroup(c) },
    { kind: 'Group', apiGroup: RBAC_GROUP, name: IDENTITY.clusterGroupAlt(c) },
  ];
}

export function clusterNamespace(c: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: c, labels: clusterLabel(c) } };
}

/** Rules of `open-cluster-management:managedcluster:<c>`; a denied cluster may only read itself. */
export function clusterRoleRules(c: string, accepted: boolean): PolicyRule[] {
  const own = { apiGroups: [GROUP.cluster], resources: ['managedclusters'], resourceNames: [c] };
  if (!accepted) return [{ ...own, verbs: ['get', 'list', 'watch'] }];
  return [
    { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['create', 'get', 'list', 'watch'] },
    { apiGroups: [GROUP.register], resources: ['managedclusters/clientcertificates'], verbs: ['renew'] },
    { ...own, verbs: ['get', 'list', 'update', 'watch'] },
    { apiGroups: [GROUP.cluster], resources: ['managedclusters/status'], resourceNames: [c], verbs: ['patch', 'update'] },
  ];
}

export function clusterRole(c: string, accepted: boolean): ClusterRole {
  return {
    apiVersion: RBAC_V1,
    kind: 'ClusterRole',
    metadata: { name: RBAC.clusterRole(c), labels: clusterLabel(c) },
    rules: clusterRoleRules(c, accepted),
  };
}

export function clusterRoleBinding(c: string): RoleBinding {
  return {
    apiVersion: RBAC_V1,
    kind: 'ClusterRoleBinding',
    metadata: { name: RBAC.clusterRoleBinding(c), labels: clusterLabel(c) },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: RBAC.clusterRole(c) },
    subjects: agentSubjects(c),
  };
}

export const REGISTRATION_RULES: readonly PolicyRule[] = Object.freeze([
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'watch', 'update'] },
  { apiGroups: [GROUP.addon], resources: ['managedclusteraddons'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [GROUP.addon], resources: ['managedclusteraddons/status'], verbs: ['patch', 'update'] },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create'] },
]);

export const WORK_RULES: readonly PolicyRule[] = Object.freeze([
  { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch', 'update'] },
  { apiGroups: [GROUP.work], resources: ['manifestworks'], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
  { apiGroups: [GROUP.work], resources: ['manifestworks/status'], verbs: ['patch', 'update'] },
]);

/** The two ClusterRoles every cluster's RoleBindings point at; OCM labels them cluster-name "". */
export function sharedClusterRoles(): ClusterRole[] {
  const role = (name: string, rules: readonly PolicyRule[]): ClusterRole => ({
    apiVersion: RBAC_V1,
    kind: 'ClusterRole',
    metadata: { name, labels: clusterLabel('') },
    rules: rules.map((r) => ({ ...r, apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] })),
  });
  return [role(RBAC.registrationClusterRole, REGISTRATION_RULES), role(RBAC.workClusterRole, WORK_RULES)];
}

export function registrationRoleBinding(c: string): RoleBinding {
  return {
    apiVersion: RBAC_V1,
    kind: 'RoleBinding',
    metadata: { name: RBAC.registrationRoleBinding(c), namespace: c, labels: clusterLabel(c) },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: RBAC.registrationClusterRole },
    subjects: agentSubjects(c),
  };
}

/** The work RoleBinding outlives a deny or delete (finalizer) until the namespace has no ManifestWorks. */
export function workRoleBinding(c: string): RoleBinding {
  return {
    apiVersion: RBAC_V1,
    kind: 'RoleBinding',
    metadata: {
      name: RBAC.workRoleBinding(c),
      namespace: c,
      labels: clusterLabel(c),
      finalizers: [FINALIZER.manifestWorkCleanup],
    },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: RBAC.workClusterRole },
    subjects: agentSubjects(c),
  };
}

/** Everything an accepted cluster gets, in apply order (shared roles before the bindings to them). */
export function acceptedClusterObjects(c: string): KubeObject[] {
  return [
    clusterNamespace(c),
    ...sharedClusterRoles(),
    clusterRole(c, true),
    clusterRoleBinding(c),
    registrationRoleBinding(c),
    workRoleBinding(c),
  ];
}

/** Order-insensitive comparison of rule lists, to skip applies that would change nothing. */
export function sameRules(a: readonly PolicyRule[] | undefined, b: readonly PolicyRule[]): boolean {
  const norm = (rules: readonly PolicyRule[]) =>
    rules
      .map((r) =>
        JSON.stringify([
          [...(r.apiGroups ?? [])].sort(),
          [...(r.resources ?? [])].sort(),
          [...(r.verbs ?? [])].sort(),
          [...(r.resourceNames ?? [])].sort(),
        ]),
      )
      .sort()
      .join('\n');
  return !!a && norm(a) === norm(b);
}
