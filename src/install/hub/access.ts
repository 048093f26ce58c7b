/**
 * Permission checks before anything is changed: one SelfSubjectAccessReview per needed
 * (verb, resource, namespace), asked in parallel, and a one-line error naming what is missing.
 */
import type { KubeClient, KubeObject } from '../../kube/client.js';
import { isUnauthorized } from '../../kube/errors.js';
import { CliError } from '../../cli/errors.js';
import { kindInfo } from './kinds.js';

export interface Permission {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/** "create serviceaccounts/token in namespace open-cluster-management", "patch clusterroles.rbac.authorization.k8s.io". */
export function describePermission(p: Permission): string {
  const res = `${p.resource}${p.group ? `.${p.group}` : ''}${p.subresource ? `/${p.subresource}` : ''}`;
  const name = p.name ? ` "${p.name}"` : '';
  const where = p.namespace ? ` in namespace ${p.namespace}` : '';
  return `${p.verb} ${res}${name}${where}`;
}

const key = (p: Permission) => JSON.stringify([p.verb, p.group, p.resource, p.subresource ?? '', p.namespace ?? '', p.name ?? '']);

export function uniquePermissions(perms: Permission[]): Permission[] {
  const seen = new Map<string, Permission>();
  for (const p of perms) if (!seen.has(key(p))) seen.set(key(p), p);
  return [...seen.values()];
}

/** What server-side apply of these objects needs: create and patch on each kind, per namespace. */
export function applyPermissions(objects: KubeObject[]): Permission[] {
  return uniquePermissions(
    objects.flatMap((o) => {
      const k = kindInfo(o.kind);
      const namespace = k.namespaced ? o.metadata?.namespace : undefined;
      return ['create', 'patch'].map((verb) => ({ verb, group: k.group, resource: k.resource, namespace }));
    }),
  );
}

interface AccessReview {
  status?: { allowed?: boolean; denied?: boolean; reason?: string };
}

/** The permissions among `perms` the current identity does not have. */
export async function missingPermissions(client: KubeClient, perms: Permission[]): Promise<Permission[]> {
  const results = await Promise.all(
    uniquePermissions(perms).map(async (p) => {
      const review = await client.create<AccessReview>('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { verb: p.verb, group: p.group, resource: p.resource, subresource: p.subresource, namespace: p.namespace, name: p.name } },
      });
      return review.status?.allowed ? undefined : p;
    }),
  );
  return results.filter((p): p is Permission => !!p);
}

/** Throws a one-line CliError naming the missing permissions (the first few, then a count). */
export async function requirePermissions(client: KubeClient, perms: Permission[], what: string): Promise<void> {
  let missing: Permission[];
  try {
    missing = await missingPermissions(client, perms);
  } catch (err) {
    if (isUnauthorized(err)) throw new CliError(`the hub ${client.server} rejected the credentials (401 Unauthorized); log in again or pass another --context`);
    throw err;
  }
  if (missing.length === 0) return;
  const shown = missing.slice(0, 4).map(describePermission).join('; ');
  const more = missing.length > 4 ? ` (and ${missing.length - 4} more)` : '';
  throw new CliError(`missing permissions to ${what}: ${shown}${more}; nothing was changed — use a cluster-admin identity`);
}
