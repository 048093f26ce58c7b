/**
 * ClusterManagementAddOn install strategy, keyed by add-on name (OCM's addon-management
 * controller). `Manual` (or none): nothing is created; users create ManagedClusterAddOns.
 * `Placements`: a ManagedClusterAddOn named after the add-on in every cluster namespace any listed
 * placement decides (owned by the CMA, as OCM's controller reference), and every other
 * ManagedClusterAddOn of that add-on removed, as OCM does.
 */
import { CLUSTER_MANAGEMENT_ADDONS_V1BETA1, MANAGED_CLUSTER_ADDONS_V1BETA1, type ClusterManagementAddOn } from '../../api/index.js';
import { GROUP, LABEL } from '../../api/names.js';
import { resourcePath } from '../../kube/resources.js';
import { isAlreadyExists } from '../../kube/errors.js';
import type { Reconciler } from '../core/types.js';
import type { HubDeps, HubInformers } from './deps.js';
import { deleteIfPresent } from './write.js';
import { forEachLimit } from '../core/limit.js';

/** The controller reference OCM puts on add-ons it installs (and on any add-on of the CMA). */
export const cmaOwner = (cma: ClusterManagementAddOn) => ({
  apiVersion: `${GROUP.addon}/${CLUSTER_MANAGEMENT_ADDONS_V1BETA1.version}`,
  kind: 'ClusterManagementAddOn',
  name: cma.metadata.name!,
  uid: cma.metadata.uid!,
  controller: true,
  blockOwnerDeletion: true,
});

/** Clusters the placement decides now (from its decision objects), existing and not leaving. */
export function decidedClusters(inf: HubInformers, ns: string, placement: string): Set<string> {
  const out = new Set<string>();
  for (const d of inf.placementDecisions.list((x) => x.metadata?.namespace === ns && x.metadata?.labels?.[LABEL.placement] === placement)) {
    for (const dec of d.status?.decisions ?? []) {
      const c = inf.clusters.get(dec.clusterName);
      if (c && !c.metadata.deletionTimestamp) out.add(dec.clusterName);
    }
  }
  return out;
}

export const usesPlacements = (cma: ClusterManagementAddOn | undefined): boolean => cma?.spec.installStrategy?.type === 'Placements';

export class AddonInstallReconciler implements Reconciler {
  readonly name = 'addon-install';

  constructor(private readonly deps: HubDeps) {}

  async reconcile(name: string): Promise<void> {
    const { informers: inf, client, log } = this.deps;
    const cma = inf.cmas.get(name);
    if (!cma || cma.metadata.deletionTimestamp || !usesPlacements(cma)) return;
    const wanted = new Set<string>();
    for (const p of cma.spec.installStrategy?.placements ?? []) for (const c of decidedClusters(inf, p.namespace, p.name)) wanted.add(c);
    const existing = new Set(inf.addons.list((a) => a.metadata?.name === name).map((a) => a.metadata.namespace!));
    // Independent creates, a few at a time: a placement deciding 1,000 clusters is not 1,000 round trips in a row.
    await forEachLimit([...wanted].filter((c) => !existing.has(c)), 16, async (cluster) => {
      try {
        await client.create(resourcePath({ ...MANAGED_CLUSTER_ADDONS_V1BETA1, namespace: cluster }), {
          apiVersion: `${GROUP.addon}/v1beta1`,
          kind: 'ManagedClusterAddOn',
          metadata: { name, namespace: cluster, ownerReferences: [cmaOwner(cma)] },
          spec: {},
        });
        log.info('add-on installed by placement', { addon: name, cluster });
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
    });
    for (const cluster of existing) {
      if (wanted.has(cluster)) continue;
      if (await deleteIfPresent(client, { ...MANAGED_CLUSTER_ADDONS_V1BETA1, namespace: cluster, name })) log.info('add-on removed: no placement decides its cluster', { addon: name, cluster });
    }
  }
}
