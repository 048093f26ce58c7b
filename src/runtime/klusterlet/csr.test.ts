import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { csrState, type CertificateSigningRequest } from '../../kube/certificates.js';
import { agentNames, certMatchesKey, countsTowardsLimit, csrObject, generateKeyAndRequest, isAgentCsr, issuedCertificate, parseCertificate, requestMatchesKey, rotationThreshold, rotationTime } from './csr.js';
import { createTestCa } from '../../../test/klusterlet/ca.js';

const HOUR = 3_600_000;

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('key and request', () => {
  test('the key is SEC1 EC PRIVATE KEY and the request carries the agent subject, no SANs', async () => {
    const { keyPem, csrPem } = await generateKeyAndRequest('c1', 'ab12x');
    expect(keyPem).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
    expect(csrPem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);
    const req = new x509.Pkcs10CertificateRequest(csrPem);
    expect(req.subjectName.getField('CN')).toEqual(['system:open-cluster-management:c1:ab12x']);
    expect(req.subjectName.getField('O').sort()).toEqual(['system:open-cluster-management:c1', 'system:open-cluster-management:managed-clusters']);
    expect(req.extensions.some((e) => e.type === '2.5.29.17')).toBe(false); // subjectAltName
    expect(await req.verify()).toBe(true);
    expect((req.publicKey.algorithm as { namedCurve?: string }).namedCurve).toBe('P-256');
  });

  test('openssl accepts the request and reads the key as P-256', async () => {
    if (!hasOpenssl()) throw new Error('openssl is needed for this cross-check');
    const { keyPem, csrPem } = await generateKeyAndRequest('c1', 'ab12x');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csr-test-'));
    try {
      fs.writeFileSync(path.join(dir, 'req.pem'), csrPem);
      fs.writeFileSync(path.join(dir, 'key.pem'), keyPem, { mode: 0o600 });
      const out = execFileSync('openssl', ['req', '-in', path.join(dir, 'req.pem'), '-noout', '-verify', '-subject', '-nameopt', 'RFC2253'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(out).toContain('CN=system:open-cluster-management:c1:ab12x');
      expect(out).toContain('O=system:open-cluster-management:c1');
      expect(out).toContain('O=system:open-cluster-management:managed-clusters');
      const key = execFileSync('openssl', ['ec', '-in', path.join(dir, 'key.pem'), '-noout', '-text'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(key).toMatch(/prime256v1|P-256/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('every key is new', async () => {
    const a = await generateKeyAndRequest('c1', 'a');
    const b = await generateKeyAndRequest('c1', 'a');
    expect(a.keyPem).not.toBe(b.keyPem);
  });
});

describe('CSR object', () => {
  test('generateName, label, signer and usages as OCM files them; expirationSeconds only when set', () => {
    const o = csrObject('c1', 'PEM');
    expect(o.metadata).toEqual({ generateName: 'c1-', labels: { 'open-cluster-management.io/cluster-name': 'c1' } });
    expect(o.spec).toEqual({
      request: Buffer.from('PEM').toString('base64'),
      signerName: 'kubernetes.io/kube-apiserver-client',
      usages: ['digital signature', 'key encipherment', 'client auth'],
    });
    expect(csrObject('c1', 'PEM', 3600).spec.expirationSeconds).toBe(3600);
  });

  test("the agent's CSRs and the ones that count towards the limit", () => {
    const m = (name: string, labels: Record<string, string>) => ({ metadata: { name, labels } });
    expect(isAgentCsr(m('c1-abc', { 'open-cluster-management.io/cluster-name': 'c1' }), 'c1')).toBe(true);
    expect(isAgentCsr(m('x-abc', { 'open-cluster-management.io/cluster-name': 'c1' }), 'c1')).toBe(false);
    expect(isAgentCsr(m('c1-abc', { 'open-cluster-management.io/cluster-name': 'c2' }), 'c1')).toBe(false);
    const addon = m('c1-abc', { 'open-cluster-management.io/cluster-name': 'c1', 'open-cluster-management.io/addon-name': 'a' });
    expect(isAgentCsr(addon, 'c1')).toBe(false);
    expect(countsTowardsLimit(addon, 'c1')).toBe(false);
    expect(countsTowardsLimit(m('other-name', { 'open-cluster-management.io/cluster-name': 'c1' }), 'c1')).toBe(true);
  });

  test('state: Denied and Failed win over Approved; False conditions do not count', () => {
    const csr = (...conditions: { type: string; status?: string }[]) => ({ spec: { request: '', signerName: '' }, status: { conditions } }) as CertificateSigningRequest;
    expect(csrState(csr())).toBe('pending');
    expect(csrState(csr({ type: 'Approved', status: 'True' }))).toBe('approved');
    expect(csrState(csr({ type: 'Approved', status: 'True' }, { type: 'Denied', status: 'True' }))).toBe('denied');
    expect(csrState(csr({ type: 'Approved', status: 'True' }, { type: 'Failed', status: 'True' }))).toBe('failed');
    expect(csrState(csr({ type: 'Approved', status: 'False' }))).toBe('pending');
  });
});

describe('certificates', () => {
  test('an issued certificate matches its key, not another; the request matches its key', async () => {
    const ca = await createTestCa();
    const a = await generateKeyAndRequest('c1', 'agent1');
    const b = await generateKeyAndRequest('c1', 'agent1');
    const now = Date.now();
    const cert = await ca.sign(a.csrPem, new Date(now - HOUR), new Date(now + HOUR));
    expect(certMatchesKey(cert, a.keyPem)).toBe(true);
    expect(certMatchesKey(cert, b.keyPem)).toBe(false);
    expect(certMatchesKey('garbage', a.keyPem)).toBe(false);
    const csr = csrObject('c1', a.csrPem);
    expect(requestMatchesKey(csr, a.keyPem)).toBe(true);
    expect(requestMatchesKey(csr, b.keyPem)).toBe(false);
    const withCert = { ...csr, status: { certificate: Buffer.from(cert).toString('base64') } };
    expect(issuedCertificate(withCert)).toBe(cert);
  });

  test('parse: names, groups and validity; a chain gives the latest start and earliest end', async () => {
    const ca = await createTestCa();
    const { csrPem } = await generateKeyAndRequest('c1', 'agent1');
    const t = Date.UTC(2026, 10, 23, 10, 0, 0);
    const leaf = await ca.sign(csrPem, new Date(t), new Date(t + 10 * HOUR));
    const info = parseCertificate(leaf);
    expect(info).toEqual({
      commonName: 'system:open-cluster-management:c1:agent1',
      organizations: expect.arrayContaining(['system:open-cluster-management:c1', 'system:open-cluster-management:managed-clusters']),
      notBefore: new Date(t),
      notAfter: new Date(t + 10 * HOUR),
      cluster: 'c1',
      agent: 'agent1',
    });
    const { csrPem: other } = await generateKeyAndRequest('c1', 'agent1');
    const second = await ca.sign(other, new Date(t + HOUR), new Date(t + 5 * HOUR));
    const chain = parseCertificate(leaf + second);
    expect(chain.notBefore).toEqual(new Date(t + HOUR));
    expect(chain.notAfter).toEqual(new Date(t + 5 * HOUR));
    expect(() => parseCertificate('nothing')).toThrow(/no certificate/);
  });

  test('agent names from a common name', () => {
    expect(agentNames('system:open-cluster-management:c1:a1')).toEqual({ cluster: 'c1', agent: 'a1' });
    expect(agentNames('system:open-cluster-management:c1')).toBeUndefined();
    expect(agentNames('system:open-cluster-management:c1:a:b')).toBeUndefined();
    expect(agentNames('kubernetes-admin')).toBeUndefined();
    expect(agentNames(undefined)).toBeUndefined();
  });
});

describe('rotation', () => {
  test('threshold is 20–25 % of the life', () => {
    expect(rotationThreshold(() => 0)).toBe(0.2);
    expect(rotationThreshold(() => 0.999999)).toBeCloseTo(0.25, 5);
  });

  test('rotation time leaves `threshold` of the life remaining', () => {
    const nb = new Date(Date.UTC(2026, 0, 1));
    const na = new Date(nb.getTime() + 100 * HOUR);
    expect(rotationTime(nb, na, 0.2)).toEqual(new Date(nb.getTime() + 80 * HOUR));
    expect(rotationTime(nb, na, 0.25)).toEqual(new Date(nb.getTime() + 75 * HOUR));
  });
});
