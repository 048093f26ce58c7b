/**
 * The security matrix: every credential a managed cluster's agent can hold on a hub made by
 * `ocmadm init`, against the operations it must never do and the few it needs. One test per
 * row; each is a real API call (writes as server dry runs, so a hole would show without
 * breaking the fleet) and names the layer that must answer: RBAC ("cannot <verb> resource"),
 * or the admission guard (the ValidatingAdmissionPolicy `init` installs), or allowed.
 *
 * Identities (see least-privilege-fleet.ts): accepted cluster a's client certificate, the
 * ServiceAccount join token, denied cluster c's bootstrap token, and a certificate in c's name
 * approved while c was never accepted. The guard's own checks for a user holding update on
 * every ManagedCluster are in e2e/cli/guard-tokens.e2e.ts; an agent accepting itself after a
 * real deny (its role then read-only) is in e2e/handshake/accept.e2e.ts.
 */
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { MANAGED_CLUSTERS, MANAGED_CLUSTER_ADDONS, MANAGED_CLUSTER_SETS, MANAGED_CLUSTER_SET_BINDINGS, MANIFEST_WORKS, TYPE } from '../../src/api/index.js';
import { LABEL, LEASE, NS, SA } from '../../src/api/names.js';
import { CSRS } from '../../src/kube/certificates.js';
import { DRY, QUARANTINE, probe, startSecurityFleet, type Outcome, type SecurityFleet } from './least-privilege-fleet.js';
import { makeKeyAndCsr } from '../hub/csr-kit.js';
import { whoAmI } from '../support/clusters.js';

let f: SecurityFleet;
beforeAll(async () => {
  const t0 = Date.now();
  f = await startSecurityFleet();
  process.stderr.write(`e2e: least-privilege fleet (4 control planes, init, 3 joins, accept, deny) ready in ${Date.now() - t0} ms\n`);
});
afterAll(() => f?.close());

/** [what the identity tries, the layer that must answer, the call (c: the identity; asAdmin: it impersonating the admin)] */
type Row = [title: string, expected: Outcome, call: (c: KubeClient, asAdmin: KubeClient) => Promise<unknown>];

const RBAC_G = 'rbac.authorization.k8s.io';
const MANIFEST_WORKS_API = `${MANIFEST_WORKS.group}/${MANIFEST_WORKS.version}`;
const mc = (name?: string, subresource?: string) => resourcePath({ ...MANAGED_CLUSTERS, name, subresource });
const work = (ns: string, name?: string, subresource?: string) => resourcePath({ ...MANIFEST_WORKS, namespace: ns, name, subresource });
const lease = (ns: string, name: string = LEASE.managedCluster) => `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/${name}`;
const secrets = (ns?: string, name?: string) => resourcePath({ group: '', version: 'v1', resource: 'secrets', namespace: ns, name });
const csr = (name: string, subresource?: string) => resourcePath({ ...CSRS, name, subresource });
const rbac = (resource: string, ns?: string) => resourcePath({ group: RBAC_G, version: 'v1', resource, namespace: ns });
const newWork = (ns: string) => ({ ...TYPE.manifestWork, metadata: { name: 'sneaky', namespace: ns }, spec: { workload: { manifests: [] } } });
const newCluster = (name: string, accepted: boolean, set?: string) => ({
  ...TYPE.managedCluster,
  metadata: { name, labels: set ? { [LABEL.clusterSet]: set } : undefined },
  spec: { hubAcceptsClient: accepted },
});
const clusterAdminBinding = (kind: 'ClusterRoleBinding' | 'RoleBinding', ns?: string) => ({
  apiVersion: `${RBAC_G}/v1`,
  kind,
  metadata: { name: 'escalate', namespace: ns },
  roleRef: { apiGroup: RBAC_G, kind: 'ClusterRole', name: 'cluster-admin' },
  subjects: [{ kind: 'Group', apiGroup: RBAC_G, name: 'system:authenticated' }],
});
const csrBody = async (cn: string, orgs: string[], cluster: string) => ({
  apiVersion: 'certificates.k8s.io/v1',
  kind: 'CertificateSigningRequest',
  metadata: { generateName: `${cluster}-`, labels: { [LABEL.clusterName]: cluster } },
  spec: { request: Buffer.from((await makeKeyAndCsr(cn, orgs)).csrPem).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['digital signature', 'key encipherment', 'client auth'] },
});
/** Approve (or deny) through the approval subresource, as `accept` does. */
const decide = (name: () => string, type: 'Approved' | 'Denied') => async (c: KubeClient) => {
  const body = await f.admin.get(csr(name()));
  return c.replace(csr(name(), 'approval'), { ...body, status: { conditions: [{ type, status: 'True', reason: 'E2E', message: 'must be refused' }] } }, DRY);
};
const spec = (o: KubeObject) => (o as unknown as { spec: { taints?: { key: string; effect: string; timeAdded?: string }[] } }).spec;
/** A dry-run update (PUT) of a's ManagedCluster as the identity, changed by `change`. */
const updateOwn = (change: (o: KubeObject) => unknown) => async (c: KubeClient) => {
  const o = await c.get<KubeObject>(mc('a'));
  change(o);
  return c.replace(mc('a'), o, DRY);
};
/** Sign: write a certificate into the CSR's status, as a signer does. */
const sign = (name: () => string) => async (c: KubeClient) => {
  const body = await f.admin.get(csr(name()));
  return c.replace(csr(name(), 'status'), { ...body, status: { certificate: Buffer.from('not a certificate').toString('base64') } }, DRY);
};

