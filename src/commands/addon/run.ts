/**
 * `ocmadm addon create | enable | disable` on the hub. Every check (the template's schema and
 * variables, configs, clusters accepted, placements, add-on names) runs before the first write;
 * `--dry-run` stops there and reports what would be written.
 *  - create: the AddOnTemplate, its ClusterManagementAddOn, and the right for the hub controller to
 *    bind the roles the template's hubPermissions name (`bind` on exactly those roles, granted by
 *    the caller, who must hold it) — the controller has no blanket `bind`.
 *  - enable: ManagedClusterAddOns in each cluster namespace (--clusters), or a Placements install
 *    strategy entry on the ClusterManagementAddOn (--placement); configs ride along.
 *  - disable: the reverse; the hub controller then removes the works, the hub permissions, and the
 *    klusterlet the add-on's hub kubeconfig.
 */
import type { CommandContext } from '../../cli/context.js';
import { CliError } from '../../cli/errors.js';
import type { KubeClient, KubeObject } from '../../kube/client.js';
import { getOrUndefined, resourcePath } from '../../kube/resources.js';
import { isNotFound } from '../../kube/errors.js';
import {
  ADDON_DEPLOYMENT_CONFIGS,
  ADDON_TEMPLATES,
  CLUSTER_MANAGEMENT_ADDONS,
  MANAGED_CLUSTERS,
  MANAGED_CLUSTER_ADDONS,
  PLACEMENTS,
  TYPE,
  type AddOnDeploymentConfig,
  type AddOnTemplate,
  type ClusterManagementAddOn,
  type ManagedCluster,
} from '../../api/index.js';
import { FIELD_MANAGER, LABEL, MANAGED_BY, NS, SA } from '../../api/names.js';
import { permissionBindings } from '../../runtime/hub/addon-permissions.js';
import { clusterManagementAddOn, cmaTemplateName, loadTemplate, unknownVariables } from './template.js';
import type { ConfigFlag, CreateOptions, EnableOptions } from './options.js';
import { CLUSTER_ROLES, CLUSTER_ROLE_BINDINGS, ROLES, ROLE_BINDINGS } from '../../kube/core.js';

export type Change = 'created' | 'updated' | 'unchanged' | 'deleted' | 'absent' | 'would-create' | 'would-update' | 'would-delete';

export interface AddonResult {
  action: 'create' | 'enable' | 'disable';
  dryRun: boolean;
  changes: Array<{ kind: string; namespace?: string; name: string; change: Change }>;
  /** Per cluster after --wait: Available, or why not. */
  clusters?: Array<{ cluster: string; addon: string; available: boolean; message: string }>;
}

const apply = (client: KubeClient, path: string, obj: KubeObject) => client.patch(path, obj, 'apply', { fieldManager: FIELD_MANAGER.cli, force: true });
const bindRoleName = (addon: string) => `ocmadm:addon:${addon}:bind-hub-permissions`;

async function requireConfigs(client: KubeClient, configs: ConfigFlag[]): Promise<AddOnDeploymentConfig[]> {
  const out: AddOnDeploymentConfig[] = [];
  for (const c of configs) {
    const o = await getOrUndefined<AddOnDeploymentConfig>(client, resourcePath({ ...ADDON_DEPLOYMENT_CONFIGS, namespace: c.namespace, name: c.name }));
    if (!o) throw new CliError(`AddOnDeploymentConfig ${c.namespace}/${c.name} does not exist on the hub; create it first or fix --config`);
    out.push(o);
  }
  return out;
}

