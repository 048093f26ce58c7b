/**
 * The fleet the least-privilege matrix runs against, built with the real commands: a private hub
 * (`ocmadm init --runtime local`), spokes a and b joined and accepted (`join` + `accept`), and
 * spoke c joined with the bootstrap token but denied (its CSR denied by the admin,
 * hubAcceptsClient never set). The identities are the credentials the agents really hold:
 * a's client certificate from its hub-kubeconfig Secret, the ServiceAccount join token a and b
 * were given, and the bootstrap token in c's bootstrap-hub-kubeconfig Secret.
 *
 * probe() turns one API call into what the matrix asserts: allowed, or refused and by which layer
 * (RBAC, or the admission guard `init` installs).
 */
import fs from 'node:fs';
import yaml from 'js-yaml';
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { KubeClient as Client } from '../../src/kube/client.js';
import { KubeConfig } from '../../src/kube/kubeconfig.js';
import { KubeApiError } from '../../src/kube/errors.js';
import { resourcePath } from '../../src/kube/resources.js';
import { MANAGED_CLUSTERS, MANIFEST_WORKS, TYPE } from '../../src/api/index.js';
import { HUB_KUBECONFIG_KEYS, NS, SECRET } from '../../src/api/names.js';
import { CSRS, type CertificateSigningRequest } from '../../src/kube/certificates.js';
import { kubeconfigYaml, type KubeconfigUser } from '../../src/sandbox/kubeconfig.js';
import { startFleet, type Fleet } from '../support/fleet.js';
import { clusterCsrs, getToken, initHub, joinArgs, pendingCsrs, untilCluster, until } from '../handshake/support.js';
import { makeKeyAndCsr } from '../hub/csr-kit.js';

export type Outcome = 'allowed' | 'rbac' | 'guard';

export interface Probe {
  outcome: Outcome | 'other';
  status: number;
  message: string;
}

/**
 * What answered a call: 2xx, the authorizer's "cannot <verb> resource" (RBAC; impersonation is
 * asked as "impersonate-on:user-info:<verb>"), or the admission guard's policy.
 */
export async function probe(call: Promise<unknown>): Promise<Probe> {
  try {
    await call;
    return { outcome: 'allowed', status: 200, message: '' };
  } catch (err) {
    if (!(err instanceof KubeApiError)) throw err;
    const layer = err.status !== 403 ? 'other' : /ValidatingAdmissionPolicy/.test(err.message) ? 'guard' : /cannot [a-z:-]+ resource/.test(err.message) ? 'rbac' : 'other';
    return { outcome: layer, status: err.status, message: err.message };
  }
}

/** A taint an admin puts on a (the agent must not lift it). */
export const QUARANTINE = { key: 'e2e.ocmadm.io/quarantine', effect: 'NoSelect' } as const;

/** Writes in the matrix are dry runs: authorization and admission run, nothing is stored. */
export const DRY = { dryRun: 'All' } as const;

export interface SecurityFleet {
  fleet: Fleet;
  admin: KubeClient;
  /** a's agent certificate (what its hub-kubeconfig Secret holds). */
  agentA: KubeClient;
  /** a's agent certificate, asking to impersonate the hub's admin. */
  agentAAsAdmin: KubeClient;
  /** The ServiceAccount join token `init` printed (a and b joined with it). */
  bootstrap: KubeClient;
  bootstrapAsAdmin: KubeClient;
  /** What denied c's agent holds: the bootstrap token from its bootstrap-hub-kubeconfig Secret. */
  deniedC: KubeClient;
  /** The bootstrap token as well, asking to impersonate the hub's admin. */
  deniedCAsAdmin: KubeClient;
  /** A certificate in c's agent name that an admin approved while c stayed not accepted. */
  certC: KubeClient;
  certCAsAdmin: KubeClient;
  /** A pending CSR nobody may approve, deny or sign (filed by the admin). */
  victimCsr: CertificateSigningRequest;
  /** c's denied CSR. */
  deniedCsr: CertificateSigningRequest;
  /** A CSR body (PEM) in a's agent name, for the renewal row. */
  renewalCsrPem: string;
  close(): Promise<void>;
}

