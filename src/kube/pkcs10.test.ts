import { spawnSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { tempDir } from '../../test/temp-dirs.js';
import { pemBody } from './der.js';
import { certificateSubject, createCertificateRequest, newP256Key, readCertificateRequest } from './pkcs10.js';

const openssl = (args: string[], cwd: string) => {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args[0]}: ${r.stderr}`);
  return r.stdout + r.stderr;
};

describe('createCertificateRequest', () => {
  test('openssl verifies an ECDSA request and reads O, OU and CN, multi-valued RDNs in one set', async () => {
    const { privateKey } = await newP256Key();
    const pem = createCertificateRequest({ commonName: 'system:addon:ä', organizations: ['g2', 'g1'], organizationalUnits: ['u1'] }, privateKey);
    const dir = tempDir('pkcs10');
    fs.writeFileSync(path.join(dir, 'req.pem'), pem);
    const out = openssl(['req', '-in', 'req.pem', '-noout', '-verify', '-subject', '-nameopt', 'RFC2253,-esc_msb'], dir);
    expect(out).toMatch(/verify OK/);
    // RFC 2253 prints the last RDN first (and a set's values reversed), joined with "+".
    expect(out).toContain('subject=CN=system:addon:ä,OU=u1,O=g2+O=g1');
  });

  test('an RSA key signs with sha256WithRSAEncryption and the request verifies', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = createCertificateRequest({ commonName: 'rsa-user', organizations: [] }, privateKey);
    const req = new x509.Pkcs10CertificateRequest(pem);
    expect(await req.verify()).toBe(true);
    expect((req.signatureAlgorithm as { name?: string }).name).toBe('RSASSA-PKCS1-v1_5');
    expect(req.subject).toBe('CN=rsa-user');
  });

  test('long names use long-form lengths and read back whole', async () => {
    const { privateKey, publicKey } = await newP256Key();
    const cn = 'x'.repeat(300);
    const groups = Array.from({ length: 20 }, (_, i) => `system:group-${i}-${'y'.repeat(20)}`);
    const { subject, spki } = readCertificateRequest(createCertificateRequest({ commonName: cn, organizations: groups }, privateKey));
    expect(subject.commonName).toBe(cn);
    expect([...subject.organizations].sort()).toEqual([...groups].sort());
    expect(spki.equals(publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
  });
});

describe('readCertificateRequest', () => {
  test('reads a request openssl made, with a multi-valued RDN, and its public key', () => {
    const dir = tempDir('pkcs10');
    openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-out', 'r.pem', '-multivalue-rdn', '-subj', '/O=b+O=a/CN=someone'], dir);
    const { subject, spki } = readCertificateRequest(fs.readFileSync(path.join(dir, 'r.pem'), 'utf8'));
    expect(subject).toEqual({ commonName: 'someone', organizations: expect.arrayContaining(['a', 'b']), organizationalUnits: [] });
    const key = createPublicKey(fs.readFileSync(path.join(dir, 'k.pem'), 'utf8')).export({ type: 'spki', format: 'der' });
    expect(spki.equals(key)).toBe(true);
  });

  test('two CNs give no common name, as a request naming two users names none', async () => {
    const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const req = await x509.Pkcs10CertificateRequestGenerator.create({ name: [{ CN: ['a', 'b'] }], keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } });
    expect(readCertificateRequest(req.toString('pem')).subject.commonName).toBeUndefined();
  });

  test('anything else is refused with an error, not misread', async () => {
    const { privateKey } = await newP256Key();
    const pem = createCertificateRequest({ commonName: 'c' }, privateKey);
    expect(() => readCertificateRequest(pem.replace(/REQUEST/g, 'REQUESTX'))).toThrow('no PEM CERTIFICATE REQUEST block');
    const der = pemBody(pem, 'CERTIFICATE REQUEST');
    const truncated = `-----BEGIN CERTIFICATE REQUEST-----\n${der.subarray(0, der.length - 10).toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    expect(() => readCertificateRequest(truncated)).toThrow('DER: truncated');
    const notSequence = `-----BEGIN CERTIFICATE REQUEST-----\n${Buffer.from([0x02, 0x01, 0x00]).toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    expect(() => readCertificateRequest(notSequence)).toThrow();
  });
});

describe('certificateSubject', () => {
  test('reads the subject of an openssl certificate (v3, with a version field)', () => {
    const dir = tempDir('pkcs10');
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '1', '-subj', '/O=org1/OU=unit/CN=the-cn'], dir);
    const cert = new X509Certificate(fs.readFileSync(path.join(dir, 'c.pem')));
    expect(certificateSubject(cert.raw)).toEqual({ commonName: 'the-cn', organizations: ['org1'], organizationalUnits: ['unit'] });
  });
});
