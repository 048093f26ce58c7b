/**
 * Real hub identities for the e2e suites: clients that authenticate with a certificate or a
 * token, agent certificates issued the way a first join issues them (admin approval,
 * kube-controller-manager signing), and ServiceAccount tokens from TokenRequest.
 */
import fs from 'node:fs';
import type { KubeClient } from '../../src/kube/client.js';
import path from 'node:path';
import { kubeconfigYaml, type KubeconfigUser } from '../../src/sandbox/kubeconfig.js';
import { loadClusters, userClient } from '../support/clusters.js';
import { resourcePath } from '../../src/kube/resources.js';
import { CSRS, type CertificateSigningRequest } from '../../src/kube/certificates.js';
import { hubControllerClusterRules, hubControllerNamespaceRules } from '../../src/runtime/hub/rbac.js';
import { agentSubject, makeKeyAndCsr } from './csr-kit.js';
import { NAMESPACES, RBAC_REFS, tempDir, unique, until } from './support.js';


/** Collects teardown steps; run() undoes them newest first and ignores failures. */
export class Cleanup {
  private readonly steps: (() => Promise<unknown>)[] = [];
  add(step: () => Promise<unknown>): void {
    this.steps.push(step);
  }
  async run(): Promise<void> {
    for (const s of this.steps.splice(0).reverse()) await s().catch(() => undefined);
  }
}

/** A kubeconfig (YAML) for the shared hub as another user. */
export function hubKubeconfigAs(user: KubeconfigUser): string {
  const hub = loadClusters().hub;
  return kubeconfigYaml({ name: 'hub', server: hub.server, caPem: fs.readFileSync(hub.caFile, 'utf8'), user });
}

/** A client on the shared hub as another user, closed at cleanup. */
export async function clientAs(user: KubeconfigUser, cleanup: Cleanup): Promise<KubeClient> {
  const client = await userClient('hub', user);
  cleanup.add(() => client.close());
  return client;
}

export function csrBody(c: string, csrPem: string): Record<string, unknown> {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { generateName: `${c}-`, labels: { 'open-cluster-management.io/cluster-name': c } },
    spec: {
      request: Buffer.from(csrPem).toString('base64'),
      signerName: 'kubernetes.io/kube-apiserver-client',
      usages: ['digital signature', 'key encipherment', 'client auth'],
      expirationSeconds: 3600,
    },
  };
}

/** Files a CSR as `as`; the admin deletes it at cleanup. Returns its generated name. */
export async function fileCsr(admin: KubeClient, as: KubeClient, c: string, csrPem: string, cleanup: Cleanup): Promise<string> {
  const created = await as.create<CertificateSigningRequest>(resourcePath(CSRS), csrBody(c, csrPem));
  const name = created.metadata!.name!;
  cleanup.add(() => admin.delete(resourcePath({ ...CSRS, name })));
  return name;
}

/** What the first join gives an agent: a CSR approved by an admin and signed by kube-controller-manager. */
export async function agentCertificate(admin: KubeClient, c: string, agent: string, cleanup: Cleanup): Promise<{ certPem: string; keyPem: string }> {
  const s = agentSubject(c, agent);
  const { csrPem, keyPem } = await makeKeyAndCsr(s.cn, s.orgs);
  const name = await fileCsr(admin, admin, c, csrPem, cleanup);
  const csr = await admin.get<CertificateSigningRequest>(resourcePath({ ...CSRS, name }));
  const approval = { type: 'Approved', status: 'True', reason: 'E2EAdminApproved', message: 'first join' };
  await admin.replace(resourcePath({ ...CSRS, name, subresource: 'approval' }), { ...csr, status: { conditions: [approval] } });
  const signed = await until<CertificateSigningRequest>(admin, { ...CSRS, name }, (o) => !!o?.status?.certificate, `certificate for ${name}`);
  return { certPem: Buffer.from(signed!.status!.certificate!, 'base64').toString(), keyPem };
}

/** A client with an agent certificate of cluster `c`. */
export async function agentClient(admin: KubeClient, c: string, agent: string, cleanup: Cleanup): Promise<KubeClient> {
  const { certPem, keyPem } = await agentCertificate(admin, c, agent, cleanup);
  return clientAs({ certPem, keyPem }, cleanup);
}

/** A TokenRequest token for a ServiceAccount. */
export async function serviceAccountToken(admin: KubeClient, namespace: string, name: string, expirationSeconds = 3600): Promise<string> {
  const tr = await admin.create<{ status: { token: string } }>(`/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds },
  });
  return tr.status.token;
}

/**
 * The identity `ocmadm init` gives the hub controller: ServiceAccount `ocmadm-hub-controller` in a
 * fresh namespace, bound to hubControllerClusterRules() and hubControllerNamespaceRules() only,
 * with a kubeconfig file holding its token. Start the controller with `args` so it keeps the
 * token fresh. Everything is undone by `cleanup`.
 */
export async function hubControllerIdentity(admin: KubeClient, cleanup: Cleanup): Promise<{ ns: string; user: string; kubeconfigFile: string; args: string[] }> {
  const SA = 'ocmadm-hub-controller';
  const ns = unique('hubrt');
  await admin.create(resourcePath(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  cleanup.add(() => admin.delete(resourcePath({ ...NAMESPACES, name: ns })));
  await admin.create(`/api/v1/namespaces/${ns}/serviceaccounts`, { metadata: { name: SA } });
  const role = unique('e2e-hub-controller');
  await admin.create(resourcePath(RBAC_REFS.clusterRoles), { metadata: { name: role }, rules: hubControllerClusterRules() });
  cleanup.add(() => admin.delete(resourcePath({ ...RBAC_REFS.clusterRoles, name: role })));
  const subjects = [{ kind: 'ServiceAccount', name: SA, namespace: ns }];
  await admin.create(resourcePath(RBAC_REFS.clusterRoleBindings), {
    metadata: { name: role },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects,
  });
  cleanup.add(() => admin.delete(resourcePath({ ...RBAC_REFS.clusterRoleBindings, name: role })));
  await admin.create(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, { metadata: { name: SA }, rules: hubControllerNamespaceRules(SA) });
  await admin.create(resourcePath({ ...RBAC_REFS.roleBindings, namespace: ns }), {
    metadata: { name: SA },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: SA },
    subjects,
  });
  const dir = tempDir('ocmadm-hub-sa-');
  cleanup.add(async () => fs.rmSync(dir, { recursive: true, force: true }));
  const kubeconfigFile = path.join(dir, 'kubeconfig');
  fs.writeFileSync(kubeconfigFile, hubKubeconfigAs({ token: await serviceAccountToken(admin, ns, SA, 600) }), { mode: 0o600 });
  return { ns, user: `system:serviceaccount:${ns}:${SA}`, kubeconfigFile, args: ['--token-refresh', `${ns}/${SA}`] };
}