type SecretObj = KubeObject & { data?: Record<string, string> };
const decode = (s: SecretObj, k: string) => Buffer.from(s.data?.[k] ?? '', 'base64').toString();

/** A client on the fleet's hub as `user`, optionally impersonating `as`. */
async function hubClient(fleet: Fleet, user: KubeconfigUser, as?: string): Promise<KubeClient> {
  const info = fleet.info('hub');
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml({ name: 'hub', server: info.server, caPem: fs.readFileSync(info.caFile, 'utf8'), user }));
  if (as) kc.users = kc.users.map((u) => ({ ...u, impersonateUser: as }));
  return Client.create(kc, 'ocmadm-e2e');
}

async function deny(admin: KubeClient, csr: CertificateSigningRequest): Promise<void> {
  const denial = { type: 'Denied', status: 'True', reason: 'E2EAdminDenied', message: 'not this cluster' };
  await admin.replace(resourcePath({ ...CSRS, name: csr.metadata!.name!, subresource: 'approval' }), { ...csr, status: { conditions: [denial] } });
}

/** A client certificate in cluster c's agent name: filed and approved by the admin, signed by kube-controller-manager. */
async function approvedCertificate(admin: KubeClient, cluster: string, agent: string): Promise<{ certPem: string; keyPem: string }> {
  const { csrPem, keyPem } = await makeKeyAndCsr(`system:open-cluster-management:${cluster}:${agent}`, [`system:open-cluster-management:${cluster}`, 'system:open-cluster-management:managed-clusters']);
  const created = await admin.create<CertificateSigningRequest>(resourcePath(CSRS), {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { generateName: `${cluster}-${agent}-` },
    spec: { request: Buffer.from(csrPem).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['digital signature', 'key encipherment', 'client auth'] },
  });
  const name = created.metadata!.name!;
  const approval = { type: 'Approved', status: 'True', reason: 'E2EAdminApproved', message: 'approved, never accepted' };
  await admin.replace(resourcePath({ ...CSRS, name, subresource: 'approval' }), { ...created, status: { conditions: [approval] } });
  const signed = await until<CertificateSigningRequest>(admin, { ...CSRS, name }, (o) => !!o?.status?.certificate, `certificate for ${name}`);
  return { certPem: Buffer.from(signed!.status!.certificate!, 'base64').toString(), keyPem };
}

