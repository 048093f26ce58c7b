/**
 * The work agent's rights, with real identities:
 * - on the hub, the agent certificate gets exactly what the hub controller grants at accept
 *   (src/runtime/hub/cluster-rbac.ts): read, update and patch ManifestWorks and their status in
 *   its own cluster namespace, nothing in another cluster's;
 * - on the spoke, the klusterlet's ServiceAccount with the RBAC that join renders
 *   (src/templates/klusterlet/rbac.yaml) is enough to apply and remove a work of cluster-scoped
 *   kinds, RBAC (with rights the agent does not hold itself), workloads, and a CRD with its
 *   resources (the work grants those through an aggregate-to-work ClusterRole, as with OCM).
 */
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { GROUP, LABEL } from '../../src/api/names.js';
import { KLUSTERLET, klusterletObjects } from '../../src/install/klusterlet/klusterlet.js';
import { uniqueName, userClient } from '../support/clusters.js';
import { serviceAccountToken } from '../hub/identities.js';
import { NAMESPACES, gone } from '../hub/support.js';
import { appliedAt, configMap, createWork, managedCluster, namespace, runAgent, until, waitWork, widgetCrd, workRef, workSuite } from './support.js';

const s = workSuite({ spoke: 'spoke2', prefix: 'rbac', agent: false });

type Attrs = { namespace?: string; verb: string; group: string; resource: string; subresource?: string };
async function can(client: KubeClient, a: Attrs): Promise<boolean> {
  const review = await client.create<{ status: { allowed: boolean } }>('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    spec: { resourceAttributes: a },
  });
  return review.status.allowed;
}

test('hub: the agent identity may read, update and patch works and their status in its namespace only', async () => {
  const mc = await managedCluster(s.hubAdmin, s.cleanup, 'rbac');
  const other = await managedCluster(s.hubAdmin, s.cleanup, 'rbac-other');
  const works = { group: GROUP.work, resource: 'manifestworks' };
  const allowed = async (namespace: string | undefined, verb: string, subresource?: string) => can(mc.hub, { ...works, namespace, verb, subresource });
  for (const verb of ['get', 'list', 'watch', 'update', 'patch']) expect([verb, await allowed(mc.name, verb)]).toEqual([verb, true]);
  for (const verb of ['patch', 'update']) expect([`status ${verb}`, await allowed(mc.name, verb, 'status')]).toEqual([`status ${verb}`, true]);
  // Creating or deleting works is the hub user's business, not the agent's.
  for (const verb of ['create', 'delete', 'deletecollection']) expect([verb, await allowed(mc.name, verb)]).toEqual([verb, false]);
  for (const verb of ['get', 'list', 'watch', 'update', 'patch']) {
    expect([`other ${verb}`, await allowed(other.name, verb)]).toEqual([`other ${verb}`, false]);
    expect([`other status ${verb}`, await allowed(other.name, verb, 'status')]).toEqual([`other status ${verb}`, false]);
    expect([`cluster-wide ${verb}`, await allowed(undefined, verb)]).toEqual([`cluster-wide ${verb}`, false]);
  }
  // And the server agrees with the reviews on real requests.
  await createWork(s.hubAdmin, other.name, 'theirs', { workload: { manifests: [configMap('default', 'x')] } }, s.cleanup);
  await expect(mc.hub.get(resourcePath(workRef(other.name, 'theirs')))).rejects.toMatchObject({ status: 403 });
  await expect(mc.hub.list(resourcePath({ ...workRef(mc.name, 'x'), name: undefined }))).resolves.toMatchObject({ items: [] });
});

