import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { refreshTimeMs, tokenClaims, writeKubeconfigToken } from './token-refresh.js';

const jwt = (claims: object) =>
  [{ alg: 'RS256' }, claims].map((p) => Buffer.from(JSON.stringify(p)).toString('base64url')).join('.') + '.c2ln';

describe('token expiry', () => {
  test('reads the JWT payload claims', () => {
    expect(tokenClaims(jwt({ exp: 1_800_000_000, iat: 1_799_996_400, sub: 'system:serviceaccount:ns:sa' }))).toEqual({
      exp: 1_800_000_000,
      iat: 1_799_996_400,
      sub: 'system:serviceaccount:ns:sa',
    });
    expect(tokenClaims('not-a-jwt')).toBeUndefined();
    expect(tokenClaims('a.!!!.c')).toBeUndefined();
  });

  test('refresh at 80 % of the life from iat to exp', () => {
    const t = jwt({ iat: 1000, exp: 4600 });
    expect(refreshTimeMs(t, 0)).toBe(1000_000 + 3600_000 * 0.8);
    expect(refreshTimeMs(t, 0, 0.5)).toBe(2800_000);
  });

  test('without iat the life counts from now; without exp there is nothing to refresh', () => {
    expect(refreshTimeMs(jwt({ exp: 2000 }), 1000_000)).toBe(1000_000 + 1000_000 * 0.8);
    expect(refreshTimeMs(jwt({ sub: 'x' }), 0)).toBeUndefined();
    expect(refreshTimeMs('opaque-legacy-token', 0)).toBeUndefined();
  });
});

describe('writeKubeconfigToken', () => {
  test('replaces the current user token atomically with mode 0600', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocmadm-token-'));
    const file = path.join(dir, 'kubeconfig');
    const cfg = {
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'hub',
      clusters: [{ name: 'hub', cluster: { server: 'https://127.0.0.1:6443' } }],
      contexts: [{ name: 'hub', context: { cluster: 'hub', user: 'sa' } }, { name: 'other', context: { cluster: 'hub', user: 'o' } }],
      users: [
        { name: 'o', user: { token: 'other' } },
        { name: 'sa', user: { token: 'old', tokenFile: '/nope' } },
      ],
    };
    fs.writeFileSync(file, yaml.dump(cfg), { mode: 0o644 });
    try {
      await writeKubeconfigToken(file, 'new');
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      const back = yaml.load(fs.readFileSync(file, 'utf8')) as typeof cfg;
      expect(back.users).toEqual([
        { name: 'o', user: { token: 'other' } },
        { name: 'sa', user: { token: 'new' } },
      ]);
      expect(back.clusters).toEqual(cfg.clusters);
      expect(fs.readdirSync(dir)).toEqual(['kubeconfig']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
