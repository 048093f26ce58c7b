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

/** OCM's wildcardMatch: the value itself, or a pattern whose `*` stands for any run of characters. */
function wildcard(pattern: string | undefined, value: string | undefined): boolean {
  const [p, v] = [pattern ?? '', value ?? ''];
  if (p === v || p === '*') return true;
  return new RegExp(`^${p.split('*').map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(v);
}

/** Whether a manifestConfig's resourceIdentifier selects `r`, as OCM: group and resource exactly, namespace and name by wildcard. */
export function identifierMatches(id: ResourceIdentifierT, r: ResourceId): boolean {
  return (id.group ?? '') === (r.group ?? '') && id.resource === r.resource && wildcard(id.namespace, r.namespace) && wildcard(id.name, r.name);
}

/**
 * The manifestConfig for `r`, merged as OCM's FindManifestConfiguration does over every config
 * that selects it: the first non-empty conditionRules, feedbackRules and updateStrategy, and the
 * last feedbackScrapeType; undefined when none of the three is set.
 */
export function findManifestConfig(configs: readonly ManifestConfigT[] | undefined, r: ResourceId): ManifestConfigT | undefined {
  let merged: ManifestConfigT | undefined;
  for (const c of configs ?? []) {
    if (!identifierMatches(c.resourceIdentifier, r)) continue;
    merged ??= { resourceIdentifier: c.resourceIdentifier };
    if (!merged.conditionRules?.length && c.conditionRules?.length) merged.conditionRules = c.conditionRules;
    if (!merged.feedbackRules?.length && c.feedbackRules?.length) merged.feedbackRules = c.feedbackRules;
    if (!merged.updateStrategy && c.updateStrategy) merged.updateStrategy = c.updateStrategy;
    if (c.feedbackScrapeType) merged.feedbackScrapeType = c.feedbackScrapeType;
    else delete merged.feedbackScrapeType;
  }
  return merged && (merged.conditionRules?.length || merged.feedbackRules?.length || merged.updateStrategy) ? merged : undefined;
}

/** Whether the delete option leaves `r` on the spoke when the work goes (no ownerRef then). */
export function isOrphaned(opt: DeleteOptionT | undefined, r: ResourceId): boolean {
  const policy = opt?.propagationPolicy ?? 'Foreground';
  if (policy === 'Orphan') return true;
  if (policy !== 'SelectivelyOrphan') return false;
  // OCM matches orphaning rules exactly (no wildcard).
  const same = (a: string | undefined, b: string | undefined) => (a ?? '') === (b ?? '');
  return (opt?.selectivelyOrphans?.orphaningRules ?? []).some((o) => same(o.group, r.group) && same(o.resource, r.resource) && same(o.namespace, r.namespace) && same(o.name, r.name));
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