/** The klusterlet's spoke RBAC as join renders it, under names of this test (a real join may share the spoke). */
async function klusterletIdentity(agentNs: string): Promise<KubeClient> {
  const suffix = agentNs;
  const objs = klusterletObjects({ clusterName: 'e2e', runtime: 'local', image: 'unused', clusterClaims: {}, bootstrapKubeconfig: '' });
  const ours = new Set<string>([KLUSTERLET.clusterRole, KLUSTERLET.workClusterRole, KLUSTERLET.workAdminBinding, KLUSTERLET.workAggregateRole]);
  const rename = (n: string) => (ours.has(n) ? `${n}:${suffix}` : n);
  await s.spoke.create(resourcePath(NAMESPACES), namespace(agentNs));
  s.cleanup.add(() => s.spoke.delete(resourcePath({ ...NAMESPACES, name: agentNs })));
  for (const o of objs.filter((x) => ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'].includes(x.kind ?? ''))) {
    const obj = { ...o, metadata: { ...o.metadata, name: rename(o.metadata!.name!), ...(o.metadata!.namespace ? { namespace: agentNs } : {}) } } as KubeObject & {
      roleRef?: { name: string };
      subjects?: { namespace?: string }[];
    };
    if (obj.roleRef) obj.roleRef = { ...obj.roleRef, name: rename(obj.roleRef.name) };
    if (obj.subjects) obj.subjects = obj.subjects.map((s) => ({ ...s, namespace: agentNs }));
    const [group, version] = obj.apiVersion!.includes('/') ? obj.apiVersion!.split('/') : ['', obj.apiVersion!];
    const resource = `${obj.kind!.toLowerCase()}s`;
    const ref = { group: group!, version: version!, resource, namespace: obj.metadata!.namespace, name: obj.metadata!.name };
    await s.spoke.patch(resourcePath(ref), obj, 'apply', { fieldManager: 'ocmadm-e2e', force: true });
    if (!ref.namespace) s.cleanup.add(() => s.spoke.delete(resourcePath(ref)));
  }
  const token = await serviceAccountToken(s.spoke, agentNs, KLUSTERLET.serviceAccount, 3600);
  const client = await userClient('spoke2', { token });
  s.cleanup.add(() => client.close());
  return client;
}

test('spoke: with only the klusterlet RBAC the agent applies and removes cluster-scoped kinds, RBAC, CRDs and workloads', async () => {
  const spoke = await klusterletIdentity(uniqueName('kl-agent'));
  const mc = await managedCluster(s.hubAdmin, s.cleanup, 'rbac-spoke');
  s.mc = mc;
  const agent = (s.agent = runAgent(mc, spoke));
  const ns = uniqueName('wrbac');
  const group = `${uniqueName('g')}.e2e.ocmadm.io`;
  const { crd, widget } = widgetCrd(group);
  const role = uniqueName('e2e-csr-reader');
  s.cleanup.add(() => s.spoke.delete(resourcePath({ ...NAMESPACES, name: ns })));
  s.cleanup.add(() => s.spoke.delete(resourcePath({ group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions', name: crd.metadata!.name! })));
  const rbacV1 = 'rbac.authorization.k8s.io/v1';
  const roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role };
  const subjects = [{ kind: 'ServiceAccount', name: 'app', namespace: ns }];
  const manifests: KubeObject[] = [
    namespace(ns),
    crd,
    widget(ns, 'w'),
    // `admin` does not cover a new kind: the work grants the agent its custom resources (aggregated).
    {
      apiVersion: rbacV1,
      kind: 'ClusterRole',
      metadata: { name: `${role}-widgets`, labels: { [LABEL.aggregateToWork]: 'true' } },
      rules: [{ apiGroups: [group], resources: ['widgets'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] }],
    },
    // Rights the agent does not hold itself (CSRs): needs escalate and bind.
    { apiVersion: rbacV1, kind: 'ClusterRole', metadata: { name: role }, rules: [{ apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['get'] }] },
    { apiVersion: rbacV1, kind: 'ClusterRoleBinding', metadata: { name: role }, roleRef, subjects },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'app', namespace: ns } },
    { apiVersion: rbacV1, kind: 'RoleBinding', metadata: { name: 'app', namespace: ns }, roleRef, subjects },
    configMap(ns, 'cfg'),
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec', namespace: ns }, stringData: { password: 'x' } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', namespace: ns }, spec: { ports: [{ port: 80 }], selector: { app: 'a' } } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'app', namespace: ns },
      spec: { replicas: 1, selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'registry.example/app:1' }] } } },
    },
  ];
  await createWork(s.hubAdmin, mc.name, 'everything', { workload: { manifests } }, s.cleanup);
  const w = await waitWork(s.hubAdmin, mc.name, 'everything', (x) => appliedAt(x, true), 'all applied and available', 60_000).catch(async (err: Error) => {
    const cur = await s.hubAdmin.get(resourcePath(workRef(mc.name, 'everything')));
    throw new Error(`${err.message}: ${JSON.stringify(cur.status)}`);
  });
  expect(w!.status!.resourceStatus!.manifests).toHaveLength(manifests.length);

  await s.hubAdmin.delete(resourcePath(workRef(mc.name, 'everything')));
  await waitWork(s.hubAdmin, mc.name, 'everything', gone, 'work removed', 90_000);
  await until(s.spoke, { ...NAMESPACES, name: ns }, gone, 'namespace removed');
  await until(s.spoke, { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', name: role }, gone, 'cluster role removed');
  await until(s.spoke, { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions', name: crd.metadata!.name! }, gone, 'CRD removed');
  expect(agent.logs.filter((l) => l.level === 'error')).toEqual([]);
});