/** The objects that let the hub controller bind exactly the roles the template names. */
function bindGrants(t: AddOnTemplate): Array<{ path: string; obj: KubeObject }> {
  const addon = t.spec.addonName;
  const bindings = permissionBindings(t, '');
  const subject = [{ kind: 'ServiceAccount', name: SA.hubController, namespace: NS.hubRuntime }];
  const labels = { [LABEL.managedBy]: MANAGED_BY, [LABEL.addonName]: addon };
  const out: Array<{ path: string; obj: KubeObject }> = [];
  const clusterRoles = [...new Set(bindings.filter((b) => b.roleRef.kind === 'ClusterRole').map((b) => b.roleRef.name))];
  if (clusterRoles.length) {
    const name = bindRoleName(addon);
    out.push({
      path: resourcePath({ ...CLUSTER_ROLES, name }),
      obj: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, labels }, rules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], resourceNames: clusterRoles, verbs: ['bind'] }] } as KubeObject,
    });
    out.push({
      path: resourcePath({ ...CLUSTER_ROLE_BINDINGS, name }),
      obj: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name, labels }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, subjects: subject } as KubeObject,
    });
  }
  for (const b of bindings.filter((x) => x.roleRef.kind === 'Role')) {
    const name = bindRoleName(addon);
    out.push({
      path: resourcePath({ ...ROLES, namespace: b.namespace, name }),
      obj: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: b.namespace, labels }, rules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], resourceNames: [b.roleRef.name], verbs: ['bind'] }] } as KubeObject,
    });
    out.push({
      path: resourcePath({ ...ROLE_BINDINGS, namespace: b.namespace, name }),
      obj: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace: b.namespace, labels }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name }, subjects: subject } as KubeObject,
    });
  }
  // CustomSigner registrations: approve and sign for exactly those signers, read exactly their CA secrets.
  const signers = (t.spec.registration ?? []).filter((r) => r.type === 'CustomSigner' && r.customSigner).map((r) => r.customSigner!);
  if (signers.length) {
    const name = `ocmadm:addon:${addon}:custom-signers`;
    out.push({
      path: resourcePath({ ...CLUSTER_ROLES, name }),
      obj: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name, labels },
        rules: [
          { apiGroups: ['certificates.k8s.io'], resources: ['signers'], resourceNames: [...new Set(signers.map((x) => x.signerName))], verbs: ['approve', 'sign'] },
          { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/status'], verbs: ['update'] },
        ],
      } as KubeObject,
    });
    out.push({
      path: resourcePath({ ...CLUSTER_ROLE_BINDINGS, name }),
      obj: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name, labels }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, subjects: subject } as KubeObject,
    });
    const byNs = new Map<string, string[]>();
    for (const x of signers) byNs.set(x.signingCA.namespace || NS.hubRuntime, [...(byNs.get(x.signingCA.namespace || NS.hubRuntime) ?? []), x.signingCA.name]);
    for (const [namespace, secrets] of byNs) {
      const rn = `ocmadm:addon:${addon}:signing-ca`;
      out.push({
        path: resourcePath({ ...ROLES, namespace, name: rn }),
        obj: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: rn, namespace, labels }, rules: [{ apiGroups: [''], resources: ['secrets'], resourceNames: [...new Set(secrets)], verbs: ['get'] }] } as KubeObject,
      });
      out.push({
        path: resourcePath({ ...ROLE_BINDINGS, namespace, name: rn }),
        obj: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: rn, namespace, labels }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: rn }, subjects: subject } as KubeObject,
      });
    }
  }
  return out;
}

export async function createAddon(ctx: CommandContext, o: CreateOptions): Promise<AddonResult> {
  const t = loadTemplate(o.file);
  const client = await ctx.client(ctx.globals, 'hub');
  const configs = await requireConfigs(client, o.configs);
  const unknown = unknownVariables(t, configs);
  if (unknown.length) {
    throw new CliError(`${o.file}: the template uses ${unknown.map((v) => `{{${v}}}`).join(', ')}, neither built in nor set by a --config AddOnDeploymentConfig; add them to a config's customizedVariables and pass --config`);
  }
  const addon = t.spec.addonName;
  const cmaPath = resourcePath({ ...CLUSTER_MANAGEMENT_ADDONS, name: addon });
  const existing = await getOrUndefined<ClusterManagementAddOn>(client, cmaPath);
  if (existing && cmaTemplateName(existing) !== t.metadata.name) {
    throw new CliError(`add-on ${addon} already exists on the hub${cmaTemplateName(existing) ? ` with template ${cmaTemplateName(existing)}` : ' (not a template add-on)'}; choose another spec.addonName or remove that add-on first`);
  }
  const tPath = resourcePath({ ...ADDON_TEMPLATES, name: t.metadata.name! });
  const oldT = await getOrUndefined<AddOnTemplate>(client, tPath);
  const cma = clusterManagementAddOn(t, o.configs);
  const grants = bindGrants(t);
  const changeOf = (old: unknown): Change => (o.dryRun ? (old ? 'would-update' : 'would-create') : old ? 'updated' : 'created');
  const changes: AddonResult['changes'] = [
    { kind: 'AddOnTemplate', name: t.metadata.name!, change: changeOf(oldT) },
    { kind: 'ClusterManagementAddOn', name: addon, change: changeOf(existing) },
    ...grants.map((g) => ({ kind: g.obj.kind!, namespace: g.obj.metadata?.namespace, name: g.obj.metadata!.name!, change: (o.dryRun ? 'would-create' : 'created') as Change })),
  ];
  if (o.dryRun) {
    // The server checks the template as it would store it, and nothing is written.
    await client.patch(tPath, t, 'apply', { fieldManager: FIELD_MANAGER.cli, force: true, dryRun: 'All' });
    return { action: 'create', dryRun: true, changes };
  }
  // The grants first: the controller can bind as soon as the add-on exists.
  for (const g of grants) await apply(client, g.path, g.obj);
  await apply(client, tPath, { ...t, metadata: { ...t.metadata, labels: { ...t.metadata.labels, [LABEL.managedBy]: MANAGED_BY } } });
  await apply(client, cmaPath, cma);
  return { action: 'create', dryRun: false, changes };
}

