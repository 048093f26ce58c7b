/**
 * Real ECDSA P-256 keys and PKCS#10 requests with an agent's subject, as OCM's registration agent
 * makes them; shared by the hub unit and e2e tests.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface KeyAndCsr {
  /** PEM "CERTIFICATE REQUEST". */
  csrPem: string;
  /** PEM PKCS#8 private key. */
  keyPem: string;
}

/** A key and a CSR whose subject is CN=`cn`, one O per entry of `orgs`. */
export async function makeKeyAndCsr(cn: string, orgs: string[]): Promise<KeyAndCsr> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const name: x509.JsonName = [{ CN: [cn] }, ...orgs.map((o) => ({ O: [o] }))];
  const req = await x509.Pkcs10CertificateRequestGenerator.create({ name, keys, signingAlgorithm: ALG });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
  return { csrPem: req.toString('pem'), keyPem };
}

/** The agent subject OCM uses for cluster `c`, agent `agent`. */
export const agentSubject = (c: string, agent: string) => ({
  cn: `system:open-cluster-management:${c}:${agent}`,
  orgs: [`system:open-cluster-management:${c}`, 'system:open-cluster-management:managed-clusters'],
});
