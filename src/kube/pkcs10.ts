/**
 * PKCS#10 certificate requests (RFC 2986) and the subject names of requests and certificates, on
 * node:crypto and the small DER codec beside this file: what an agent needs to ask for a client
 * certificate and to check what comes back. Pure.
 */
import { createPublicKey, generateKeyPair, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { children, oid, oidString, pemBody, read, setOf, TAG, text, tlv, toPem, type Node } from './der.js';

export interface SubjectName {
  commonName: string | undefined;
  organizations: string[];
  organizationalUnits: string[];
}

const ATTR = { commonName: '2.5.4.3', organization: '2.5.4.10', organizationalUnit: '2.5.4.11' } as const;
const SIG = {
  ecdsaSha256: '1.2.840.10045.4.3.2',
  rsaSha256: '1.2.840.113549.1.1.11',
} as const;

function rdn(type: string, values: string[]): Buffer[] {
  if (values.length === 0) return [];
  return [setOf(values.map((v) => tlv(TAG.sequence, oid(type), tlv(TAG.utf8String, Buffer.from(v, 'utf8')))))];
}

/** A Name as Go's pkix.Name renders one: one RDN per attribute type holding all its values, O then OU then CN. */
export function encodeName(s: Partial<SubjectName>): Buffer {
  return tlv(
    TAG.sequence,
    ...rdn(ATTR.organization, s.organizations ?? []),
    ...rdn(ATTR.organizationalUnit, s.organizationalUnits ?? []),
    ...rdn(ATTR.commonName, s.commonName !== undefined ? [s.commonName] : []),
  );
}

/** The CN (when exactly one), O and OU values of an encoded Name, in their order. */
export function decodeName(name: Node): SubjectName {
  const byType = new Map<string, string[]>();
  for (const set of children(name)) {
    for (const atv of children(set)) {
      const [type, value] = children(atv);
      if (!type || !value) throw new Error('malformed name attribute');
      const key = oidString(type);
      byType.set(key, [...(byType.get(key) ?? []), text(value)]);
    }
  }
  const cns = byType.get(ATTR.commonName) ?? [];
  return {
    commonName: cns.length === 1 ? cns[0] : undefined,
    organizations: byType.get(ATTR.organization) ?? [],
    organizationalUnits: byType.get(ATTR.organizationalUnit) ?? [],
  };
}

/** A new ECDSA P-256 key pair, as OCM's agents make one per request. */
export async function newP256Key(): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  return promisify(generateKeyPair)('ec', { namedCurve: 'prime256v1' });
}

/** A PEM CERTIFICATE REQUEST for `subject`, carrying the public half of `privateKey` and signed with it (SHA-256). */
export function createCertificateRequest(subject: Partial<SubjectName>, privateKey: KeyObject): string {
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const version = tlv(TAG.integer, Buffer.from([0]));
  const noAttributes = tlv(TAG.context0);
  const info = tlv(TAG.sequence, version, encodeName(subject), spki, noAttributes);
  const ec = privateKey.asymmetricKeyType === 'ec';
  if (!ec && privateKey.asymmetricKeyType !== 'rsa') throw new Error(`cannot sign a request with a ${privateKey.asymmetricKeyType} key`);
  // ecdsa-with-SHA256 has no parameters; sha256WithRSAEncryption has NULL (RFC 5758, RFC 4055).
  const algorithm = ec ? tlv(TAG.sequence, oid(SIG.ecdsaSha256)) : tlv(TAG.sequence, oid(SIG.rsaSha256), tlv(TAG.null));
  // node:crypto writes an ECDSA signature DER-encoded (r, s), which is what X.509 carries.
  const signature = sign('sha256', info, privateKey);
  const unusedBits = Buffer.from([0]);
  return toPem(tlv(TAG.sequence, info, algorithm, tlv(TAG.bitString, unusedBits, signature)), 'CERTIFICATE REQUEST');
}

/** The subject and public key (SPKI DER) of a PEM certificate request; throws when it is not one. */
export function readCertificateRequest(pem: string): { subject: SubjectName; spki: Buffer } {
  const request = read(pemBody(pem, 'CERTIFICATE REQUEST'));
  const [info] = children(request);
  if (request.tag !== TAG.sequence || info?.tag !== TAG.sequence) throw new Error('not a PKCS#10 request');
  const [version, subject, spki] = children(info);
  if (version?.tag !== TAG.integer || subject?.tag !== TAG.sequence || spki?.tag !== TAG.sequence) throw new Error('not a PKCS#10 request');
  return { subject: decodeName(subject), spki: Buffer.from(spki.raw) };
}

/** The subject of a DER certificate (the names only: validity and keys are node:crypto's X509Certificate's). */
export function certificateSubject(der: Buffer): SubjectName {
  const [tbs] = children(read(der));
  if (!tbs) throw new Error('not a certificate');
  const fields = children(tbs);
  // version [0] is optional; then serial, signature, issuer, validity, subject.
  const subject = fields[fields[0]?.tag === TAG.context0 ? 5 : 4];
  if (subject?.tag !== TAG.sequence) throw new Error('not a certificate');
  return decodeName(subject);
}