export async function startSecurityFleet(): Promise<SecurityFleet> {
  const fleet = await startFleet('privilege', ['hub', 'a', 'b', 'c']);
  const opened: KubeClient[] = [];
  const track = (c: KubeClient) => (opened.push(c), c);
  const close = async () => {
    await Promise.all(opened.map((c) => c.close()));
    await fleet.stop();
  };
  try {
    const admin = await fleet.client('hub');
    const sa = await initHub(fleet);
    const bt = await getToken(fleet, ['--use-bootstrap-token']);
    const joins = await Promise.all([
      fleet.cli('a', joinArgs(sa, 'a', '--wait')),
      fleet.cli('b', joinArgs(sa, 'b', '--wait')),
      fleet.cli('c', joinArgs(bt, 'c', '--wait')),
    ]);
    for (const j of joins) if (j.code !== 0) throw new Error(`join failed (${j.code}): ${j.stderr}`);
    const accepted = await fleet.cli('hub', ['accept', '--clusters', 'a,b', '--wait']);
    if (accepted.code !== 0) throw new Error(`accept failed (${accepted.code}): ${accepted.stdout}${accepted.stderr}`);

    // c is refused: its CSR denied, hubAcceptsClient left false.
    const cPending = await pendingCsrs(admin, 'c');
    if (cPending.length !== 1) throw new Error(`expected one pending CSR of c, found ${cPending.length}`);
    await deny(admin, cPending[0]!);
    await untilCluster(admin, 'c', (o) => !!o && o.spec?.hubAcceptsClient !== true, 'registered, not accepted');
    const deniedCsr = (await clusterCsrs(admin, 'c')).find((x) => x.metadata!.name === cPending[0]!.metadata!.name)!;

    // What the hub holds for the rows to aim at: works, a ConfigMap and Secrets in the cluster namespaces.
    for (const ns of ['a', 'b']) {
      await admin.create(resourcePath({ ...MANIFEST_WORKS, namespace: ns }), { ...TYPE.manifestWork, metadata: { name: 'w', namespace: ns }, spec: { workload: { manifests: [] } } });
      await admin.create(`/api/v1/namespaces/${ns}/secrets`, { metadata: { name: 'seed' }, stringData: { password: 'e2e' } });
      await admin.create(`/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: 'app-config' }, data: { k: 'v' } });
    }
    const a = await admin.get<KubeObject & { spec: { taints?: object[] } }>(resourcePath({ ...MANAGED_CLUSTERS, name: 'a' }));
    a.spec.taints = [...(a.spec.taints ?? []), { ...QUARANTINE, timeAdded: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }];
    await admin.patch(resourcePath({ ...MANAGED_CLUSTERS, name: 'a' }), { spec: { taints: a.spec.taints } }, 'merge');
    // The works' status is the agent's to write: wait until a's agent has taken its work.
    await until(admin, { ...MANIFEST_WORKS, namespace: 'a', name: 'w' }, (o) => ((o as { status?: { conditions?: unknown[] } })?.status?.conditions ?? []).length > 0, 'a/w picked up by a\'s agent', 90_000);
    const victimCsr = await admin.create<CertificateSigningRequest>(resourcePath(CSRS), {
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { generateName: 'victim-' },
      spec: { request: Buffer.from((await makeKeyAndCsr('system:open-cluster-management:b:evil', ['system:open-cluster-management:b'])).csrPem).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'] },
    });

    const spokeA = await fleet.client('a');
    const hubSecret = await spokeA.get<SecretObj>(`/api/v1/namespaces/${NS.agent}/secrets/${SECRET.hubKubeconfig}`);
    const certUser = { certPem: decode(hubSecret, HUB_KUBECONFIG_KEYS.cert), keyPem: decode(hubSecret, HUB_KUBECONFIG_KEYS.key) };
    const spokeC = await fleet.client('c');
    const cBoot = await spokeC.get<SecretObj>(`/api/v1/namespaces/${NS.agent}/secrets/${SECRET.bootstrapHubKubeconfig}`);
    const cKubeconfig = yaml.load(decode(cBoot, 'kubeconfig')) as { users: { user: { token?: string } }[] };
    const cToken = cKubeconfig.users[0]?.user.token;
    if (!cToken) throw new Error("c's bootstrap-hub-kubeconfig holds no token");

    const ids = {
      agentA: track(await hubClient(fleet, certUser)),
      agentAAsAdmin: track(await hubClient(fleet, certUser, 'system:admin')),
      bootstrap: track(await hubClient(fleet, { token: sa.token })),
      bootstrapAsAdmin: track(await hubClient(fleet, { token: sa.token }, 'system:admin')),
      deniedC: track(await hubClient(fleet, { token: cToken })),
      deniedCAsAdmin: track(await hubClient(fleet, { token: cToken }, 'system:admin')),
    };
    const certCUser = await approvedCertificate(admin, 'c', 'approved-by-mistake');
    const certIds = { certC: track(await hubClient(fleet, certCUser)), certCAsAdmin: track(await hubClient(fleet, certCUser, 'system:admin')) };
    const renewal = await makeKeyAndCsr(`system:open-cluster-management:a:${decode(hubSecret, HUB_KUBECONFIG_KEYS.agentName)}`, [
      'system:open-cluster-management:a',
      'system:open-cluster-management:managed-clusters',
    ]);
    return { fleet, admin, ...ids, ...certIds, victimCsr, deniedCsr, renewalCsrPem: renewal.csrPem, close };
  } catch (err) {
    await close();
    throw err;
  }
}
