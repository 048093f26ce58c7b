/**
 * Kubernetes' own kinds as this project uses them, declared once (as src/api does for OCM's):
 * the REST references for `resourcePath()`, e.g. resourcePath({ ...SECRETS, namespace, name }),
 * and the few object shapes read here. Only the fields the code reads are typed.
 */
import type { KubeObject } from './client.js';
import type { ResourceRef } from './resources.js';

type Ref = Readonly<Pick<ResourceRef, 'group' | 'version' | 'resource'>>;
const ref = (group: string, version: string, resource: string): Ref => Object.freeze({ group, version, resource });

export const NAMESPACES = ref('', 'v1', 'namespaces');
export const SECRETS = ref('', 'v1', 'secrets');
export const CONFIG_MAPS = ref('', 'v1', 'configmaps');
export const SERVICE_ACCOUNTS = ref('', 'v1', 'serviceaccounts');
export const NODES = ref('', 'v1', 'nodes');
export const PODS = ref('', 'v1', 'pods');
export const LEASES = ref('coordination.k8s.io', 'v1', 'leases');
export const CLUSTER_ROLES = ref('rbac.authorization.k8s.io', 'v1', 'clusterroles');
export const CLUSTER_ROLE_BINDINGS = ref('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings');
export const ROLES = ref('rbac.authorization.k8s.io', 'v1', 'roles');
export const ROLE_BINDINGS = ref('rbac.authorization.k8s.io', 'v1', 'rolebindings');

export interface Secret extends KubeObject {
  type?: string;
  /** Values base64-encoded, as the API returns them. */
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/** coordination.k8s.io/v1 LeaseSpec; times are MicroTime strings. */
export interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number;
}

export type Lease = KubeObject & { spec?: LeaseSpec };

export interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

/** The value of a Secret's data key, decoded (undefined when absent). */
export function secretValue(s: Pick<Secret, 'data'> | undefined, key: string): string | undefined {
  const v = s?.data?.[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
}
