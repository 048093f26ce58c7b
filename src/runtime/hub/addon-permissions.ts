/**
 * An AddOnTemplate's `hubPermissions`, as OCM's template manager grants them to the add-on
 * agent's registered subject (its user and groups, without system:authenticated):
 * CurrentCluster → RoleBinding to the named ClusterRole in the cluster namespace (owned by the
 * ManagedClusterAddOn; this cluster's agent only); SingleNamespace → RoleBinding to the given role in that namespace (shared
 * by every cluster of the add-on, bound through the add-on-wide group as OCM does). Both are named
 * `open-cluster-management:<addon>:<role kind>:agent` and labelled with the add-on name and
 * the template label, which is how they are found again to remove.
 */
import type { AddOnTemplate, ManagedClusterAddOn } from '../../api/index.js';
import { ADDON, LABEL } from '../../api/names.js';
import type { OwnerReference } from '../../kube/client.js';
import type { HubDeps } from './deps.js';
import { applyOwned, deleteIfPresent } from './write.js';
import { ROLE_BINDINGS } from '../../kube/core.js';

export interface Subject {
  user: string;
  groups: string[];
}

export interface PermissionBinding {
  namespace: string;
  name: string;
  roleRef: { apiGroup: string; kind: string; name: string };
  owned: boolean;
}

/** The bindings a template asks for on one cluster. */
export function permissionBindings(template: AddOnTemplate, cluster: string): PermissionBinding[] {
  const addon = template.spec.addonName;
  const out: PermissionBinding[] = [];
  for (const r of template.spec.registration ?? []) {
    if (r.type !== 'KubeClient') continue;
    for (const p of r.kubeClient?.hubPermissions ?? []) {
      if (p.type === 'CurrentCluster') {
        if (!p.currentCluster) throw new Error('currentCluster is required when the hubPermission type is CurrentCluster');
        const roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: p.currentCluster.clusterRoleName };
        out.push({ namespace: cluster, name: ADDON.permissionBinding(addon, 'ClusterRole'), roleRef, owned: true });
      } else if (p.type === 'SingleNamespace') {
        if (!p.singleNamespace) throw new Error('singleNamespace is required when the hubPermission type is SingleNamespace');
        const roleRef = { ...p.singleNamespace.roleRef, apiGroup: p.singleNamespace.roleRef.apiGroup || 'rbac.authorization.k8s.io' };
        out.push({ namespace: p.singleNamespace.namespace, name: ADDON.permissionBinding(addon, roleRef.kind), roleRef, owned: false });
      }
    }
  }
  return out;
}

/**
 * Who a binding names. A CurrentCluster binding names only this cluster's agent (its user and the
 * per-cluster add-on group): OCM also binds the add-on-wide group there, which lets every
 * cluster's agent of the add-on write in every cluster namespace; we do not. A SingleNamespace
 * binding is shared by all clusters of the add-on, so it names the add-on-wide group too.
 */
export function bindingSubjects(s: Subject, cluster: string, addon: string, currentCluster: boolean) {
  const perCluster = ADDON.groups(cluster, addon)[0];
  const groups = s.groups.filter((g) => g !== 'system:authenticated' && (!currentCluster || g === perCluster));
  return [
    { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: s.user },
    ...groups.map((name) => ({ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name })),
  ];
}

/** Applies every binding; returns how many. Throws the first failure (RegistrationApplied False). */
export async function applyPermissions(deps: HubDeps, mca: ManagedClusterAddOn, template: AddOnTemplate, subject: Subject, owner: OwnerReference): Promise<number> {
  const cluster = mca.metadata.namespace!;
  const bindings = permissionBindings(template, cluster);
  for (const b of bindings) {
    const current = deps.informers.addonRoleBindings.get(`${b.namespace}/${b.name}`);
    const wanted = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: {
        name: b.name,
        namespace: b.namespace,
        labels: { [LABEL.addonName]: mca.metadata.name!, [ADDON.templateLabel]: '' },
        ...(b.owned ? { ownerReferences: [owner] } : {}),
      },
      roleRef: b.roleRef,
      subjects: bindingSubjects(subject, cluster, template.spec.addonName, b.owned),
    };
    // roleRef is immutable: a template that changed its role needs the binding re-created.
    if (current && JSON.stringify((current as { roleRef?: unknown }).roleRef) !== JSON.stringify(b.roleRef)) {
      await deleteIfPresent(deps.client, { ...ROLE_BINDINGS, namespace: b.namespace, name: b.name });
    } else if (current && JSON.stringify((current as { subjects?: unknown }).subjects) === JSON.stringify(wanted.subjects)) continue;
    await applyOwned(deps.client, { ...ROLE_BINDINGS, namespace: b.namespace }, wanted);
  }
  return bindings.length;
}

/**
 * Removes the add-on's bindings in the cluster namespace and, once no cluster has the add-on any
 * more (`last`), its SingleNamespace bindings elsewhere.
 */
export async function removePermissions(deps: HubDeps, cluster: string, addon: string, last: boolean): Promise<void> {
  const mine = deps.informers.addonRoleBindings.list(
    (b) => b.metadata?.labels?.[LABEL.addonName] === addon && (b.metadata.namespace === cluster || (last && !b.metadata.ownerReferences?.length)),
  );
  for (const b of mine) {
    if (await deleteIfPresent(deps.client, { ...ROLE_BINDINGS, namespace: b.metadata!.namespace!, name: b.metadata!.name! })) {
      deps.log.info('add-on hub permission removed', { addon, namespace: b.metadata!.namespace, binding: b.metadata!.name });
    }
  }
}
