/**
 * Signing an add-on's CustomSigner CSR with the CA in the template's `signingCA` secret (tls.crt,
 * tls.key), as OCM's template manager does: the requested subject and public key, the CA as
 * issuer, client-auth usage, 24 h validity (OCM's CustomSignerWithExpiry). ECDSA P-256 and RSA CA
 * keys (PKCS#8, PKCS#1 or SEC1 PEM). Pure apart from the crypto.
 */
import 'reflect-metadata';
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

export const CUSTOM_SIGNER_VALIDITY_MS = 24 * 3600_000;

async function importCaKey(keyPem: string, cert: x509.X509Certificate): Promise<{ key: webcrypto.CryptoKey; alg: webcrypto.EcdsaParams | webcrypto.RsaHashedImportParams }> {
  const pkcs8 = createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' });
  const pubAlg = cert.publicKey.algorithm as { name: string; namedCurve?: string };
  if (pubAlg.name === 'ECDSA') {
    const key = await webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'ECDSA', namedCurve: pubAlg.namedCurve ?? 'P-256' }, false, ['sign']);
    return { key, alg: { name: 'ECDSA', hash: 'SHA-256' } };
  }
  const key = await webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
  return { key, alg: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } };
}

/** The PEM certificate for `csrPem`, issued by the CA. */
export async function signWithCa(caCertPem: string, caKeyPem: string, csrPem: string, now = new Date()): Promise<string> {
  const ca = new x509.X509Certificate(caCertPem);
  const req = new x509.Pkcs10CertificateRequest(csrPem);
  if (!(await req.verify())) throw new Error('the CSR signature does not verify');
  const { key, alg } = await importCaKey(caKeyPem, ca);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomBytes(16).toString('hex').replace(/^[89a-f]/, '1'),
    subject: req.subject,
    issuer: ca.subject,
    publicKey: req.publicKey,
    signingKey: key,
    signingAlgorithm: alg,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + CUSTOM_SIGNER_VALIDITY_MS),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });
  return cert.toString('pem');
}