async function requireAddons(client: KubeClient, names: string[]): Promise<Map<string, ClusterManagementAddOn>> {
  const out = new Map<string, ClusterManagementAddOn>();
  for (const n of names) {
    const cma = await getOrUndefined<ClusterManagementAddOn>(client, resourcePath({ ...CLUSTER_MANAGEMENT_ADDONS, name: n }));
    if (!cma) throw new CliError(`add-on ${n} does not exist on the hub; create it with ocmadm addon create -f TEMPLATE`);
    out.set(n, cma);
  }
  return out;
}

async function requireAccepted(client: KubeClient, clusters: string[]): Promise<void> {
  for (const c of clusters) {
    const mc = await getOrUndefined<ManagedCluster>(client, resourcePath({ ...MANAGED_CLUSTERS, name: c }));
    if (!mc) throw new CliError(`cluster ${c} is not a managed cluster of this hub; check the name with ocmadm get clusters`);
    if (!mc.spec?.hubAcceptsClient) throw new CliError(`cluster ${c} is not accepted; accept it first with ocmadm accept --clusters ${c}`);
  }
}

export async function enableAddons(ctx: CommandContext, o: EnableOptions): Promise<AddonResult> {
  const client = await ctx.client(ctx.globals, 'hub');
  const cmas = await requireAddons(client, o.names);
  await requireConfigs(client, o.configs);
  const configs = o.configs.map((c) => ({ group: c.group, resource: c.resource, namespace: c.namespace, name: c.name }));
  const changes: AddonResult['changes'] = [];
  if (o.target.mode === 'clusters') {
    await requireAccepted(client, o.target.clusters);
    for (const n of o.names) {
      if (cmas.get(n)!.spec.installStrategy?.type === 'Placements') throw new CliError(`add-on ${n} is installed by placement; enable it with --placement, or disable its placements first`);
    }
    const writes: Array<{ path: string; obj: KubeObject; kind: string; ns: string; name: string; existed: boolean }> = [];
    for (const n of o.names) {
      for (const c of o.target.clusters) {
        const path = resourcePath({ ...MANAGED_CLUSTER_ADDONS, namespace: c, name: n });
        const existed = !!(await getOrUndefined(client, path));
        const spec: Record<string, unknown> = { ...(o.installNamespace ? { installNamespace: o.installNamespace } : {}), ...(configs.length ? { configs } : {}) };
        writes.push({ path, existed, kind: 'ManagedClusterAddOn', ns: c, name: n, obj: { ...TYPE.managedClusterAddOn, metadata: { name: n, namespace: c }, spec } });
      }
    }
    for (const w of writes) {
      changes.push({ kind: w.kind, namespace: w.ns, name: w.name, change: o.dryRun ? (w.existed ? 'would-update' : 'would-create') : w.existed ? 'updated' : 'created' });
      if (!o.dryRun) await apply(client, w.path, w.obj);
    }
    return { action: 'enable', dryRun: o.dryRun, changes };
  }
  const { namespace, placement } = o.target;
  if (!(await getOrUndefined(client, resourcePath({ ...PLACEMENTS, namespace, name: placement })))) {
    throw new CliError(`Placement ${namespace}/${placement} does not exist; create it first (e.g. ocmadm deploy ... --placement) or fix --placement`);
  }
  for (const n of o.names) {
    const cma = cmas.get(n)!;
    const others = (cma.spec.installStrategy?.placements ?? []).filter((p) => !(p.namespace === namespace && p.name === placement));
    const entry = { name: placement, namespace, ...(configs.length ? { configs } : {}) };
    changes.push({ kind: 'ClusterManagementAddOn', name: n, change: o.dryRun ? 'would-update' : 'updated' });
    if (!o.dryRun) await mergePatchCma(client, cma, { installStrategy: { type: 'Placements', placements: [...others, entry] } });
  }
  return { action: 'enable', dryRun: o.dryRun, changes };
}

