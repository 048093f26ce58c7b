/**
 * Template add-ons on one cluster, keyed `<cluster>/<addon>` (OCM's add-on manager for
 * AddOnTemplates: addonconfiguration, registration, agentdeploy and template controllers in one
 * level-based pass). For an enabled add-on whose configs name an AddOnTemplate:
 *  1. status.configReferences (with spec hashes), registrations (OCM's add-on subject), namespace;
 *  2. the template's hubPermissions as RoleBindings to that subject (RegistrationApplied);
 *  3. the rendered manifests as ManifestWork `addon-<name>-deploy-0` in the cluster namespace;
 *  4. ManifestApplied / Available / Progressing from that work.
 * When the add-on is gone (disabled, or its cluster left) its works and bindings are removed; a
 * template with pre-delete hooks holds the add-on until they ran (addon-hooks.ts).
 * Add-ons without a template get only their config references (another manager deploys them).
 */
import { MANAGED_CLUSTER_ADDONS_V1BETA1, MANIFEST_WORKS, type ClusterManagementAddOn, type ManagedClusterAddOn, type ManifestWork } from '../../api/index.js';
import { ADDON, ADDON_COND, ADDON_REASON, ANNOTATION, GROUP, LABEL, SIGNER } from '../../api/names.js';
import type { KubeObject } from '../../kube/client.js';
import { setCondition, type Condition, type ConditionInput } from '../core/conditions.js';
import { addFinalizer, guardedMergePatch, patchStatus, removeFinalizer } from '../core/patch.js';
import type { Reconciler } from '../core/types.js';
import { cmaOwner, decidedClusters } from './addon-install.js';
import { configReferences, desiredConfigs, DEPLOYMENT_CONFIG_GR, findConfig, specHash, TEMPLATE_GR, type ConfigRef } from './addon-configs.js';
import { probeManifestConfigs, renderTemplate } from './addon-render.js';
import { availability, manifestApplied, progressing } from './addon-status.js';
import { applyPermissions, removePermissions } from './addon-permissions.js';
import { hookCondition, hookManifests, hooksCompleted, hookWorkSpec } from './addon-hooks.js';
import { nsKey, type HubDeps } from './deps.js';
import { applyOwned, deleteIfPresent } from './write.js';

const SUPPORTED_CONFIGS = [TEMPLATE_GR, DEPLOYMENT_CONFIG_GR];
/** ocmadm's own: the hash of the work spec last applied, so an unchanged spec is not re-sent. */
const WORK_SPEC_HASH = 'ocmadm.io/addon-work-spec-hash';

const mcaOwner = (mca: ManagedClusterAddOn) => ({
  apiVersion: `${GROUP.addon}/v1beta1`,
  kind: 'ManagedClusterAddOn',
  name: mca.metadata.name!,
  uid: mca.metadata.uid!,
  controller: true,
  blockOwnerDeletion: true,
});

/** Kind → plural resource, for orphaning rules (the kinds add-on manifests use). */
export const pluralOf = (kind: string): string => {
  const k = kind.toLowerCase();
  return k.endsWith('s') ? `${k}es` : k.endsWith('y') ? `${k.slice(0, -1)}ies` : `${k}s`;
};

/** The subject OCM's template manager registers for a KubeClient agent. */
export const addonSubject = (cluster: string, addon: string) => ({ user: ADDON.user(cluster, addon, ADDON.agentName(addon)), groups: ADDON.groups(cluster, addon) });

export class AddonDeployReconciler implements Reconciler {
  readonly name = 'addon-deploy';

  constructor(private readonly deps: HubDeps) {}

