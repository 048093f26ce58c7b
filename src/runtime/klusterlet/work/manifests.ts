/**
 * Pure rules about a work's manifests: the order they are applied in (OCM's kind ranks), which
 * manifestConfig applies to a resource, which resources a delete option orphans, and the key
 * that identifies a resource across versions.
 */
import type { KubeObject } from '../../../kube/client.js';
import { splitApiVersion } from '../../../kube/resources.js';
import type { DeleteOptionT, ManifestConfigT, ResourceIdentifierT } from '../../../api/work.js';

/** group/resource/namespace/name: what identifies one applied resource (versions may differ). */
export interface ResourceId {
  group: string;
  resource: string;
  namespace?: string;
  name: string;
}

export const resourceKey = (r: ResourceId): string => [r.group, r.resource, r.namespace ?? '', r.name].join('/');

// Kinds that others depend on go first: OCM's order (ocm-protocol.md §3 "Order of operations").
const RANKS: [number, string[]][] = [
  [0, ['Namespace', 'CustomResourceDefinition', 'PersistentVolume']],
  [1, ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']],
  [2, ['ServiceAccount', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodDisruptionBudget', 'PodSecurityPolicy', 'PriorityClass', 'StorageClass']],
  [3, ['Secret', 'ConfigMap', 'PersistentVolumeClaim']],
  [4, ['Service']],
  [5, ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob', 'Pod']],
  [6, ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'APIService']],
];
const RANK = new Map(RANKS.flatMap(([rank, kinds]) => kinds.map((k) => [k, rank] as const)));
const OTHER_RANK = RANKS.length;

export function kindRank(kind: string | undefined): number {
  return RANK.get(kind ?? '') ?? OTHER_RANK;
}

const plural = (kind: string) => {
  const k = kind.toLowerCase();
  return k.endsWith('y') ? `${k.slice(0, -1)}ies` : k.endsWith('s') ? `${k}es` : `${k}s`;
};
const RESOURCE_RANK = new Map(RANKS.flatMap(([rank, kinds]) => kinds.map((k) => [plural(k), rank] as const)));

/** The kind rank of a resource known only by its plural name (what AppliedManifestWork records). */
export function resourceRank(resource: string): number {
  return RESOURCE_RANK.get(resource) ?? OTHER_RANK;
}

/** The manifests with their ordinals, stable-sorted by kind rank. */
export function applyOrder<T extends KubeObject>(manifests: readonly T[]): { ordinal: number; manifest: T }[] {
  return manifests
    .map((manifest, ordinal) => ({ ordinal, manifest }))
    .sort((a, b) => kindRank(a.manifest.kind) - kindRank(b.manifest.kind) || a.ordinal - b.ordinal);
}

/** A copy to send to the spoke: no uid (it belongs to another cluster), no resourceVersion. */
export function cleanManifest<T extends KubeObject>(m: T): T {
  const metadata = { ...(m.metadata ?? {}) };
  delete metadata.uid;
  delete metadata.resourceVersion;
  delete metadata.creationTimestamp;
  delete metadata.managedFields;
  return { ...m, metadata };
}

const matches = (pattern: string | undefined, value: string | undefined) => pattern === '*' || (pattern ?? '') === (value ?? '');

/** Whether `id` (group, resource, namespace, name; `*` matches anything) selects resource `r`. */
export function identifierMatches(id: ResourceIdentifierT, r: ResourceId): boolean {
  return matches(id.group, r.group) && matches(id.resource, r.resource) && matches(id.namespace, r.namespace) && matches(id.name, r.name);
}

/** The first manifestConfig whose resourceIdentifier selects `r`. */
export function findManifestConfig(configs: readonly ManifestConfigT[] | undefined, r: ResourceId): ManifestConfigT | undefined {
  return configs?.find((c) => identifierMatches(c.resourceIdentifier, r));
}

/** Whether the delete option leaves `r` on the spoke when the work goes (no ownerRef then). */
export function isOrphaned(opt: DeleteOptionT | undefined, r: ResourceId): boolean {
  const policy = opt?.propagationPolicy ?? 'Foreground';
  if (policy === 'Orphan') return true;
  if (policy !== 'SelectivelyOrphan') return false;
  return (opt?.selectivelyOrphans?.orphaningRules ?? []).some((rule) => identifierMatches(rule, r));
}

/** The resource id of a manifest, once its resource (plural) is known. */
export function manifestId(m: KubeObject, resource: string, namespaced: boolean): ResourceId {
  return {
    group: splitApiVersion(m.apiVersion ?? '').group,
    resource,
    namespace: namespaced ? m.metadata?.namespace : undefined,
    name: m.metadata?.name ?? '',
  };
}