async function mergePatchCma(client: KubeClient, cma: ClusterManagementAddOn, spec: Record<string, unknown>): Promise<void> {
  await client.patch(resourcePath({ ...CLUSTER_MANAGEMENT_ADDONS, name: cma.metadata.name! }), { metadata: { resourceVersion: cma.metadata.resourceVersion }, spec }, 'merge');
}

export async function disableAddons(ctx: CommandContext, o: EnableOptions): Promise<AddonResult> {
  const client = await ctx.client(ctx.globals, 'hub');
  const cmas = await requireAddons(client, o.names);
  const changes: AddonResult['changes'] = [];
  if (o.target.mode === 'clusters') {
    for (const n of o.names) {
      if (cmas.get(n)!.spec.installStrategy?.type === 'Placements') throw new CliError(`add-on ${n} is installed by placement; disable it with --placement`);
    }
    const targets: Array<{ path: string; ns: string; name: string; existed: boolean }> = [];
    for (const n of o.names) {
      for (const c of o.target.clusters) {
        const path = resourcePath({ ...MANAGED_CLUSTER_ADDONS, namespace: c, name: n });
        targets.push({ path, ns: c, name: n, existed: !!(await getOrUndefined(client, path)) });
      }
    }
    for (const t of targets) {
      changes.push({ kind: 'ManagedClusterAddOn', namespace: t.ns, name: t.name, change: !t.existed ? 'absent' : o.dryRun ? 'would-delete' : 'deleted' });
      if (t.existed && !o.dryRun) await client.delete(t.path).catch((err: unknown) => (isNotFound(err) ? undefined : Promise.reject(err)));
    }
    return { action: 'disable', dryRun: o.dryRun, changes };
  }
  const { namespace, placement } = o.target;
  for (const n of o.names) {
    const cma = cmas.get(n)!;
    const all = cma.spec.installStrategy?.placements ?? [];
    const rest = all.filter((p) => !(p.namespace === namespace && p.name === placement));
    if (rest.length === all.length) {
      changes.push({ kind: 'ClusterManagementAddOn', name: n, change: 'absent' });
      continue;
    }
    changes.push({ kind: 'ClusterManagementAddOn', name: n, change: o.dryRun ? 'would-update' : 'updated' });
    // The last placement gone: back to Manual, and the installed add-ons go too (OCM keeps them).
    if (!o.dryRun) {
      await mergePatchCma(client, cma, { installStrategy: rest.length ? { type: 'Placements', placements: rest } : { type: 'Manual', placements: null } });
      if (!rest.length) await deleteInstalled(client, cma);
    }
  }
  return { action: 'disable', dryRun: o.dryRun, changes };
}

/** The add-ons a placement strategy installed (owned by the CMA). */
async function deleteInstalled(client: KubeClient, cma: ClusterManagementAddOn): Promise<void> {
  const list = await client.list<KubeObject>(resourcePath(MANAGED_CLUSTER_ADDONS));
  for (const a of list.items) {
    if (a.metadata?.name !== cma.metadata.name || !a.metadata?.ownerReferences?.some((r) => r.uid === cma.metadata.uid && r.controller)) continue;
    await client.delete(resourcePath({ ...MANAGED_CLUSTER_ADDONS, namespace: a.metadata.namespace, name: a.metadata.name })).catch(() => undefined);
  }
}