  async reconcile(key: string): Promise<void> {
    const [ns, name] = key.split('/') as [string, string];
    const { informers: inf } = this.deps;
    const mca = inf.addons.get(key);
    const cluster = inf.clusters.get(ns);
    const clusterLeaving = !cluster || !!cluster.metadata.deletionTimestamp;
    const holdsHook = !!mca?.metadata.finalizers?.includes(ADDON.preDeleteFinalizer);
    // A leaving cluster cannot run hooks: its add-ons go at once.
    if (!mca || (mca.metadata.deletionTimestamp && !holdsHook) || clusterLeaving) {
      if (mca && holdsHook) await this.release(mca);
      return this.cleanup(ns, name);
    }
    const cma = inf.cmas.get(name);
    if (!cma) return mca.metadata.deletionTimestamp ? this.release(mca) : undefined;
    const configs = desiredConfigs(cma, mca, this.placementConfigs(cma, ns));
    const templateRef = findConfig(configs, TEMPLATE_GR);
    const template = templateRef ? inf.addonTemplates.get(templateRef.name) : undefined;
    const adcRef = findConfig(configs, DEPLOYMENT_CONFIG_GR);
    const adc = adcRef ? inf.addonConfigs.get(nsKey(adcRef.namespace ?? ns, adcRef.name)) : undefined;
    const lookup = (c: ConfigRef): KubeObject | undefined =>
      c === templateRef ? template : c === adcRef ? adc : undefined;

    // Without its template the hooks cannot be rendered: a deleting add-on is let go.
    if (!template && mca.metadata.deletionTimestamp) return this.release(mca);
    await this.ensureOwner(mca, cma);
    if (!template) {
      await patchStatus(this.deps.client, MANAGED_CLUSTER_ADDONS_V1BETA1, mca, { configReferences: configReferences(configs, lookup) });
      return;
    }
    const rendered = renderTemplate({ cluster: ns, template, config: adc });
    const hooks = hookManifests(rendered.hooks);
    if (mca.metadata.deletionTimestamp) return this.preDelete(mca, hooks);
    if (hooks.length) await addFinalizer(this.deps.client, MANAGED_CLUSTER_ADDONS_V1BETA1, mca, ADDON.preDeleteFinalizer);
    else if (holdsHook) await this.release(mca);
    const work = await this.applyWork(mca, rendered.manifests, template, { templateRef, adcRef }, lookup);
    const subject = addonSubject(ns, name);
    const kube = (template.spec.registration ?? []).some((r) => r.type === 'KubeClient');
    const registrations = (template.spec.registration ?? []).flatMap((r): Array<Record<string, unknown>> => {
      if (r.type === 'KubeClient') return [{ signerName: SIGNER.kubeApiserverClient, subject, type: 'kubeClient', kubeClient: { driver: 'csr', subject } }];
      if (r.type === 'CustomSigner' && r.customSigner) {
        const s = r.customSigner.subject ?? subject;
        const sub = { user: s.user, groups: s.groups, organizationUnit: (s as { organizationUnit?: string[] }).organizationUnit };
        return [{ signerName: r.customSigner.signerName, subject: sub, type: 'customSigner', customSigner: { signerName: r.customSigner.signerName, subject: { ...sub, organizationUnits: sub.organizationUnit } } }];
      }
      return [];
    });

    let conds = (mca.status?.conditions ?? []) as Condition[];
    const set = (c: ConditionInput | undefined) => {
      if (c) conds = setCondition(conds, c, this.deps.now());
    };
    try {
      const perms = kube ? await applyPermissions(this.deps, mca, template, subject, mcaOwner(mca)) : 0;
      set({ type: ADDON_COND.registrationApplied, status: 'True', reason: registrations.length ? ADDON_REASON.setPermissionApplied : ADDON_REASON.nilRegistration, message: `Registration of the addon agent is configured${perms ? ` (${perms} hub permission bindings)` : ''}` });
    } catch (err) {
      set({ type: ADDON_COND.registrationApplied, status: 'False', reason: ADDON_REASON.setPermissionFailed, message: `Failed to set permission for hub agent: ${(err as Error).message}` });
    }
    const applied = manifestApplied(work);
    set(applied);
    set(availability(work, rendered.manifests));
    set(progressing(work));
    await patchStatus(this.deps.client, MANAGED_CLUSTER_ADDONS_V1BETA1, mca, {
      namespace: rendered.installNamespace,
      // The hub probes template add-ons' workloads (OCM's workload-availability prober), not a lease.
      healthCheck: { mode: 'Customized' },
      supportedConfigs: SUPPORTED_CONFIGS,
      configReferences: configReferences(configs, lookup, () => applied?.status === 'True' && work?.metadata.annotations?.[ANNOTATION.configSpecHash] === this.configHashes(configs, lookup)),
      registrations,
      conditions: conds,
    });
  }

  /** Configs of the install-strategy placements that decide this cluster. */
  private placementConfigs(cma: ClusterManagementAddOn, cluster: string): Array<{ configs?: ConfigRef[] }> {
    if (cma.spec.installStrategy?.type !== 'Placements') return [];
    return (cma.spec.installStrategy.placements ?? []).filter((p) => decidedClusters(this.deps.informers, p.namespace, p.name).has(cluster)) as Array<{ configs?: ConfigRef[] }>;
  }

  /** OCM's annotation on add-on works: which config spec each was rendered from. */
  private configHashes(configs: ConfigRef[], lookup: (c: ConfigRef) => KubeObject | undefined): string {
    const out: Record<string, string> = {};
    for (const c of configs) {
      const o = lookup(c);
      if (o) out[`${c.resource}.${c.group}/${c.namespace ? `${c.namespace}/` : ''}${c.name}`] = specHash(o);
    }
    return JSON.stringify(out);
  }

  private async ensureOwner(mca: ManagedClusterAddOn, cma: ClusterManagementAddOn): Promise<void> {
    const refs = mca.metadata.ownerReferences ?? [];
    if (refs.some((r) => r.uid === cma.metadata.uid)) return;
    const owner = refs.some((r) => r.controller) ? { ...cmaOwner(cma), controller: false } : cmaOwner(cma);
    await guardedMergePatch(this.deps.client, MANAGED_CLUSTER_ADDONS_V1BETA1, mca, { metadata: { ownerReferences: [...refs, owner] } });
  }

