/**
 * Helpers for the klusterlet e2e suites: what `ocmadm init` and `ocmadm join` would set up, done
 * by hand (hub CRDs and bootstrap RBAC, a TokenRequest token, the spoke CRDs, the agent namespace
 * and its bootstrap secret), and the built agent as a child process with its JSON log lines.
 */
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { KubeApiError } from '../../src/kube/errors.js';
import { deleteIfPresent, resourcePath } from '../../src/kube/resources.js';
import { SECRETS, SERVICE_ACCOUNTS } from '../../src/kube/core.js';
import { bootstrapKubeconfigYaml as joinBootstrapYaml } from '../../src/install/klusterlet/bootstrap-kubeconfig.js';
import { LABEL, RBAC, SA, NS, SECRET } from '../../src/api/names.js';
import { ROOT, eventually, type ClusterInfo } from '../support/clusters.js';
import { assertBuildFresh, spawnRuntime, type LogLine, type RuntimeProcess } from '../support/runtime-process.js';
import { CSRS, type CertificateSigningRequest } from '../../src/kube/certificates.js';
import { serviceAccountToken } from '../hub/identities.js';
import { NAMESPACES, RBAC_REFS, conditionOf, until } from '../hub/support.js';

export const AGENT_MAIN = path.join(ROOT, 'dist/runtime/klusterlet/main.js');
const FIELD_MANAGER = 'ocmadm-e2e';

/** Server-side apply of one object (idempotent; other suites may apply the same shared objects). */
async function apply(client: KubeClient, pathname: string, obj: KubeObject): Promise<void> {
  await client.patch(pathname, obj, 'apply', { fieldManager: FIELD_MANAGER, force: true });
}

/** Applies the CRDs of one side from manifests/crds/<side> and waits until each is Established. */
export async function applyCrds(client: KubeClient, side: 'hub' | 'spoke'): Promise<void> {
  const dir = path.join(ROOT, 'manifests/crds', side);
  const ref = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' };
  const names: string[] = [];
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    for (const doc of yaml.loadAll(fs.readFileSync(path.join(dir, f), 'utf8')) as KubeObject[]) {
      if (!doc?.metadata?.name) continue;
      names.push(doc.metadata.name);
      await apply(client, resourcePath({ ...ref, name: doc.metadata.name }), doc);
    }
  }
  for (const name of names) {
    const crd = await until<KubeObject & { spec: { group: string; names: { plural: string }; versions: { name: string; served: boolean }[] } }>(
      client,
      { ...ref, name },
      (o) => conditionOf(o, 'Established')?.status === 'True',
      `CRD ${name} Established`,
    );
    // Established is not quite serving: right after, a list can still answer 503 "storage is
    // (re)initializing". Wait until each served version lists (a readiness wait with a deadline).
    for (const v of crd!.spec.versions.filter((x) => x.served)) {
      const collection = resourcePath({ group: crd!.spec.group, version: v.name, resource: crd!.spec.names.plural });
      const serving = async (): Promise<boolean> => {
        try {
          await client.list(collection, { limit: 1 });
          return true;
        } catch (err) {
          if (err instanceof KubeApiError && (err.status === 503 || err.status === 429)) return false;
          throw err;
        }
      };
      await eventually(serving, { ms: 30_000, firstDelayMs: 20, maxDelayMs: 500, describe: () => `${collection} still not serving` });
    }
  }
}

/** ocm-protocol.md §2: ClusterRole open-cluster-management:bootstrap, its ServiceAccount and binding. */
export async function applyBootstrapRbac(hub: KubeClient): Promise<void> {
  await apply(hub, resourcePath({ ...NAMESPACES, name: NS.hubBootstrap }), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS.hubBootstrap } });
  await apply(hub, resourcePath({ ...SERVICE_ACCOUNTS, namespace: NS.hubBootstrap, name: SA.bootstrap }), {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: SA.bootstrap, namespace: NS.hubBootstrap },
  });
  await apply(hub, resourcePath({ ...RBAC_REFS.clusterRoles, name: RBAC.bootstrapClusterRole }), {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: RBAC.bootstrapClusterRole },
    rules: [
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
      { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['create', 'get', 'list', 'watch'] },
      { apiGroups: ['cluster.open-cluster-management.io'], resources: ['managedclusters'], verbs: ['get', 'create', 'list', 'watch'] },
      { apiGroups: ['cluster.open-cluster-management.io'], resources: ['managedclustersets/join'], verbs: ['create'] },
    ],
  });
  await apply(hub, resourcePath({ ...RBAC_REFS.clusterRoleBindings, name: RBAC.bootstrapSaBinding }), {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: RBAC.bootstrapSaBinding },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: RBAC.bootstrapClusterRole },
    subjects: [{ kind: 'ServiceAccount', name: SA.bootstrap, namespace: NS.hubBootstrap }],
  });
}

