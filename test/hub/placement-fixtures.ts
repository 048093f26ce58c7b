/** Object builders for the placement and ManifestWorkReplicaSet unit tests. */
import type { ManagedCluster, ManagedClusterSet, ManagedClusterSetBinding, ManifestWork, ManifestWorkReplicaSet, Placement } from '../../src/api/index.js';

export function cluster(name: string, opts: Partial<{ labels: Record<string, string>; taints: NonNullable<ManagedCluster['spec']>['taints']; claims: Record<string, string>; allocatable: Record<string, string>; capacity: Record<string, string>; deleting: boolean }> = {}): ManagedCluster {
  return {
    apiVersion: 'cluster.open-cluster-management.io/v1',
    kind: 'ManagedCluster',
    metadata: { name, labels: opts.labels ?? {}, ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { taints: opts.taints ?? [] },
    status: {
      clusterClaims: Object.entries(opts.claims ?? {}).map(([n, value]) => ({ name: n, value })),
      allocatable: opts.allocatable,
      capacity: opts.capacity ?? opts.allocatable,
    },
  };
}

export function placement(spec: Placement['spec'] = {}, name = 'p', namespace = 'ns'): Placement {
  return { apiVersion: 'cluster.open-cluster-management.io/v1beta1', kind: 'Placement', metadata: { name, namespace }, spec };
}

export function labelSet(name: string, matchLabels: Record<string, string>): ManagedClusterSet {
  return { apiVersion: 'x', kind: 'ManagedClusterSet', metadata: { name }, spec: { clusterSelector: { selectorType: 'LabelSelector', labelSelector: { matchLabels } } } };
}

export function binding(set: string, namespace = 'ns'): ManagedClusterSetBinding {
  return { apiVersion: 'x', kind: 'ManagedClusterSetBinding', metadata: { name: set, namespace }, spec: { clusterSet: set } };
}

export function replicaSet(template: NonNullable<ManifestWorkReplicaSet['spec']>['manifestWorkTemplate'], placements: string[] = ['p']): ManifestWorkReplicaSet {
  return {
    apiVersion: 'work.open-cluster-management.io/v1alpha1',
    kind: 'ManifestWorkReplicaSet',
    metadata: { name: 'set', namespace: 'ns', labels: { team: 'a' } },
    spec: { manifestWorkTemplate: template, placementRefs: placements.map((name) => ({ name })) },
  };
}

type Cond = { type: string; status: 'True' | 'False' | 'Unknown'; observedGeneration?: number };

export function work(name: string, ns: string, placementName: string, opts: Partial<{ spec: ManifestWork['spec']; conditions: Cond[]; generation: number; created: string; deleting: boolean; setLabel: string }> = {}): ManifestWork {
  return {
    apiVersion: 'work.open-cluster-management.io/v1',
    kind: 'ManifestWork',
    metadata: {
      name,
      namespace: ns,
      generation: opts.generation ?? 1,
      creationTimestamp: opts.created ?? '2026-01-01T00:00:00Z',
      labels: { team: 'a', 'work.open-cluster-management.io/manifestworkreplicaset': opts.setLabel ?? 'ns.set', 'work.open-cluster-management.io/placementname': placementName },
      ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
    spec: opts.spec ?? {},
    status: { conditions: (opts.conditions ?? []).map((c) => ({ reason: 'R', message: '', lastTransitionTime: '2026-01-01T00:00:00Z', ...c })) },
  };
}