  private async applyWork(
    mca: ManagedClusterAddOn,
    manifests: KubeObject[],
    template: { spec: { agentSpec: NonNullable<ManifestWork['spec']> } },
    refs: { templateRef?: ConfigRef; adcRef?: ConfigRef },
    lookup: (c: ConfigRef) => KubeObject | undefined,
  ): Promise<ManifestWork | undefined> {
    const ns = mca.metadata.namespace!;
    const addon = mca.metadata.name!;
    const workName = ADDON.deployWork(addon);
    const existing = this.deps.informers.works.get(nsKey(ns, workName));
    const orphans = manifests
      .filter((m) => m.metadata?.annotations && ADDON.deletionOrphanAnnotation in m.metadata.annotations)
      .map((m) => ({ group: (m.apiVersion ?? '').includes('/') ? m.apiVersion!.split('/')[0] : '', resource: pluralOf(m.kind ?? ''), name: m.metadata?.name ?? '', namespace: m.metadata?.namespace ?? '' }));
    const agentSpec = template.spec.agentSpec;
    const spec = {
      workload: { manifests },
      manifestConfigs: [...(agentSpec.manifestConfigs ?? []), ...probeManifestConfigs(manifests)],
      deleteOption: orphans.length ? { propagationPolicy: 'SelectivelyOrphan', selectivelyOrphans: { orphaningRules: orphans } } : (agentSpec.deleteOption ?? { propagationPolicy: 'Foreground' }),
    };
    const configs = [refs.templateRef, refs.adcRef].filter((c): c is ConfigRef => !!c);
    const hash = specHash({ spec } as KubeObject);
    if (existing?.metadata.annotations?.[WORK_SPEC_HASH] === hash && !existing.metadata.deletionTimestamp) return existing;
    const work = await applyOwned<ManifestWork>(this.deps.client, { ...MANIFEST_WORKS, namespace: ns }, {
      apiVersion: `${GROUP.work}/v1`,
      kind: 'ManifestWork',
      metadata: {
        name: workName,
        namespace: ns,
        labels: { [LABEL.addonName]: addon },
        annotations: { [WORK_SPEC_HASH]: hash, [ANNOTATION.configSpecHash]: this.configHashes(configs, lookup) },
        ownerReferences: [mcaOwner(mca)],
      },
      spec,
    } as ManifestWork);
    this.deps.log.info('add-on work applied', { cluster: ns, addon, work: workName, manifests: manifests.length });
    return work;
  }

  /** The add-on is being deleted and holds the hook finalizer: run the hooks, let it go once they completed. */
  private async preDelete(mca: ManagedClusterAddOn, hooks: KubeObject[]): Promise<void> {
    const ns = mca.metadata.namespace!;
    const addon = mca.metadata.name!;
    const workName = ADDON.preDeleteWork(addon);
    let work = this.deps.informers.works.get(nsKey(ns, workName));
    if (hooks.length && !work) {
      work = await applyOwned<ManifestWork>(this.deps.client, { ...MANIFEST_WORKS, namespace: ns }, {
        apiVersion: `${GROUP.work}/v1`,
        kind: 'ManifestWork',
        metadata: { name: workName, namespace: ns, labels: { [LABEL.addonName]: addon }, ownerReferences: [mcaOwner(mca)] },
        spec: hookWorkSpec(hooks),
      } as ManifestWork);
      this.deps.log.info('add-on pre-delete hooks applied', { cluster: ns, addon, work: workName, hooks: hooks.length });
    }
    const done = !hooks.length || hooksCompleted(work, hooks);
    const conditions = setCondition((mca.status?.conditions ?? []) as Condition[], hookCondition(workName, done), this.deps.now());
    const latest = await patchStatus(this.deps.client, MANAGED_CLUSTER_ADDONS_V1BETA1, mca, { conditions });
    if (!done) return;
    this.deps.log.info('add-on pre-delete hooks completed', { cluster: ns, addon, work: workName });
    await this.release(latest);
  }

  private async release(mca: ManagedClusterAddOn): Promise<void> {
    await removeFinalizer(this.deps.client, MANAGED_CLUSTER_ADDONS_V1BETA1, mca, ADDON.preDeleteFinalizer);
  }

  /** The add-on is gone from this cluster: its works and hub permissions go too. */
  private async cleanup(ns: string, name: string): Promise<void> {
    const { informers: inf, client, log } = this.deps;
    for (const w of inf.works.list((x) => x.metadata?.namespace === ns && x.metadata?.labels?.[LABEL.addonName] === name)) {
      if (w.metadata.deletionTimestamp) continue;
      if (await deleteIfPresent(client, { ...MANIFEST_WORKS, namespace: ns, name: w.metadata.name! })) log.info('add-on work removed', { cluster: ns, addon: name, work: w.metadata.name });
    }
    const stillEnabled = inf.addons.list((a) => a.metadata?.name === name && !a.metadata.deletionTimestamp).length > 0;
    await removePermissions(this.deps, ns, name, !stillEnabled);
  }
}
