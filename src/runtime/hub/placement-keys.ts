/**
 * Which Placements a change can affect (as OCM's enqueuer narrows it): a cluster → the sets it is
 * or was in → bindings of those sets → placements in those namespaces that use the set (or all
 * bound sets); a set → the same from the set; a binding → placements in its namespace using its
 * set; a decision → its placement; an AddOnPlacementScore → placements scoring by it. Cluster updates that touch nothing placement reads (condition
 * heartbeats) wake nobody.
 */
import type { KubeObject } from '../../kube/client.js';
import type { ManagedCluster, Placement } from '../../api/index.js';
import { LABEL } from '../../api/names.js';
import type { KeysFn } from '../core/controller.js';
import { deepEqual } from '../core/patch.js';
import { inClusterSet } from './clusterset.js';
import { nsKey, type HubInformers } from './deps.js';

type KeyFn = KeysFn<KubeObject>;

const usesSet = (p: Placement, set: string) => (p.spec.clusterSets ?? []).length === 0 || p.spec.clusterSets!.includes(set);

/** What of a cluster placement reads: labels, taints, claims, resources, and whether it is going. */
function schedulingView(c: ManagedCluster | undefined) {
  return {
    labels: c?.metadata.labels ?? {},
    deleting: !!c?.metadata.deletionTimestamp,
    taints: c?.spec?.taints ?? [],
    claims: c?.status?.clusterClaims ?? [],
    allocatable: c?.status?.allocatable ?? {},
    capacity: c?.status?.capacity ?? {},
  };
}

export function placementKeyFns(inf: HubInformers) {
  const placementsUsing = (ns: string, set: string): string[] =>
    inf.placements.list((p) => p.metadata.namespace === ns && usesSet(p, set)).map((p) => nsKey(ns, p.metadata.name!));
  const placementsOfSets = (sets: string[]): string[] => {
    const keys = new Set<string>();
    for (const set of sets) {
      for (const b of inf.clusterSetBindings.list((b) => b.metadata.name === set)) {
        for (const k of placementsUsing(b.metadata.namespace!, set)) keys.add(k);
      }
    }
    return [...keys];
  };

  const cluster: KeyFn = (o, old, e) => {
    const c = o as ManagedCluster;
    const was = old as ManagedCluster | undefined;
    if (e === 'update' && deepEqual(schedulingView(c), schedulingView(was))) return [];
    const sets = inf.clusterSets.list((s) => inClusterSet(s, c) || (!!was && inClusterSet(s, was))).map((s) => s.metadata.name!);
    return placementsOfSets(sets);
  };
  const clusterSet: KeyFn = (o) => placementsOfSets([o.metadata!.name!]);
  const binding: KeyFn = (o) => placementsUsing(o.metadata!.namespace!, o.metadata!.name!);
  const decision: KeyFn = (o) => {
    const p = o.metadata?.labels?.[LABEL.placement];
    return p ? [nsKey(o.metadata!.namespace!, p)] : [];
  };
  // An add-on score (in namespace <cluster>, named after its resource) matters to placements
  // scoring by it, and to those whose CEL selector calls scores() (any name: the call may be computed).
  const usesScoresInCel = (p: Placement) => (p.spec.predicates ?? []).some((x) => (x.requiredClusterSelector?.celSelector?.celExpressions ?? []).some((e) => e.includes('scores(')));
  const addOnScore: KeyFn = (o) =>
    inf.placements
      .list((p) => usesScoresInCel(p) || (p.spec.prioritizerPolicy?.configurations ?? []).some((c) => c.scoreCoordinate?.type === 'AddOn' && c.scoreCoordinate.addOn?.resourceName === o.metadata?.name))
      .map((p) => nsKey(p.metadata.namespace!, p.metadata.name!));
  return { cluster, clusterSet, binding, decision, addOnScore };
}
