/**
 * Which informer events wake which reconciler with which keys. Each reconciler has its own queue
 * (as OCM runs one controller per concern); they meet only through the objects they write, whose
 * changes come back through the informers.
 */
import type { KubeObject } from '../../kube/client.js';
import type { Lease } from '../../kube/core.js';
import { LABEL, RBAC } from '../../api/names.js';
import type { ManagedClusterSetBinding } from '../../api/index.js';
import type { Controller, KeysFn, Manager } from '../core/controller.js';
import type { Informer, Reconciler } from '../core/types.js';
import { AutoApprovalReconciler } from './auto-approval.js';
import { addonControllers } from './addon-controllers.js';
import { CleanupReconciler } from './cleanup.js';
import { ClusterSetBindingReconciler, ClusterSetLabelReconciler, ClusterSetReconciler } from './clusterset.js';
import { CsrApprovalReconciler } from './csr-approval.js';
import { nsKey, type HubDeps, type HubInformers } from './deps.js';
import { ClockSyncReconciler, clockSyncNews, LeaseCreationReconciler, LeaseReconciler } from './lease.js';
import { ManagedClusterReconciler, SharedClusterRolesReconciler } from './managedcluster.js';
import { ManifestWorkReplicaSetReconciler, replicaSetKeyFns } from './mwrs.js';
import { PlacementReconciler } from './placement.js';
import { placementKeyFns } from './placement-keys.js';
import { TaintReconciler } from './taints.js';
import { WorkTtlReconciler } from './work-ttl.js';

/** Maps one informer change to the keys to reconcile (core's KeysFn, over any object). */
export type KeyFn = KeysFn<KubeObject>;

export interface KeySource {
  informer: keyof HubInformers;
  keys: KeyFn;
}

export interface HubController {
  reconciler: Reconciler;
  sources: KeySource[];
  /** Keys reconciled once at start, for objects that should exist even when none does yet. */
  seedKeys?: string[];
  workers?: number;
}

const byName: KeyFn = (o) => (o.metadata?.name ? [o.metadata.name] : []);
const byNamespace: KeyFn = (o) => (o.metadata?.namespace ? [o.metadata.namespace] : []);
const byKey: KeyFn = (o) => (o.metadata?.name ? [o.metadata.namespace ? nsKey(o.metadata.namespace, o.metadata.name) : o.metadata.name] : []);
/** Objects the hub made for a cluster carry its name in the cluster-name label ("" on shared roles). */
const byClusterLabel: KeyFn = (o) => {
  const c = o.metadata?.labels?.[LABEL.clusterName];
  return c ? [c] : [];
};
/** Appearance and disappearance only (a work's status churn is no news to the hub). */
const onAddOrDelete =
  (f: KeyFn): KeyFn =>
  (o, old, e) =>
    e === 'update' ? [] : f(o, old, e);
const onDelete =
  (f: KeyFn): KeyFn =>
  (o, old, e) =>
    e === 'delete' ? f(o, old, e) : [];
const labelsChanged = (o: KubeObject, old?: KubeObject) => JSON.stringify(o.metadata?.labels ?? {}) !== JSON.stringify(old?.metadata?.labels ?? {});

const rbacSources = (keys: KeyFn): KeySource[] =>
  (['clusterRoles', 'clusterRoleBindings', 'roleBindings'] as const).map((informer) => ({ informer, keys }));

