/**
 * Token authentication OCM relies on: bootstrap tokens (Secrets in kube-system, used by
 * `join`) and ServiceAccount tokens from the TokenRequest API (used by hub-side agents).
 */
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { waitForObject } from '../../src/kube/wait.js';
import { adminClient, userClient, whoAmI } from '../support/clusters.js';
import { createNamespace, deleteIfPresent, serviceAccountToken, NAMESPACES } from './util.js';

const SECRETS = { group: '', version: 'v1', resource: 'secrets', namespace: 'kube-system' };
const CONFIGMAPS = { group: '', version: 'v1', resource: 'configmaps', namespace: 'kube-public' };

let admin: KubeClient;

beforeAll(async () => {
  admin = await adminClient('spoke1');
});

afterAll(async () => {
  await admin.close();
});

const randomOf = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');
const tokenChars = 'abcdefghijklmnopqrstuvwxyz0123456789';

async function createBootstrapToken(id: string, secret: string, extra: Record<string, string> = {}): Promise<void> {
  await admin.create(resourcePath(SECRETS), {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `bootstrap-token-${id}` },
    type: 'bootstrap.kubernetes.io/token',
    stringData: {
      'token-id': id,
      'token-secret': secret,
      'usage-bootstrap-authentication': 'true',
      'usage-bootstrap-signing': 'true',
      'auth-extra-groups': 'system:bootstrappers:ocmadm-smoke',
      ...extra,
    },
  });
}

test('a bootstrap-token Secret authenticates as system:bootstrap:<id> with its extra groups', async () => {
  const id = randomOf(tokenChars, 6);
  const secret = randomOf(tokenChars, 16);
  await createBootstrapToken(id, secret);
  try {
    const client = await userClient('spoke1', { token: `${id}.${secret}` });
    try {
      const me = await whoAmI(client);
      expect(me.username).toBe(`system:bootstrap:${id}`);
      expect(me.groups).toEqual(expect.arrayContaining(['system:bootstrappers', 'system:bootstrappers:ocmadm-smoke', 'system:authenticated']));
    } finally {
      await client.close();
    }
    // A wrong secret for the same id is rejected.
    const wrong = await userClient('spoke1', { token: `${id}.${randomOf(tokenChars, 16)}` });
    try {
      await expect(whoAmI(wrong)).rejects.toMatchObject({ status: 401 });
    } finally {
      await wrong.close();
    }
  } finally {
    await deleteIfPresent(admin, { ...SECRETS, name: `bootstrap-token-${id}` });
  }
});

test('an expired bootstrap token is rejected and removed by the token cleaner', async () => {
  const id = randomOf(tokenChars, 6);
  const secret = randomOf(tokenChars, 16);
  await createBootstrapToken(id, secret, { expiration: new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z') });
  const client = await userClient('spoke1', { token: `${id}.${secret}` });
  try {
    await expect(whoAmI(client)).rejects.toMatchObject({ status: 401 });
  } finally {
    await client.close();
  }
  await waitForObject(admin, { ...SECRETS, name: `bootstrap-token-${id}` }, (o) => o === undefined, {
    deadline: Date.now() + 60_000,
    what: 'the token cleaner to delete the expired bootstrap token',
  });
});

test('the bootstrap signer signs kube-public/cluster-info for each signing token', async () => {
  const id = randomOf(tokenChars, 6);
  await createBootstrapToken(id, randomOf(tokenChars, 16));
  const name = 'cluster-info';
  try {
    await admin
      .create(resourcePath(CONFIGMAPS), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { kubeconfig: 'apiVersion: v1\nkind: Config\n' } })
      .catch((e: { status?: number }) => {
        if (e.status !== 409) throw e;
      });
    const signed = await waitForObject<KubeObject>(admin, { ...CONFIGMAPS, name }, (o) => !!(o?.data as Record<string, string> | undefined)?.[`jws-kubeconfig-${id}`], {
      deadline: Date.now() + 60_000,
      what: `the bootstrap signer to add jws-kubeconfig-${id} to kube-public/cluster-info`,
    });
    expect((signed!.data as Record<string, string>)[`jws-kubeconfig-${id}`]).toMatch(/^[\w-]+\.\.[\w-]+$/);
  } finally {
    await deleteIfPresent(admin, { ...SECRETS, name: `bootstrap-token-${id}` });
    await deleteIfPresent(admin, { ...CONFIGMAPS, name });
  }
});

test('TokenRequest on a ServiceAccount returns a token that authenticates as it', async () => {
  const ns = await createNamespace(admin, 'smoke-tokens');
  try {
    const token = await serviceAccountToken(admin, ns, 'agent', 600);
    const client = await userClient('spoke1', { token });
    try {
      const me = await whoAmI(client);
      expect(me.username).toBe(`system:serviceaccount:${ns}:agent`);
      expect(me.groups).toEqual(expect.arrayContaining(['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated']));
    } finally {
      await client.close();
    }
    // The token's claims name the issuer and audience the apiserver was started with.
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { iss: string; aud: string[]; exp: number; iat: number };
    expect(claims.iss).toBe('https://kubernetes.default.svc');
    expect(claims.aud).toContain('https://kubernetes.default.svc');
    expect(claims.exp - claims.iat).toBe(600);
  } finally {
    await deleteIfPresent(admin, { ...NAMESPACES, name: ns });
  }
});