/** The bootstrap kubeconfig as `join` writes it: cluster `hub`, user `bootstrap`, context `bootstrap`. */
export function bootstrapKubeconfigYaml(hub: ClusterInfo, token: string): string {
  return joinBootstrapYaml({ server: hub.server, caPem: fs.readFileSync(hub.caFile, 'utf8'), token });
}

/** A 1 h TokenRequest token of the bootstrap ServiceAccount (what `get token` hands out). */
export const bootstrapToken = (hub: KubeClient) => serviceAccountToken(hub, NS.hubBootstrap, SA.bootstrap, 3600);

/** The agent namespace and its bootstrap secret on the spoke. */
export async function prepareSpoke(spoke: KubeClient, namespace: string, bootstrapYaml: string): Promise<void> {
  await apply(spoke, resourcePath({ ...NAMESPACES, name: namespace }), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  await writeBootstrapSecret(spoke, namespace, bootstrapYaml);
}

export async function writeBootstrapSecret(spoke: KubeClient, namespace: string, bootstrapYaml: string): Promise<void> {
  await apply(spoke, resourcePath({ ...SECRETS, namespace, name: SECRET.bootstrapHubKubeconfig }), {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: SECRET.bootstrapHubKubeconfig, namespace },
    type: 'Opaque',
    data: { kubeconfig: Buffer.from(bootstrapYaml).toString('base64') },
  });
}

export type { LogLine };

export interface AgentProcess extends RuntimeProcess {
  /** The agent's own arguments (without the health and log flags). */
  args: string[];
  healthPort: number;
}

/** Starts the built agent with `args` (add --kubeconfig, --cluster-name, ...); resolves once it reports its health port. */
export async function startAgentProcess(name: string, args: string[]): Promise<AgentProcess> {
  assertBuildFresh(AGENT_MAIN, path.join(ROOT, 'src/runtime/klusterlet'));
  const agent = spawnRuntime(name, AGENT_MAIN, ['--health-port', '0', '--health-bind', '127.0.0.1', '--log-level', 'debug', ...args]);
  const portLine = await agent.waitForLog((l) => typeof l.healthPort === 'number');
  return { ...agent, args, healthPort: portLine.healthPort as number };
}

/** The cluster's agent CSRs on the hub (label, no add-on label), oldest first. */
export async function clusterCsrs(hub: KubeClient, cluster: string): Promise<CertificateSigningRequest[]> {
  const list = await hub.list<CertificateSigningRequest>(resourcePath(CSRS), { labelSelector: `${LABEL.clusterName}=${cluster},!${LABEL.addonName}` });
  return list.items.sort((a, b) => (a.metadata!.creationTimestamp! < b.metadata!.creationTimestamp! ? -1 : 1));
}

/** The first agent CSR of `cluster` on the hub, waiting for it with a watch. */
export async function firstCsr(hub: KubeClient, cluster: string, ms = 60_000): Promise<CertificateSigningRequest> {
  const labelSelector = `${LABEL.clusterName}=${cluster},!${LABEL.addonName}`;
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), ms);
  try {
    const list = await hub.list<CertificateSigningRequest>(resourcePath(CSRS), { labelSelector });
    if (list.items[0]) return list.items[0];
    if (ctrl.signal.aborted) throw new Error(`no CSR of cluster ${cluster} within ${ms} ms`);
    let found: CertificateSigningRequest | undefined;
    await hub.watch<CertificateSigningRequest>(
      resourcePath(CSRS),
      { labelSelector, resourceVersion: list.metadata.resourceVersion, timeoutSeconds: Math.ceil(ms / 1000) },
      (ev) => {
        if (ev.type === 'ADDED' && !found) {
          found = ev.object;
          ctrl.abort();
        }
      },
      { signal: ctrl.signal },
    );
    if (!found) throw new Error(`no CSR of cluster ${cluster} within ${ms} ms`);
    return found;
  } finally {
    clearTimeout(timer);
  }
}

/** Approves a CSR as the hub admin would (`accept` does the same through /approval). */
export async function approveCsr(hub: KubeClient, name: string): Promise<void> {
  const csr = await hub.get<CertificateSigningRequest>(resourcePath({ ...CSRS, name }));
  const approval = { type: 'Approved', status: 'True', reason: 'E2EAdminApproved', message: 'approved by the e2e test' };
  await hub.replace(resourcePath({ ...CSRS, name, subresource: 'approval' }), { ...csr, status: { ...(csr.status ?? {}), conditions: [approval] } });
}

/** Deletes, ignoring 404. */
export { deleteIfPresent as deleteIfExists };

/** The decoded data of a Secret. */
export function decodeData(s: KubeObject | undefined): Record<string, string> {
  const data = (s as { data?: Record<string, string> } | undefined)?.data ?? {};
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}