/** What no agent credential may do, whichever it is; first, that it authenticates at all (403s, not 401s). */
const everyAgent: Row[] = [
  ['authenticate and ask who it is (SelfSubjectReview)', 'allowed', (c) => whoAmI(c)],
  ["patch cluster b's ManagedCluster", 'rbac', (c) => c.patch(mc('b'), { metadata: { labels: { x: 'y' } } }, 'merge', DRY)],
  ["delete cluster b's ManagedCluster", 'rbac', (c) => c.delete(mc('b'), undefined, DRY)],
  ["patch cluster b's ManagedCluster status", 'rbac', (c) => c.patch(mc('b', 'status'), { status: { conditions: [] } }, 'merge', DRY)],
  ["deny cluster b (hubAcceptsClient=false)", 'rbac', (c) => c.patch(mc('b'), { spec: { hubAcceptsClient: false } }, 'merge', DRY)],
  ["list cluster b's ManifestWorks", 'rbac', (c) => c.list(work('b'))],
  ["read cluster b's ManifestWork", 'rbac', (c) => c.get(work('b', 'w'))],
  ["patch cluster b's ManifestWork", 'rbac', (c) => c.patch(work('b', 'w'), { metadata: { labels: { x: 'y' } } }, 'merge', DRY)],
  ["patch cluster b's ManifestWork status", 'rbac', (c) => c.patch(work('b', 'w', 'status'), { status: { conditions: [] } }, 'merge', DRY)],
  ["delete cluster b's ManifestWork", 'rbac', (c) => c.delete(work('b', 'w'), undefined, DRY)],
  ["create a ManifestWork in cluster b's namespace", 'rbac', (c) => c.create(work('b'), newWork('b'), DRY)],
  ["read cluster b's lease", 'rbac', (c) => c.get(lease('b'))],
  ["update cluster b's lease", 'rbac', async (c) => c.replace(lease('b'), await f.admin.get(lease('b')), DRY)],
  ["list ConfigMaps in cluster b's namespace", 'rbac', (c) => c.list('/api/v1/namespaces/b/configmaps')],
  ["read a ConfigMap in cluster b's namespace", 'rbac', (c) => c.get('/api/v1/namespaces/b/configmaps/app-config')],
  ["create a ConfigMap in cluster b's namespace", 'rbac', (c) => c.create('/api/v1/namespaces/b/configmaps', { metadata: { name: 'x' } }, DRY)],
  ["list Secrets in cluster a's namespace", 'rbac', (c) => c.list(secrets('a'))],
  ["read a Secret in cluster a's namespace", 'rbac', (c) => c.get(secrets('a', 'seed'))],
  ["read a Secret in cluster b's namespace", 'rbac', (c) => c.get(secrets('b', 'seed'))],
  ['list Secrets in kube-system', 'rbac', (c) => c.list(secrets('kube-system'))],
  [`list Secrets in ${NS.hubBootstrap} (the join token's namespace)`, 'rbac', (c) => c.list(secrets(NS.hubBootstrap))],
  [`list Secrets in ${NS.hubRuntime} (the hub controller's namespace)`, 'rbac', (c) => c.list(secrets(NS.hubRuntime))],
  ['list Secrets in all namespaces', 'rbac', (c) => c.list(secrets())],
  ['approve a pending CSR', 'rbac', decide(() => f.victimCsr.metadata!.name!, 'Approved')],
  ['deny a pending CSR', 'rbac', decide(() => f.victimCsr.metadata!.name!, 'Denied')],
  ["approve c's denied CSR", 'rbac', decide(() => f.deniedCsr.metadata!.name!, 'Approved')],
  ['sign a CSR (write status.certificate)', 'rbac', sign(() => f.victimCsr.metadata!.name!)],
  ['create a ManagedClusterSet', 'rbac', (c) => c.create(resourcePath(MANAGED_CLUSTER_SETS), { ...TYPE.managedClusterSet, metadata: { name: 'mine' }, spec: {} }, DRY)],
  ['patch the default ManagedClusterSet', 'rbac', (c) => c.patch(resourcePath({ ...MANAGED_CLUSTER_SETS, name: 'default' }), { metadata: { labels: { x: 'y' } } }, 'merge', DRY)],
  ["bind a cluster set to cluster a's namespace (ManagedClusterSetBinding)", 'rbac', (c) =>
    c.create(resourcePath({ ...MANAGED_CLUSTER_SET_BINDINGS, namespace: 'a' }), { ...TYPE.managedClusterSetBinding, metadata: { name: 'global', namespace: 'a' }, spec: { clusterSet: 'global' } }, DRY)],
  ['create a ClusterRole', 'rbac', (c) => c.create(rbac('clusterroles'), { metadata: { name: 'escalate' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] }, DRY)],
  ['bind cluster-admin (ClusterRoleBinding)', 'rbac', (c) => c.create(rbac('clusterrolebindings'), clusterAdminBinding('ClusterRoleBinding'), DRY)],
  ["bind cluster-admin in cluster a's namespace (RoleBinding)", 'rbac', (c) => c.create(rbac('rolebindings', 'a'), clusterAdminBinding('RoleBinding', 'a'), DRY)],
  ["create a Role in cluster a's namespace", 'rbac', (c) => c.create(rbac('roles', 'a'), { metadata: { name: 'escalate' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] }, DRY)],
  ["widen its cluster's ClusterRole", 'rbac', (c) =>
    c.patch(resourcePath({ group: RBAC_G, version: 'v1', resource: 'clusterroles', name: 'open-cluster-management:managedcluster:a' }), { rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] }, 'merge', DRY)],
  ['impersonate the admin (system:admin)', 'rbac', (_c, asAdmin) => asAdmin.list(secrets('kube-system'))],
  ['mint a token for the bootstrap ServiceAccount', 'rbac', (c) =>
    c.create(`/api/v1/namespaces/${NS.hubBootstrap}/serviceaccounts/${SA.bootstrap}/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} }, DRY)],
  ['list Namespaces', 'rbac', (c) => c.list('/api/v1/namespaces')],
  ['create a Namespace', 'rbac', (c) => c.create('/api/v1/namespaces', { metadata: { name: 'sneaky' } }, DRY)],
  ['list Pods in all namespaces', 'rbac', (c) => c.list('/api/v1/pods')],
  ['switch off the admission guard (delete its ValidatingAdmissionPolicyBinding)', 'rbac', (c) =>
    c.delete('/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings/ocmadm-managedcluster-guard', undefined, DRY)],
];

/** One test per row, as `who` (and `who` impersonating the admin). */
function matrix(rows: Row[], who: () => { client: KubeClient; asAdmin: KubeClient }): void {
  test.each(rows)('%s: %s', async (_title, expected, call) => {
    const id = who();
    const r = await probe(call(id.client, id.asAdmin));
    // The whole answer shows on failure: the message names who refused and why.
    expect(r).toEqual(expect.objectContaining({ outcome: expected, status: expected === 'allowed' ? 200 : 403 }));
  });
}

describe("accepted cluster a's agent certificate", () => {
  const rows: Row[] = [
    ...everyAgent,
    ["read cluster b's ManagedCluster", 'rbac', (c) => c.get(mc('b'))],
    ["create a ManifestWork in its own namespace", 'rbac', (c) => c.create(work('a'), newWork('a'), DRY)],
    ["delete a ManifestWork in its own namespace", 'rbac', (c) => c.delete(work('a', 'w'), undefined, DRY)],
    ['delete its own ManagedCluster', 'rbac', (c) => c.delete(mc('a'), undefined, DRY)],
    ['create a ManagedCluster', 'rbac', (c) => c.create(mc(), newCluster('sneaky', false), DRY)],
    ['list every ManagedCluster', 'rbac', (c) => c.list(mc())],
    ['create a lease in its own namespace', 'rbac', (c) => c.create('/apis/coordination.k8s.io/v1/namespaces/a/leases', { metadata: { name: 'x' }, spec: {} }, DRY)],
    ['delete its own lease', 'rbac', (c) => c.delete(lease('a'), undefined, DRY)],
    // It may update (PUT, never patch) its own ManagedCluster: the guard stops what matters.
    ['patch its own ManagedCluster (it may only update)', 'rbac', (c) => c.patch(mc('a'), { metadata: { annotations: { 'e2e/x': 'y' } } }, 'merge', DRY)],
    ['move itself to another cluster set (label)', 'guard', updateOwn((o) => (o.metadata!.labels![LABEL.clusterSet] = 'prod'))],
    ['leave its cluster set (label removed)', 'guard', updateOwn((o) => delete o.metadata!.labels![LABEL.clusterSet])],
    ['lift the quarantine taint an admin put on it', 'guard', updateOwn((o) => (spec(o).taints = spec(o).taints!.filter((t) => t.key !== QUARANTINE.key)))],
    ['taint itself', 'guard', updateOwn((o) => spec(o).taints!.push({ key: 'e2e.ocmadm.io/mine', effect: 'NoSelect', timeAdded: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }))],
    // Allowed: what the registration and work agents need (ocm-protocol.md §2 "On accept").
    ['read its own ManagedCluster', 'allowed', (c) => c.get(mc('a'))],
    ['list its own ManagedCluster (field selector)', 'allowed', (c) => c.list(mc(), { fieldSelector: 'metadata.name=a' })],
    ['patch its own ManagedCluster status', 'allowed', (c) => c.patch(mc('a', 'status'), { status: {} }, 'merge', DRY)],
    ['update its own ManagedCluster, neither accepting nor moving it (as OCM grants)', 'allowed', updateOwn((o) => (o.metadata!.annotations = { ...o.metadata!.annotations, 'e2e/x': 'y' }))],
    ['read its own lease', 'allowed', (c) => c.get(lease('a'))],
    ['update its own lease', 'allowed', async (c) => c.replace(lease('a'), await c.get(lease('a')), DRY)],
    ['list its own ManifestWorks', 'allowed', (c) => c.list(work('a'))],
    ['read its own ManifestWork', 'allowed', (c) => c.get(work('a', 'w'))],
    ['watch its own ManifestWorks', 'allowed', (c) => c.watch(work('a'), { timeoutSeconds: 1 }, () => undefined)],
    ['patch its own ManifestWork (finalizers)', 'allowed', (c) => c.patch(work('a', 'w'), { metadata: { annotations: { 'e2e/x': 'y' } } }, 'merge', DRY)],
    ['patch its own ManifestWork status', 'allowed', (c) => c.patch(work('a', 'w', 'status'), { status: {} }, 'merge', DRY)],
    ['list its own ManagedClusterAddOns', 'allowed', (c) => c.list(resourcePath({ ...MANAGED_CLUSTER_ADDONS, namespace: 'a' }))],
    ['create an Event in its own namespace', 'allowed', (c) =>
      c.create('/api/v1/namespaces/a/events', { metadata: { generateName: 'e2e-' }, involvedObject: { apiVersion: MANIFEST_WORKS_API, kind: 'ManifestWork', namespace: 'a', name: 'w' }, reason: 'E2E', message: 'dry run' }, DRY)],
    ['file a CSR for its own renewal', 'allowed', (c) =>
      c.create(resourcePath(CSRS), { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { generateName: 'a-', labels: { [LABEL.clusterName]: 'a' } }, spec: { request: Buffer.from(f.renewalCsrPem).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['digital signature', 'key encipherment', 'client auth'] } }, DRY)],
  ];
  matrix(rows, () => ({ client: f.agentA, asAdmin: f.agentAAsAdmin }));
});

/** What the bootstrap identities (either flavour) may and may not do on top of everyAgent. */
const bootstrapRows = (own: string): Row[] => [
  [`accept its own cluster ${own} (hubAcceptsClient=true)`, 'rbac', (c) => c.patch(mc(own), { spec: { hubAcceptsClient: true } }, 'merge', DRY)],
  [`update its own cluster ${own}`, 'rbac', (c) => c.patch(mc(own), { metadata: { labels: { x: 'y' } } }, 'merge', DRY)],
  [`patch its own cluster ${own}'s status`, 'rbac', (c) => c.patch(mc(own, 'status'), { status: { conditions: [] } }, 'merge', DRY)],
  [`delete its own cluster ${own}`, 'rbac', (c) => c.delete(mc(own), undefined, DRY)],
  ['register a cluster already accepted (create with hubAcceptsClient=true)', 'guard', (c) => c.create(mc(), newCluster('sneaky', true), DRY)],
  ['register a cluster straight into the set "prod"', 'guard', (c) => c.create(mc(), newCluster('sneaky', false, 'prod'), DRY)],
  ["list cluster a's ManifestWorks", 'rbac', (c) => c.list(work('a'))],
  ["create a ManifestWork in cluster a's namespace", 'rbac', (c) => c.create(work('a'), newWork('a'), DRY)],
  ["read cluster a's lease", 'rbac', (c) => c.get(lease('a'))],
  ['read a ConfigMap in kube-system', 'rbac', (c) => c.get('/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication')],
  // Allowed: what registering needs (ocm-protocol.md §2 "Bootstrap RBAC").
  ['register a cluster (create, not accepted)', 'allowed', (c) => c.create(mc(), newCluster('newcomer', false), DRY)],
  ['register a cluster into the default set', 'allowed', (c) => c.create(mc(), newCluster('newcomer', false, 'default'), DRY)],
  [`read its cluster ${own}`, 'allowed', (c) => c.get(mc(own))],
  // OCM's bootstrap role reads every ManagedCluster: a joining agent cannot be limited to its own name.
  ["read cluster b's ManagedCluster", 'allowed', (c) => c.get(mc('b'))],
  [`watch its cluster ${own} (join --wait)`, 'allowed', (c) => c.watch(mc(), { fieldSelector: `metadata.name=${own}`, timeoutSeconds: 1 }, () => undefined)],
  ['file a CSR', 'allowed', async (c) => c.create(resourcePath(CSRS), await csrBody(`system:open-cluster-management:${own}:x`, [`system:open-cluster-management:${own}`], own), DRY)],
  ['list CSRs (to follow its own)', 'allowed', (c) => c.list(resourcePath(CSRS))],
  ['read kube-public/cluster-info', 'allowed', (c) => c.get('/api/v1/namespaces/kube-public/configmaps/cluster-info')],
];

describe('the ServiceAccount join token (bootstrap identity of a and b)', () => {
  const rows: Row[] = [...everyAgent, ...bootstrapRows('a')];
  matrix(rows, () => ({ client: f.bootstrap, asAdmin: f.bootstrapAsAdmin }));
});

describe("denied cluster c's credential (the bootstrap token in its bootstrap-hub-kubeconfig)", () => {
  const rows: Row[] = [
    ...everyAgent,
    ...bootstrapRows('c'),
  ];
  matrix(rows, () => ({ client: f.deniedC, asAdmin: f.deniedCAsAdmin }));

  test('c holds no hub certificate: its CSR was denied, and the hub gave its name no RBAC', async () => {
    const spokeC = await f.fleet.client('c');
    const s = await spokeC.get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${NS.agent}/secrets/hub-kubeconfig-secret`).catch(() => undefined);
    expect(s?.data?.['tls.crt']).toBeUndefined();
    const roles = await f.admin.list(rbac('clusterroles'), { labelSelector: `${LABEL.clusterName}=c` });
    expect(roles.items.map((r) => r.metadata?.name)).toEqual([]);
  });
});

describe("a certificate in c's agent name, approved by an admin while c was never accepted", () => {
  // The hub grants a cluster's agents nothing before the first accept: not even reading itself.
  const rows: Row[] = [
    ...everyAgent,
    ["read cluster b's ManagedCluster", 'rbac', (c) => c.get(mc('b'))],
    ['read its own ManagedCluster c', 'rbac', (c) => c.get(mc('c'))],
    ['accept itself (hubAcceptsClient=true)', 'rbac', (c) => c.patch(mc('c'), { spec: { hubAcceptsClient: true } }, 'merge', DRY)],
    ['update its own ManagedCluster c', 'rbac', async (c) => c.replace(mc('c'), await f.admin.get(mc('c')), DRY)],
    ["patch its own ManagedCluster c's status", 'rbac', (c) => c.patch(mc('c', 'status'), { status: {} }, 'merge', DRY)],
    ['delete its own ManagedCluster c', 'rbac', (c) => c.delete(mc('c'), undefined, DRY)],
    ['register a ManagedCluster', 'rbac', (c) => c.create(mc(), newCluster('sneaky', false), DRY)],
    ["list ManifestWorks in c's namespace", 'rbac', (c) => c.list(work('c'))],
    ["read a lease in c's namespace", 'rbac', (c) => c.get(lease('c'))],
    ['file a CSR', 'rbac', async (c) => c.create(resourcePath(CSRS), await csrBody('system:open-cluster-management:c:x', ['system:open-cluster-management:c'], 'c'), DRY)],
    ['list CSRs', 'rbac', (c) => c.list(resourcePath(CSRS))],
    ['read kube-public/cluster-info (bound to anonymous and bootstrap identities only)', 'rbac', (c) => c.get('/api/v1/namespaces/kube-public/configmaps/cluster-info')],
  ];
  matrix(rows, () => ({ client: f.certC, asAdmin: f.certCAsAdmin }));
});
