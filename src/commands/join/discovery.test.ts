import 'reflect-metadata';
import { createHmac } from 'node:crypto';
import type { ManagedCluster } from '../../api/index.js';
import { createTestCa } from '../../../test/klusterlet/ca.js';
import { fingerprint, parseCaBundle, verifyClusterInfoSignature } from './discovery.js';
import { registeredElsewhere } from './preflight.js';
import { redactSecrets } from './run.js';

/** A detached HS256 JWS as the bootstrap signer writes it into cluster-info. */
function sign(payload: string, secret: string): string {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', kid: 'abcdef' })).toString('base64url');
  const sig = createHmac('sha256', secret).update(`${header}.${Buffer.from(payload).toString('base64url')}`).digest('base64url');
  return `${header}..${sig}`;
}

describe('cluster-info signature', () => {
  const kubeconfig = 'apiVersion: v1\nclusters: []\n';
  test('verifies with the token secret', () => {
    expect(verifyClusterInfoSignature(kubeconfig, sign(kubeconfig, '0123456789abcdef'), '0123456789abcdef')).toBe(true);
  });
  test('fails with another secret, another payload, or garbage', () => {
    expect(verifyClusterInfoSignature(kubeconfig, sign(kubeconfig, '0123456789abcdef'), 'ffffffffffffffff')).toBe(false);
    expect(verifyClusterInfoSignature(`${kubeconfig}x`, sign(kubeconfig, '0123456789abcdef'), '0123456789abcdef')).toBe(false);
    expect(verifyClusterInfoSignature(kubeconfig, 'garbage', '0123456789abcdef')).toBe(false);
  });
});

describe('CA bundles', () => {
  test('parses a real certificate and gives its SHA-256 fingerprint', async () => {
    const ca = await createTestCa();
    expect(parseCaBundle(ca.certPem, 'x')).toHaveLength(1);
    expect(fingerprint(ca.certPem)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
  test('rejects text without certificates and broken ones', () => {
    expect(() => parseCaBundle('hello', '--ca-file a.pem')).toThrow('--ca-file a.pem holds no PEM certificate');
    expect(() => parseCaBundle('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', 'x')).toThrow(/does not parse/);
  });
});

describe('registeredElsewhere', () => {
  const mc = (configs: { url: string; caBundle?: string }[]): ManagedCluster => ({ metadata: { name: 'c1' }, spec: { managedClusterClientConfigs: configs } }) as ManagedCluster;
  test('same URL (trailing slash ignored) and CA: this spoke', () => {
    expect(registeredElsewhere(mc([{ url: 'https://a:6443/', caBundle: Buffer.from('CA').toString('base64') }]), 'https://a:6443', 'CA')).toBeUndefined();
  });
  test('another URL: names it', () => {
    expect(registeredElsewhere(mc([{ url: 'https://b:6443' }]), 'https://a:6443')).toBe('https://b:6443');
  });
  test('same URL, another CA: another cluster behind the same address', () => {
    expect(registeredElsewhere(mc([{ url: 'https://a:6443', caBundle: Buffer.from('OTHER').toString('base64') }]), 'https://a:6443', 'CA')).toMatch(/another CA/);
  });
  test('no client configs: cannot tell', () => {
    expect(registeredElsewhere(mc([]), 'https://a:6443')).toBeUndefined();
  });
});

test('dry-run output never carries secret data', () => {
  const out = redactSecrets([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { kubeconfig: 'c2VjcmV0' } }, { kind: 'Namespace', metadata: { name: 'n' } }]);
  expect(JSON.stringify(out)).not.toContain('c2VjcmV0');
  expect(out[0]).toMatchObject({ stringData: { kubeconfig: expect.stringMatching(/redacted/) } });
  expect(out[1]).toEqual({ kind: 'Namespace', metadata: { name: 'n' } });
});
