/**
 * The add-on framework's controllers and what wakes them: install strategy (per
 * ClusterManagementAddOn), deploy/status/permissions (per `<cluster>/<addon>`), add-on CSR
 * approval (per CSR). Every key function maps one change to the few keys it can affect.
 */
import type { KubeObject } from '../../kube/client.js';
import { LABEL } from '../../api/names.js';
import type { ClusterManagementAddOn } from '../../api/index.js';
import { AddonCsrReconciler } from './addon-csr.js';
import { AddonCustomSignerReconciler } from './addon-custom-signer.js';
import { AddonDeployReconciler } from './addon-deploy.js';
import { AddonInstallReconciler, usesPlacements } from './addon-install.js';
import type { HubController, KeyFn } from './controllers.js';
import { nsKey, type HubDeps } from './deps.js';

export function addonControllers(deps: HubDeps): HubController[] {
  const inf = deps.informers;
  const name = (o: KubeObject) => o.metadata?.name ?? '';
  const placesBy = (cma: ClusterManagementAddOn, ns: string, placement: string) =>
    usesPlacements(cma) && (cma.spec.installStrategy?.placements ?? []).some((p) => p.namespace === ns && p.name === placement);
  /** CMAs installing through the placement a decision belongs to. */
  const cmasOfDecision = (o: KubeObject) => {
    const p = o.metadata?.labels?.[LABEL.placement];
    return p ? inf.cmas.list((c) => placesBy(c, o.metadata!.namespace!, p)).map(name) : [];
  };
  const addonKeys = (filter: (a: KubeObject) => boolean) => inf.addons.list(filter).map((a) => nsKey(a.metadata.namespace!, name(a)));
  const addonKey: KeyFn = (o) => [nsKey(o.metadata!.namespace!, name(o))];
  const workKey: KeyFn = (o) => {
    const a = o.metadata?.labels?.[LABEL.addonName];
    return a ? [nsKey(o.metadata!.namespace!, a)] : [];
  };
  const decided = (o: KubeObject | undefined) => ((o as { status?: { decisions?: Array<{ clusterName: string }> } } | undefined)?.status?.decisions ?? []).map((d) => d.clusterName);
  const onAddOrDelete = (f: KeyFn): KeyFn => (o, old, e) => (e === 'update' ? [] : f(o, old, e));

  return [
    {
      reconciler: new AddonInstallReconciler(deps),
      sources: [
        { informer: 'cmas', keys: (o) => [name(o)] },
        { informer: 'placementDecisions', keys: cmasOfDecision },
        { informer: 'addons', keys: onAddOrDelete((o) => (inf.cmas.get(name(o)) ? [name(o)] : [])) },
        { informer: 'clusters', keys: onAddOrDelete(() => inf.cmas.list(usesPlacements).map(name)) },
      ],
    },
    {
      reconciler: new AddonDeployReconciler(deps),
      sources: [
        { informer: 'addons', keys: addonKey },
        { informer: 'works', keys: workKey },
        { informer: 'cmas', keys: (o) => addonKeys((a) => name(a) === name(o)) },
        { informer: 'addonTemplates', keys: (o) => addonKeys((a) => name(a) === (o as { spec?: { addonName?: string } }).spec?.addonName) },
        // Config changes are rare; every add-on re-renders (those not using it write nothing).
        { informer: 'addonConfigs', keys: () => addonKeys(() => true) },
        // Only the clusters a decision object lists, before and after (it holds up to 100 of them).
        { informer: 'placementDecisions', keys: (o, old) => cmasOfDecision(o).flatMap((c) => [...decided(o), ...decided(old)].map((cluster) => nsKey(cluster, c))) },
        { informer: 'clusters', keys: (o, old, e) => (e === 'update' && !o.metadata?.deletionTimestamp ? [] : addonKeys((a) => a.metadata?.namespace === name(o))) },
        // A CurrentCluster binding (owned by its add-on) concerns its cluster only; a SingleNamespace one every cluster of the add-on.
        { informer: 'addonRoleBindings', keys: (o) => { const a = o.metadata?.labels?.[LABEL.addonName]; return !a ? [] : o.metadata?.ownerReferences?.length ? [nsKey(o.metadata.namespace!, a)] : addonKeys((x) => name(x) === a); } },
      ],
      workers: 2,
    },
    {
      reconciler: new AddonCsrReconciler(deps),
      sources: [
        { informer: 'csrs', keys: (o) => (o.metadata?.labels?.[LABEL.addonName] ? [name(o)] : []) },
        // An add-on whose template becomes known may unblock its pending CSRs.
        { informer: 'addons', keys: (o) => inf.csrs.list((c) => c.metadata?.labels?.[LABEL.addonName] === name(o) && c.metadata?.labels?.[LABEL.clusterName] === o.metadata?.namespace).map(name) },
      ],
    },
    {
      reconciler: new AddonCustomSignerReconciler(deps),
      sources: [
        { informer: 'addonSignerCsrs', keys: (o) => [name(o)] },
        { informer: 'addons', keys: (o) => inf.addonSignerCsrs.list((c) => c.metadata?.labels?.[LABEL.addonName] === name(o) && c.metadata?.labels?.[LABEL.clusterName] === o.metadata?.namespace).map(name) },
      ],
    },
  ];
}
