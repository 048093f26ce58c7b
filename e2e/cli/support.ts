/**
 * Helpers for the CLI suites: identities with chosen rights (ServiceAccount tokens), a
 * snapshot of everything `init` could touch (to prove a refused or dry run changed nothing),
 * and waits for a credential to stop working.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { isNotFound, isUnauthorized } from '../../src/kube/errors.js';
import { resourcePath } from '../../src/kube/resources.js';
import { kubeconfigYaml } from '../../src/sandbox/kubeconfig.js';
import { eventually, userClient, whoAmI, type ClusterInfo, type UserInfo } from '../support/clusters.js';
import type { Fleet } from '../support/fleet.js';
import { CLUSTER_ROLES, CLUSTER_ROLE_BINDINGS, CONFIG_MAPS, NAMESPACES, SECRETS, SERVICE_ACCOUNTS } from '../../src/kube/core.js';

export interface Identity {
  client: KubeClient;
  token: string;
  kubeconfigFile: string;
}

/** A kubeconfig file (0600) for `token` on the cluster. */
export function tokenKubeconfigFile(info: ClusterInfo, token: string, file: string): string {
  fs.writeFileSync(file, kubeconfigYaml({ name: info.name, server: info.server, caPem: fs.readFileSync(info.caFile, 'utf8'), user: { token } }), { mode: 0o600 });
  return file;
}

/** A token (10 min) of ServiceAccount namespace/name, made if missing; `clusterRole` bound to it when given. */
export async function serviceAccountIdentity(fleet: Fleet, cluster: string, admin: KubeClient, namespace: string, name: string, clusterRole?: string): Promise<Identity> {
  const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } };
  await admin.patch(resourcePath({ ...SERVICE_ACCOUNTS, namespace, name }), sa, 'apply', { fieldManager: 'ocmadm-e2e', force: true });
  if (clusterRole) {
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `e2e:${namespace}:${name}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    };
    await admin.patch(resourcePath({ ...CLUSTER_ROLE_BINDINGS, name: binding.metadata.name }), binding, 'apply', {
      fieldManager: 'ocmadm-e2e',
      force: true,
    });
  }
  const tr = await admin.create<{ status: { token: string } }>(
    resourcePath({ ...SERVICE_ACCOUNTS, namespace, name, subresource: 'token' }),
    { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 600 } },
  );
  return tokenIdentity(fleet, cluster, tr.status.token, `${namespace}-${name}`);
}

export async function tokenIdentity(fleet: Fleet, cluster: string, token: string, label: string): Promise<Identity> {
  const info = fleet.info(cluster);
  const client = await userClient(info, { token });
  return { client, token, kubeconfigFile: tokenKubeconfigFile(info, token, path.join(fleet.stateDir, `${label}.kubeconfig`)) };
}

export type SnapshotKind = { group: string; version: string; resource: string; namespace?: string };

export const SNAPSHOT_KINDS: SnapshotKind[] = [
  { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' },
  NAMESPACES,
  CLUSTER_ROLES,
  CLUSTER_ROLE_BINDINGS,
  { group: 'admissionregistration.k8s.io', version: 'v1', resource: 'validatingadmissionpolicies' },
  { group: 'admissionregistration.k8s.io', version: 'v1', resource: 'validatingadmissionpolicybindings' },
  { ...CONFIG_MAPS, namespace: 'kube-public' },
  { ...SECRETS, namespace: 'kube-system' },
  { group: 'apps', version: 'v1', resource: 'deployments' },
  SERVICE_ACCOUNTS,
];

/**
 * Every object of `kinds` (default: those init writes; a kind not served counts as empty), as
 * "resource namespace/name@version", sorted. The version is the generation where the API keeps
 * one (spec changes only: the API server writes status of CRDs and admission policies on its own),
 * else the resourceVersion. Aggregated ClusterRoles, the kube-root-ca.crt ConfigMaps and each
 * namespace's `default` ServiceAccount are left out: kube-controller-manager writes them on its
 * own schedule (a new cluster's kube-system/default can appear after the first snapshot), and a
 * namespace that comes or goes is seen by itself.
 */
export async function snapshot(client: KubeClient, kinds: SnapshotKind[] = SNAPSHOT_KINDS): Promise<string[]> {
  const lists = await Promise.all(
    kinds.map(async (k) =>
      (await client.list<KubeObject>(resourcePath(k)).catch((err: unknown) => (isNotFound(err) ? { items: [] as KubeObject[] } : Promise.reject(err)))).items
        .filter((o) => !o.aggregationRule && o.metadata?.name !== 'kube-root-ca.crt' && !(k.resource === 'serviceaccounts' && o.metadata?.name === 'default'))
        .map((o) => `${k.resource} ${o.metadata?.namespace ?? ''}/${o.metadata?.name}@${o.metadata?.generation ?? o.metadata?.resourceVersion}`),
    ),
  );
  return lists.flat().sort();
}

/** Asks the server who `client` is until it answers 401 (revocation reaches caches within moments). */
export async function waitUnauthorized(client: KubeClient, ms = 30_000): Promise<void> {
  let last: UserInfo | undefined;
  await eventually(
    async () => {
      try {
        last = await whoAmI(client);
        return false;
      } catch (err) {
        if (isUnauthorized(err)) return true;
        throw err;
      }
    },
    { ms, describe: () => `the credential still authenticates as ${last?.username} after ${ms} ms` },
  );
}

/**
 * The error lines of stderr (progress lines before them are fine on a non-TTY): a refused
 * command prints exactly one, starting with "Error:".
 */
export const errorLines = (stderr: string) => stderr.split('\n').filter((l) => /^error/i.test(l.trim()));

/** A loopback port nobody listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.once('error', reject);
  });
}

/** A copy (0600) of the fleet cluster's admin kubeconfig pointing at a closed loopback port, and that URL. */
export async function unreachableKubeconfig(fleet: Fleet, cluster: string, file: string): Promise<{ file: string; url: string }> {
  const info = fleet.info(cluster);
  const url = `https://127.0.0.1:${await closedPort()}`;
  fs.writeFileSync(file, fs.readFileSync(info.adminKubeconfigPath, 'utf8').replace(info.server, url), { mode: 0o600 });
  return { file, url };
}
