/**
 * On a hub made by `ocmadm init`: the admission guard (accepting and moving clusters between
 * sets need their own rights), what the bootstrap identity cannot do, and join tokens
 * (`get token` with a TTL, bootstrap tokens with an expiration, revocation by `delete token`).
 */
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { CSRS } from '../../src/kube/certificates.js';
import { MANAGED_CLUSTERS, TYPE } from '../../src/api/index.js';
import { LABEL, NS, RBAC, SA, SECRET } from '../../src/api/names.js';
import { whoAmI } from '../support/clusters.js';
import { makeKeyAndCsr } from '../hub/csr-kit.js';
import { startFleet, type Fleet } from '../support/fleet.js';
import { serviceAccountIdentity, tokenIdentity, waitUnauthorized, type Identity } from './support.js';

let fleet: Fleet;
let admin: KubeClient;
const opened: Identity[] = [];

beforeAll(async () => {
  fleet = await startFleet('guard', ['hub']);
  admin = await fleet.client('hub');
  const r = await fleet.cli('hub', ['init', '--runtime', 'local', '--wait']);
  expect(r.code).toBe(0);
});
afterAll(async () => {
  await Promise.all(opened.map((i) => i.client.close()));
  await fleet?.stop();
});

const track = (i: Identity) => (opened.push(i), i);
const mcPath = (name?: string) => resourcePath({ ...MANAGED_CLUSTERS, name });
const newCluster = (name: string, accepted: boolean, labels?: Record<string, string>) => ({
  ...TYPE.managedCluster,
  metadata: { name, labels },
  spec: { hubAcceptsClient: accepted },
});

async function joinToken(args: string[] = []): Promise<{ 'hub-token': string; 'expires-at': string; 'token-type': string }> {
  const r = await fleet.cli('hub', ['get', 'token', '-o', 'json', ...args]);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  return JSON.parse(r.stdout);
}

/** An identity that may update ManagedClusters (as an agent may its own) but holds no accept or join rights. */
async function clusterEditor(): Promise<Identity> {
  const role = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'e2e:managedcluster-editor' },
    rules: [{ apiGroups: ['cluster.open-cluster-management.io'], resources: ['managedclusters'], verbs: ['get', 'list', 'create', 'update', 'patch'] }],
  };
  await admin.patch(resourcePath({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', name: role.metadata.name }), role, 'apply', {
    fieldManager: 'ocmadm-e2e',
    force: true,
  });
  return track(await serviceAccountIdentity(fleet, 'hub', admin, 'default', 'editor', role.metadata.name));
}

describe('admission guard (ValidatingAdmissionPolicy, no webhook server)', () => {
  test('hubAcceptsClient=true needs update on managedclusters/accept: denied on create and on false→true, allowed to the admin', async () => {
    const editor = await clusterEditor();
    await expect(editor.client.create(mcPath(), newCluster('guard-a', true))).rejects.toThrow(/cannot set spec.hubAcceptsClient on ManagedCluster "guard-a".*managedclusters\/accept/);
    await editor.client.create(mcPath(), newCluster('guard-a', false));
    await expect(editor.client.patch(mcPath('guard-a'), { spec: { hubAcceptsClient: true } }, 'merge')).rejects.toThrow(/cannot set spec.hubAcceptsClient/);
    // Unrelated updates by the same identity still pass.
    await editor.client.patch(mcPath('guard-a'), { metadata: { labels: { env: 'test' } } }, 'merge');
    await admin.patch(mcPath('guard-a'), { spec: { hubAcceptsClient: true } }, 'merge');
    expect((await admin.get<{ spec: { hubAcceptsClient: boolean } }>(mcPath('guard-a'))).spec.hubAcceptsClient).toBe(true);
  });

  test('changing the cluster-set label needs create on managedclustersets/join for the old and the new set', async () => {
    const editor = await clusterEditor();
    await admin.create(mcPath(), newCluster('guard-b', false, { [LABEL.clusterSet]: 'default' }));
    await expect(editor.client.patch(mcPath('guard-b'), { metadata: { labels: { [LABEL.clusterSet]: 'prod' } } }, 'merge')).rejects.toThrow(
      /cannot move ManagedCluster "guard-b" from cluster set "default" to "prod"/,
    );
    await admin.patch(mcPath('guard-b'), { metadata: { labels: { [LABEL.clusterSet]: 'prod' } } }, 'merge');
    const mc = await admin.get<KubeObject>(mcPath('guard-b'));
    expect(mc.metadata?.labels?.[LABEL.clusterSet]).toBe('prod');
  });
});

