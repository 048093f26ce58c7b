/**
 * The kinds `ocmadm init` installs and `ocmadm clean` removes, mapped statically to their REST
 * resources (no discovery round trip, and the same table names the permissions to check).
 */
import type { KubeObject } from '../../kube/client.js';
import { resourcePath, splitApiVersion, type ResourceRef } from '../../kube/resources.js';
import { GROUP } from '../../api/names.js';

export interface KindInfo {
  group: string;
  version: string;
  resource: string;
  namespaced: boolean;
}

const k = (apiVersion: string, resource: string, namespaced: boolean): KindInfo => ({ ...splitApiVersion(apiVersion), resource, namespaced });

export const KINDS = {
  CustomResourceDefinition: k('apiextensions.k8s.io/v1', 'customresourcedefinitions', false),
  Namespace: k('v1', 'namespaces', false),
  ServiceAccount: k('v1', 'serviceaccounts', true),
  ConfigMap: k('v1', 'configmaps', true),
  Secret: k('v1', 'secrets', true),
  ClusterRole: k('rbac.authorization.k8s.io/v1', 'clusterroles', false),
  ClusterRoleBinding: k('rbac.authorization.k8s.io/v1', 'clusterrolebindings', false),
  Role: k('rbac.authorization.k8s.io/v1', 'roles', true),
  RoleBinding: k('rbac.authorization.k8s.io/v1', 'rolebindings', true),
  ValidatingAdmissionPolicy: k('admissionregistration.k8s.io/v1', 'validatingadmissionpolicies', false),
  ValidatingAdmissionPolicyBinding: k('admissionregistration.k8s.io/v1', 'validatingadmissionpolicybindings', false),
  Deployment: k('apps/v1', 'deployments', true),
  Lease: k('coordination.k8s.io/v1', 'leases', true),
  ManagedClusterSet: k(`${GROUP.cluster}/v1beta2`, 'managedclustersets', false),
  ManagedCluster: k(`${GROUP.cluster}/v1`, 'managedclusters', false),
} as const satisfies Record<string, KindInfo>;

export type KindName = keyof typeof KINDS;

export function kindInfo(kind: string | undefined): KindInfo {
  const info = (KINDS as Record<string, KindInfo>)[kind ?? ''];
  if (!info) throw new Error(`ocmadm does not manage kind ${kind ?? '<none>'}`);
  return info;
}

/** The REST reference of an object of a known kind. */
export function refOf(obj: KubeObject): ResourceRef & { name: string } {
  const info = kindInfo(obj.kind);
  const name = obj.metadata?.name;
  if (!name) throw new Error(`${obj.kind} without a name`);
  const namespace = info.namespaced ? obj.metadata?.namespace : undefined;
  if (info.namespaced && !namespace) throw new Error(`${obj.kind} ${name} needs a namespace`);
  return { group: info.group, version: info.version, resource: info.resource, namespace, name };
}

export const pathOf = (obj: KubeObject): string => resourcePath(refOf(obj));

/** "ClusterRole open-cluster-management:bootstrap", "ServiceAccount open-cluster-management/x". */
export function describeObject(obj: { kind?: string; metadata?: { name?: string; namespace?: string } }): string {
  const ns = obj.metadata?.namespace ? `${obj.metadata.namespace}/` : '';
  return `${obj.kind} ${ns}${obj.metadata?.name ?? ''}`;
}

/** A short reference of an object, for results and JSON output. */
export interface ObjectRef {
  kind: string;
  name: string;
  namespace?: string;
}

export function objectRef(obj: KubeObject): ObjectRef {
  const ref: ObjectRef = { kind: obj.kind ?? '', name: obj.metadata?.name ?? '' };
  if (obj.metadata?.namespace) ref.namespace = obj.metadata.namespace;
  return ref;
}
