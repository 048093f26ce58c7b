/**
 * The ServiceAccount token refresher on a real API server: a process holding only its own SA
 * token (allowed to `create` serviceaccounts/token for itself alone) mints its successor when
 * the timer fires, the kubeconfig file is rewritten and stays 0600, and the running client uses
 * the new token.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig, clusterCaPem, pemData, singleContextConfig } from '../../src/kube/kubeconfig.js';
import yaml from 'js-yaml';
import { KubeClient } from '../../src/kube/client.js';
import { isForbidden } from '../../src/kube/errors.js';
import { resourcePath } from '../../src/kube/resources.js';
import { createLogger } from '../../src/runtime/core/log.js';
import { startTokenRefresher, tokenClaims } from '../../src/runtime/core/token-refresh.js';
import { Notifier, adminEnv, createNamespace, deleteNamespace, type AdminEnv } from './support.js';

let env: AdminEnv;
let ns: string;
let dir: string;
const SA = 'core-agent';
const lines: Record<string, unknown>[] = [];
const logged = new Notifier();
const log = createLogger({
  component: 'e2e-token',
  level: 'debug',
  stream: {
    write: (s: string) => {
      lines.push(JSON.parse(s));
      logged.notify();
    },
  },
});

const rbac = (resource: string, namespace?: string) => resourcePath({ group: 'rbac.authorization.k8s.io', version: 'v1', resource, namespace });
const tokenPath = (name: string) => resourcePath({ group: '', version: 'v1', resource: 'serviceaccounts', namespace: ns, name, subresource: 'token' });

async function mint(client: KubeClient, name: string, expirationSeconds = 600): Promise<string> {
  const res = await client.create<{ status: { token: string } }>(tokenPath(name), { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds } });
  return res.status.token;
}

beforeAll(async () => {
  env = await adminEnv();
  ns = await createNamespace(env.client, 'core-token');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocmadm-core-token-'));
  const c = env.client;
  await c.create(resourcePath({ group: '', version: 'v1', resource: 'serviceaccounts', namespace: ns }), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: SA } });
  await c.create(rbac('roles', ns), {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'own-token' },
    rules: [{ apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: [SA], verbs: ['create'] }],
  });
  await c.create(rbac('rolebindings', ns), {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'own-token' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'own-token' },
    subjects: [{ kind: 'ServiceAccount', name: SA, namespace: ns }],
  });
});

afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await deleteNamespace(env.client, ns);
  await env.client.close();
});

async function credentialId(client: KubeClient): Promise<string | undefined> {
  const r = await client.create<{ status: { userInfo: { extra?: Record<string, string[]> } } }>(
    resourcePath({ group: 'authentication.k8s.io', version: 'v1', resource: 'selfsubjectreviews' }),
    { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
  );
  return r.status.userInfo.extra?.['authentication.kubernetes.io/credential-id']?.[0];
}

/** A kubeconfig for the SA with `token`, written 0600 like the local runtime does. */
function writeSaKubeconfig(file: string, token: string): void {
  const cluster = env.kc.getCurrentCluster()!;
  const kc = singleContextConfig({
    cluster: { name: 'hub', server: cluster.server, caData: pemData(clusterCaPem(cluster)!) },
    user: { name: 'agent', token },
    context: { name: 'agent', namespace: ns },
  });
  fs.writeFileSync(file, kc.toYaml(), { mode: 0o600 });
}

test('mints the next token on its timer, rewrites the 0600 kubeconfig and switches the client', async () => {
  const first = await mint(env.client, SA);
  const file = path.join(dir, 'agent.kubeconfig');
  writeSaKubeconfig(file, first);
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  const client = await KubeClient.create(kc, 'ocmadm-e2e-agent');
  // The SA may mint its own tokens and nothing else.
  expect(isForbidden(await mint(client, 'default').catch((e: unknown) => e))).toBe(true);

  const before = lines.length;
  // Refresh after 0.1 % of the first token's 10-minute life (~0.6 s) instead of 80 %: the same
  // timer path, sooner. Its successors live a day, so the next timer (~86 s) stays out of the way.
  const refresher = startTokenRefresher({
    client,
    serviceAccount: { namespace: ns, name: SA },
    kubeconfigPath: file,
    expirationSeconds: 86_400,
    log,
    refreshFraction: 0.001,
  });
  try {
    await logged.until(() => lines.slice(before).some((l) => l.msg === 'service account token refreshed'), 'a refresh', 20_000);
    const written = yaml.load(fs.readFileSync(file, 'utf8')) as { users: { user: { token: string } }[] };
    const second = written.users[0]!.user.token;
    expect(second).not.toBe(first);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const claims = tokenClaims(second)!;
    expect(claims.sub).toBe(`system:serviceaccount:${ns}:${SA}`);
    expect(claims.exp! - claims.iat!).toBe(86_400);
    expect(refresher.expiresAt?.getTime()).toBe(claims.exp! * 1000);
    expect(client.kc.getCurrentUser()?.token).toBe(second);
    expect(fs.readdirSync(dir)).toEqual(['agent.kubeconfig']); // no temp files left

    // The running client now authenticates with the new token: the API server names the
    // credential it saw by the token's jti.
    expect(await credentialId(client)).toBe(`JTI=${claims.jti}`);
    const third = await refresher.refresh();
    expect(third).not.toBe(second);
    expect(await credentialId(client)).toBe(`JTI=${tokenClaims(third)!.jti}`);
    expect(lines.slice(before).filter((l) => l.msg === 'service account token refresh failed')).toEqual([]);
    expect(JSON.stringify(lines)).not.toContain(second.slice(0, 40));
  } finally {
    refresher.stop();
    await client.close();
  }
});