describe('the bootstrap identity (what a join token grants)', () => {
  test('can file a ManagedCluster but cannot accept it, update it, or approve a CSR', async () => {
    const boot = track(await tokenIdentity(fleet, 'hub', (await joinToken())['hub-token'], 'bootstrap'));
    expect((await whoAmI(boot.client)).username).toBe(`system:serviceaccount:${NS.hubBootstrap}:${SA.bootstrap}`);
    await expect(boot.client.create(mcPath(), newCluster('boot-a', true))).rejects.toThrow(/forbidden|cannot set spec.hubAcceptsClient/i);
    await boot.client.create(mcPath(), newCluster('boot-a', false));
    await expect(boot.client.patch(mcPath('boot-a'), { spec: { hubAcceptsClient: true } }, 'merge')).rejects.toThrow(/forbidden/i);
    await expect(boot.client.patch(mcPath('boot-a'), { metadata: { labels: { x: 'y' } } }, 'merge')).rejects.toThrow(/forbidden/i);

    const csr = await admin.create<KubeObject>(resourcePath(CSRS), {
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { generateName: 'boot-a-' },
      spec: { request: Buffer.from((await makeKeyAndCsr('e2e', [])).csrPem).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'] },
    });
    const approval = {
      ...csr,
      status: { conditions: [{ type: 'Approved', status: 'True', reason: 'E2E', message: 'should be refused' }] },
    };
    await expect(boot.client.replace(resourcePath({ ...CSRS, name: csr.metadata!.name!, subresource: 'approval' }), approval)).rejects.toThrow(/forbidden/i);
  });
});

describe('join tokens', () => {
  test('get token (text): the token, its expiry and the join command on a line of its own', async () => {
    const r = await fleet.cli('hub', ['get', 'token']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^token=\S+$/m);
    expect(r.stdout).toMatch(/^expires=\d{4}-\d\d-\d\dT/m);
    expect(r.stdout).toMatch(new RegExp(`^ocmadm join --hub-token \\S+ --hub-apiserver ${fleet.info('hub').server.replace(/[.]/g, '\\.')} --cluster-name <cluster_name>$`, 'm'));
  });

  test('get token --ttl 2h: a ServiceAccount token living about two hours', async () => {
    const t = await joinToken(['--ttl', '2h']);
    expect(t['token-type']).toBe('serviceaccount');
    const life = Date.parse(t['expires-at']) - Date.now();
    expect(life).toBeGreaterThan(119 * 60_000);
    expect(life).toBeLessThanOrEqual(120 * 60_000);
  });

  test('get token --use-bootstrap-token: an expiring bootstrap token in the managedcluster bootstrap group, reused while valid, revoked by delete token', async () => {
    const t = await joinToken(['--use-bootstrap-token', '--ttl', '3h']);
    expect(t['token-type']).toBe('bootstrap-token');
    expect(t['hub-token']).toMatch(/^ocmhub\.[a-z0-9]{16}$/);
    const secret = await admin.get<{ type: string; data: Record<string, string> }>(
      resourcePath({ group: '', version: 'v1', resource: 'secrets', namespace: 'kube-system', name: SECRET.bootstrapToken }),
    );
    const field = (k: string) => Buffer.from(secret.data[k] ?? '', 'base64').toString();
    expect(secret.type).toBe('bootstrap.kubernetes.io/token');
    expect(field('auth-extra-groups')).toBe(RBAC.bootstrapTokenGroup);
    expect(field('usage-bootstrap-authentication')).toBe('true');
    expect(Math.abs(Date.parse(field('expiration')) - (Date.now() + 3 * 3600_000))).toBeLessThan(120_000);

    const boot = track(await tokenIdentity(fleet, 'hub', t['hub-token'], 'bootstrap-token'));
    const me = await whoAmI(boot.client);
    expect(me.username).toBe('system:bootstrap:ocmhub');
    expect(me.groups).toContain(RBAC.bootstrapTokenGroup);
    await boot.client.list(mcPath()); // the group is bound to the bootstrap ClusterRole

    expect((await joinToken(['--use-bootstrap-token']))['hub-token']).toBe(t['hub-token']);

    const del = await fleet.cli('hub', ['delete', 'token', '--use-bootstrap-token', '-o', 'json']);
    expect(del.code).toBe(0);
    expect(JSON.parse(del.stdout).removed).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'Secret', name: SECRET.bootstrapToken }), expect.objectContaining({ kind: 'ClusterRoleBinding', name: RBAC.bootstrapTokenBinding })]),
    );
    await waitUnauthorized(boot.client);
  });

  test('delete token re-creates the bootstrap ServiceAccount: every token issued before stops working', async () => {
    const old = track(await tokenIdentity(fleet, 'hub', (await joinToken())['hub-token'], 'old-sa-token'));
    await whoAmI(old.client);
    const r = await fleet.cli('hub', ['delete', 'token']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Revoked every ServiceAccount join token');
    await waitUnauthorized(old.client);
    const fresh = track(await tokenIdentity(fleet, 'hub', (await joinToken())['hub-token'], 'new-sa-token'));
    expect((await whoAmI(fresh.client)).username).toBe(`system:serviceaccount:${NS.hubBootstrap}:${SA.bootstrap}`);
  });

  test('init --use-bootstrap-token hands out the bootstrap token, with its expiration', async () => {
    const r = await fleet.cli('hub', ['init', '--runtime', 'local', '--use-bootstrap-token', '--ttl', '2h', '-o', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { 'hub-token': string; 'token-type': string; 'expires-at': string };
    expect(out['token-type']).toBe('bootstrap-token');
    expect(out['hub-token']).toMatch(/^ocmhub\.[a-z0-9]{16}$/);
    expect(Math.abs(Date.parse(out['expires-at']) - (Date.now() + 2 * 3600_000))).toBeLessThan(120_000);
    const boot = track(await tokenIdentity(fleet, 'hub', out['hub-token'], 'init-bootstrap-token'));
    expect((await whoAmI(boot.client)).groups).toContain(RBAC.bootstrapTokenGroup);
  });

  test('get token on a hub that was never initialized: exit 1, says to run init', async () => {
    const other = await startFleet('bare', ['hub']);
    try {
      const r = await other.cli('hub', ['get', 'token']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/ocmadm init/);
    } finally {
      await other.stop();
    }
  });
});
