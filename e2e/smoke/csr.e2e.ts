/**
 * CSR signing by kube-controller-manager: a non-admin identity requests a client certificate
 * (signer kubernetes.io/kube-apiserver-client), the admin approves, KCM issues it, and the
 * certificate authenticates as the request's CN and organizations.
 */
import type { KubeClient } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { CSRS } from '../../src/kube/certificates.js';
import { adminClient, uniqueName, userClient, whoAmI } from '../support/clusters.js';
import { requestClientCertificate } from './csr.js';
import { createNamespace, deleteIfPresent, serviceAccountToken, NAMESPACES } from './util.js';

const CLUSTER_ROLES = { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles' };
const CLUSTER_ROLE_BINDINGS = { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterrolebindings' };

let admin: KubeClient;
let requester: KubeClient;
let ns: string;
let role: string;

beforeAll(async () => {
  admin = await adminClient('hub');
  ns = await createNamespace(admin, 'smoke-csr');
  role = uniqueName('smoke-csr-requester');
  // The requester may create and read CSRs, nothing else (like an agent's bootstrap identity).
  await admin.create(resourcePath(CLUSTER_ROLES), {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: role },
    rules: [{ apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['create', 'get', 'list', 'watch'] }],
  });
  await admin.create(resourcePath(CLUSTER_ROLE_BINDINGS), {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: role },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [{ kind: 'ServiceAccount', name: 'requester', namespace: ns }],
  });
  requester = await userClient('hub', { token: await serviceAccountToken(admin, ns, 'requester') });
});

afterAll(async () => {
  await requester?.close();
  await deleteIfPresent(admin, { ...CLUSTER_ROLE_BINDINGS, name: role });
  await deleteIfPresent(admin, { ...CLUSTER_ROLES, name: role });
  await deleteIfPresent(admin, { ...NAMESPACES, name: ns });
  await admin.close();
});

test('an approved kube-apiserver-client CSR is signed and authenticates as its CN and groups', async () => {
  const user = uniqueName('smoke-agent');
  // The requester cannot approve its own request.
  expect((await whoAmI(requester)).username).toBe(`system:serviceaccount:${ns}:requester`);

  const issued = await requestClientCertificate(requester, admin, {
    csrName: uniqueName('smoke-csr'),
    commonName: user,
    groups: ['smoke:agents', 'smoke:cluster-a'],
    expirationSeconds: 3600,
  });
  // Issued by the cluster CA for about the requested hour.
  const lifetime = Date.parse(issued.cert.validTo) - Date.parse(issued.cert.validFrom);
  expect(lifetime).toBeLessThanOrEqual(3600_000 + 10 * 60_000);
  expect(lifetime).toBeGreaterThan(50 * 60_000);
  expect(issued.cert.subject).toContain(`CN=${user}`);

  const asAgent = await userClient('hub', { certPem: issued.certPem, keyPem: issued.keyPem });
  try {
    const me = await whoAmI(asAgent);
    expect(me.username).toBe(user);
    expect(me.groups).toEqual(expect.arrayContaining(['smoke:agents', 'smoke:cluster-a', 'system:authenticated']));
    // Authenticated, not authorized: RBAC still applies to the new identity.
    await expect(asAgent.list('/api/v1/namespaces')).rejects.toMatchObject({ status: 403 });
  } finally {
    await asAgent.close();
  }
});

test('a non-admin requester may not approve CSRs', async () => {
  const name = uniqueName('smoke-csr-self');
  await expect(
    requestClientCertificate(requester, requester, { csrName: name, commonName: uniqueName('x'), groups: [], timeoutMs: 5_000 }),
  ).rejects.toMatchObject({ status: 403 });
  await deleteIfPresent(admin, { ...CSRS, name });
});
