import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createCertificateAuthority } from '../../sandbox/pki.js';
import { addonKeyAndRequest } from '../klusterlet/addon/credentials.js';
import { CUSTOM_SIGNER_VALIDITY_MS, signWithCa } from './addon-signer.js';

describe('signWithCa (CustomSigner registrations)', () => {
  it('issues the requested subject for the requested key, by the CA, for 24 h, client auth only', async () => {
    const ca = await createCertificateAuthority('addon-signer');
    const { csrPem } = await addonKeyAndRequest({ user: 'user1', groups: ['g1', 'g2'] });
    const now = new Date();
    const pem = await signWithCa(ca.certPem, ca.keyPem, csrPem, now);
    const cert = new x509.X509Certificate(pem);
    expect(cert.subjectName.getField('CN')).toEqual(['user1']);
    expect(cert.subjectName.getField('O')).toEqual(['g1', 'g2']);
    expect(cert.issuer).toBe(ca.cert.subject);
    expect(await cert.verify({ publicKey: ca.cert.publicKey, signatureOnly: true })).toBe(true);
    expect(cert.notAfter.getTime() - now.getTime()).toBeLessThanOrEqual(CUSTOM_SIGNER_VALIDITY_MS);
    expect(cert.getExtension(x509.ExtendedKeyUsageExtension)!.usages).toEqual([x509.ExtendedKeyUsage.clientAuth]);
    const req = new x509.Pkcs10CertificateRequest(csrPem);
    expect(Buffer.from(cert.publicKey.rawData).equals(Buffer.from(req.publicKey.rawData))).toBe(true);
  });

  it('refuses a CSR whose signature does not verify', async () => {
    const ca = await createCertificateAuthority('addon-signer');
    const { csrPem } = await addonKeyAndRequest({ user: 'u', groups: [] });
    const der = Buffer.from(csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    der.writeUInt8(der.readUInt8(der.length - 5) ^ 0xff, der.length - 5);
    const bad = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    await expect(signWithCa(ca.certPem, ca.keyPem, bad)).rejects.toThrow();
  });
});
