/**
 * A throwaway certificate authority for the klusterlet's unit tests: it signs a PKCS#10 request
 * the way kube-controller-manager does for an approved CSR (subject copied, chosen validity).
 * Test support only; the runtime never signs anything.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface TestCa {
  certPem: string;
  /** Signs `csrPem` with validity [notBefore, notAfter]; returns the certificate PEM. */
  sign(csrPem: string, notBefore: Date, notAfter: Date): Promise<string>;
}

export async function createTestCa(name = 'test-ca'): Promise<TestCa> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: [{ CN: [name] }],
    notBefore: new Date(now - 3_600_000),
    notAfter: new Date(now + 10 * 86_400_000),
    keys,
    signingAlgorithm: ALG,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  let serial = 2;
  return {
    certPem: ca.toString('pem'),
    async sign(csrPem, notBefore, notAfter) {
      const req = new x509.Pkcs10CertificateRequest(csrPem);
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: (serial++).toString(16).padStart(2, '0'),
        subject: req.subjectName,
        issuer: ca.subjectName,
        notBefore,
        notAfter,
        signingKey: keys.privateKey,
        publicKey: req.publicKey,
        signingAlgorithm: ALG,
      });
      return cert.toString('pem');
    },
  };
}