export function hubControllers(deps: HubDeps): HubController[] {
  const inf = deps.informers;
  const allSetsOf: KeyFn = (o, old, e) =>
    e !== 'update' || labelsChanged(o, old) ? [...new Set([...ClusterSetReconciler.SEED_KEYS, ...inf.clusterSets.list().map((s) => s.metadata.name!)])] : [];
  const bindingsOfSet: KeyFn = (o, _old, e) =>
    e === 'update'
      ? []
      : inf.clusterSetBindings
          .list((b: ManagedClusterSetBinding) => b.spec.clusterSet === o.metadata?.name)
          .map((b) => nsKey(b.metadata.namespace!, b.metadata.name!));
  const sharedRole: KeyFn = (o) =>
    [RBAC.registrationClusterRole, RBAC.workClusterRole].includes(o.metadata?.name as never) ? [SharedClusterRolesReconciler.KEY] : [];
  const clusterCount: KeyFn = (_o, _old, e) => (e === 'update' ? [] : [SharedClusterRolesReconciler.KEY]);
  const placementKeys = placementKeyFns(inf);
  // Lease renewals (one per cluster and lease period) wake the expiry and clock-sync queues only
  // when they can change something there (lease.ts: LeaseReconciler.covered, clockSyncNews).
  const leaseReconciler = new LeaseReconciler(deps);
  const leaseKeys: KeyFn = (o, old, e) => {
    const keys = byClusterLabel(o, old, e);
    return e === 'update' && keys.length === 1 && leaseReconciler.covered(keys[0] as string, o as Lease) ? [] : keys;
  };
  const clockSyncKeys: KeyFn = (o, old, e) => {
    const keys = byClusterLabel(o, old, e);
    return e === 'update' && keys.length === 1 && !clockSyncNews(inf.clusters.get(keys[0] as string), o as Lease) ? [] : keys;
  };
  const setKeys = replicaSetKeyFns(inf);

  const controllers: HubController[] = [
    {
      reconciler: new ManagedClusterReconciler(deps),
      sources: [
        { informer: 'clusters', keys: byName },
        { informer: 'namespaces', keys: byClusterLabel },
        ...rbacSources(byClusterLabel),
        { informer: 'works', keys: onAddOrDelete(byNamespace) },
      ],
      // An accept is three rounds of writes (namespace and roles, then bindings, then the
      // condition), each waiting on the API server: clusters are independent, so the throughput of
      // a mass accept is the number of workers over that latency. The role and its binding wait
      // longest (the API server's escalation check reads roles from etcd one by one: 0.4-0.8 s
      // each on a loaded bench hub). 1,000 clusters: HubAccepted for all 71 s after the accept with
      // 16 workers, 45 s with 48 (quiet 2-core machine). At most three writes each, 144 in all,
      // inside the API server's default 200 mutating requests in flight.
      workers: 48,
    },
    {
      reconciler: new SharedClusterRolesReconciler(deps),
      sources: [
        { informer: 'clusters', keys: clusterCount },
        { informer: 'clusterRoles', keys: sharedRole },
      ],
      seedKeys: [SharedClusterRolesReconciler.KEY],
    },
    {
      reconciler: new LeaseCreationReconciler(deps),
      sources: [
        { informer: 'clusters', keys: byName },
        { informer: 'leases', keys: onDelete(byClusterLabel) },
        { informer: 'namespaces', keys: onAddOrDelete(byClusterLabel) },
      ],
      workers: 2,
    },
    // Expiry apart from creation (see lease.ts): its reconciles are reads of the caches, so two
    // workers keep up with any burst of events and an expiry instant is acted on when it comes.
    {
      reconciler: leaseReconciler,
      sources: [
        { informer: 'clusters', keys: byName },
        { informer: 'leases', keys: leaseKeys },
      ],
      workers: 2,
    },
    // Apart from the lease queue: its first verdict is a write per cluster (see lease.ts). One
    // worker, as taints and the set label: more writers of these non-urgent writes during a mass
    // accept took API server time from the accept's own writes (1,000 clusters: all Available
    // 106 s with 4 workers each against 58 s with one, quiet machine).
    {
      reconciler: new ClockSyncReconciler(deps),
      sources: [
        { informer: 'leases', keys: clockSyncKeys },
        { informer: 'clusters', keys: byName },
      ],
    },
    { reconciler: new TaintReconciler(deps), sources: [{ informer: 'clusters', keys: byName }] },
    { reconciler: new CsrApprovalReconciler(deps), sources: [{ informer: 'csrs', keys: byName }], workers: 2 },
    {
      reconciler: new ClusterSetReconciler(deps),
      sources: [
        { informer: 'clusterSets', keys: byName },
        { informer: 'clusters', keys: allSetsOf },
      ],
      seedKeys: [...ClusterSetReconciler.SEED_KEYS],
    },
    { reconciler: new ClusterSetLabelReconciler(deps), sources: [{ informer: 'clusters', keys: byName }] },
    {
      reconciler: new ClusterSetBindingReconciler(deps),
      sources: [
        { informer: 'clusterSetBindings', keys: byKey },
        { informer: 'clusterSets', keys: bindingsOfSet },
      ],
    },
    {
      reconciler: new PlacementReconciler(deps),
      sources: [
        { informer: 'placements', keys: byKey },
        { informer: 'placementDecisions', keys: placementKeys.decision },
        { informer: 'clusters', keys: placementKeys.cluster },
        { informer: 'clusterSets', keys: placementKeys.clusterSet },
        { informer: 'clusterSetBindings', keys: placementKeys.binding },
        { informer: 'addOnScores', keys: placementKeys.addOnScore },
      ],
      workers: 2,
    },
    {
      reconciler: new ManifestWorkReplicaSetReconciler(deps),
      sources: [
        { informer: 'replicaSets', keys: byKey },
        { informer: 'works', keys: setKeys.work },
        { informer: 'placements', keys: setKeys.placement },
        { informer: 'placementDecisions', keys: setKeys.decision },
      ],
      workers: 2,
    },
    {
      reconciler: new CleanupReconciler(deps),
      sources: [
        { informer: 'clusters', keys: byName },
        { informer: 'works', keys: onAddOrDelete(byNamespace) },
        { informer: 'addons', keys: onAddOrDelete(byNamespace) },
        ...rbacSources(byClusterLabel),
      ],
      workers: 2,
    },
    // Completed works with ttlSecondsAfterFinished: status changes matter here (Complete turning True).
    { reconciler: new WorkTtlReconciler(deps), sources: [{ informer: 'works', keys: byKey }] },
    ...addonControllers(deps),
  ];
  if (deps.autoApproveUsers?.length) {
    controllers.push({
      reconciler: new AutoApprovalReconciler(deps, new Set(deps.autoApproveUsers)),
      sources: [
        { informer: 'csrs', keys: byClusterLabel },
        { informer: 'clusters', keys: byName },
      ],
    });
  }
  return controllers;
}

/** Adds every hub controller to `manager`, wired to the shared informers, and seeds their keys. */
export function addHubControllers(manager: Manager, deps: HubDeps): Controller[] {
  return hubControllers(deps).map((hc) => {
    const c = manager.add({ reconciler: hc.reconciler, workers: hc.workers });
    for (const s of hc.sources) c.watches(deps.informers[s.informer] as Informer<KubeObject>, s.keys);
    c.enqueue(...(hc.seedKeys ?? []));
    return c;
  });
}
