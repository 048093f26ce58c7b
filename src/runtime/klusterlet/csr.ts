/**
 * The agent's key and certificate requests, as OCM's registration agent makes them (ocm-protocol.md
 * §1 "Key and CSR"): an ECDSA P-256 key per request, a PKCS#10 request whose subject names the
 * cluster and agent (no SANs), the CertificateSigningRequest object that carries it, and the checks
 * on what comes back (does the certificate belong to our key, whom does it name, when to rotate).
 * Pure: no I/O. Private keys are PEM `EC PRIVATE KEY` (SEC1), as OCM writes `tls.key`.
 */
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { CSR_USAGES, IDENTITY, LABEL, SIGNER } from '../../api/names.js';
import type { KubeObject } from '../../kube/client.js';
import type { CertificateSigningRequest } from '../../kube/certificates.js';
import { certificateSubject, createCertificateRequest, newP256Key, readCertificateRequest } from '../../kube/pkcs10.js';

/** The subject OCM's agent asks for: CN names cluster and agent; O the cluster group and all clusters' group. */
export function agentSubject(cluster: string, agentId: string): { commonName: string; organizations: string[] } {
  return {
    commonName: IDENTITY.commonName(cluster, agentId),
    organizations: [IDENTITY.clusterGroup(cluster), IDENTITY.managedClustersGroup],
  };
}

export interface KeyAndRequest {
  /** PEM `EC PRIVATE KEY` (SEC1). Never logged, never leaves the spoke. */
  keyPem: string;
  /** PEM `CERTIFICATE REQUEST`. */
  csrPem: string;
}

/** A new P-256 key and a PKCS#10 request for the agent's subject, signed with it. */
export async function generateKeyAndRequest(cluster: string, agentId: string): Promise<KeyAndRequest> {
  const { privateKey } = await newP256Key();
  // As Go's pkix.Name renders it: one RDN holding both organizations, then the common name.
  const csrPem = createCertificateRequest(agentSubject(cluster, agentId), privateKey);
  return { keyPem: privateKey.export({ type: 'sec1', format: 'pem' }).toString(), csrPem };
}

/** The CertificateSigningRequest the agent files on the hub for `csrPem`. */
export function csrObject(cluster: string, csrPem: string, expirationSeconds?: number): CertificateSigningRequest {
  const spec: CertificateSigningRequest['spec'] = {
    request: Buffer.from(csrPem).toString('base64'),
    signerName: SIGNER.kubeApiserverClient,
    usages: [...CSR_USAGES],
  };
  if (expirationSeconds) spec.expirationSeconds = expirationSeconds;
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { generateName: `${cluster}-`, labels: { [LABEL.clusterName]: cluster } },
    spec,
  };
}

/** One of the agent's own CSRs: cluster label, name `<cluster>-…`, no add-on label (OCM's filter). */
export function isAgentCsr(csr: KubeObject, cluster: string): boolean {
  const labels = csr.metadata?.labels ?? {};
  return labels[LABEL.clusterName] === cluster && !(LABEL.addonName in labels) && !!csr.metadata?.name?.startsWith(`${cluster}-`);
}

/** CSRs that count towards OCM's limit: cluster label and no add-on label, whatever their state. */
export function countsTowardsLimit(csr: KubeObject, cluster: string): boolean {
  const labels = csr.metadata?.labels ?? {};
  return labels[LABEL.clusterName] === cluster && !(LABEL.addonName in labels);
}

/** The issued certificate (PEM) of a CSR, if any. */
export function issuedCertificate(csr: CertificateSigningRequest): string | undefined {
  const b64 = csr.status?.certificate;
  return b64 ? Buffer.from(b64, 'base64').toString('utf8') : undefined;
}

const spkiOfKey = (keyPem: string): Buffer => createPublicKey(keyPem).export({ type: 'spki', format: 'der' }) as Buffer;

/** Whether the CSR's request (base64 PEM in spec.request) was made with `keyPem`. */
export function requestMatchesKey(csr: CertificateSigningRequest, keyPem: string): boolean {
  try {
    const pem = Buffer.from(csr.spec?.request ?? '', 'base64').toString('utf8');
    return readCertificateRequest(pem).spki.equals(spkiOfKey(keyPem));
  } catch {
    return false;
  }
}

/** The PEM blocks of type CERTIFICATE in `pem`, in order. */
export function splitCertificates(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** Whether the first (leaf) certificate of `certPem` carries the public key of `keyPem`. */
export function certMatchesKey(certPem: string, keyPem: string): boolean {
  try {
    const leaf = splitCertificates(certPem)[0];
    if (!leaf) return false;
    return new X509Certificate(leaf).checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

export interface CertInfo {
  commonName: string | undefined;
  organizations: string[];
  /** The latest notBefore and earliest notAfter over the chain, as OCM computes the validity. */
  notBefore: Date;
  notAfter: Date;
  /** The cluster and agent named by the first certificate whose CN has OCM's agent form. */
  cluster: string | undefined;
  agent: string | undefined;
}

/** Parses a certificate (or chain). Throws on anything that is not a PEM certificate. */
export function parseCertificate(certPem: string): CertInfo {
  const blocks = splitCertificates(certPem);
  if (blocks.length === 0) throw new Error('no certificate in PEM data');
  const certs = blocks.map((b) => {
    const c = new X509Certificate(b);
    return { notBefore: c.validFromDate, notAfter: c.validToDate, subject: certificateSubject(c.raw) };
  });
  let notBefore = certs[0]!.notBefore;
  let notAfter = certs[0]!.notAfter;
  let cluster: string | undefined;
  let agent: string | undefined;
  for (const c of certs) {
    if (c.notBefore > notBefore) notBefore = c.notBefore;
    if (c.notAfter < notAfter) notAfter = c.notAfter;
    const names = agentNames(c.subject.commonName);
    if (names && cluster === undefined) ({ cluster, agent } = names);
  }
  const leaf = certs[0]!.subject;
  return { commonName: leaf.commonName, organizations: leaf.organizations, notBefore, notAfter, cluster, agent };
}

/** `system:open-cluster-management:<cluster>:<agent>` → its two names. */
export function agentNames(commonName: string | undefined): { cluster: string; agent: string } | undefined {
  if (!commonName?.startsWith(IDENTITY.commonNamePrefix)) return undefined;
  const parts = commonName.slice(IDENTITY.commonNamePrefix.length).split(':');
  return parts.length === 2 && parts[0] && parts[1] ? { cluster: parts[0], agent: parts[1] } : undefined;
}

/** A random rotation threshold in [0.20, 0.25): the remaining fraction of life at which to renew. */
export function rotationThreshold(random: () => number = Math.random): number {
  return 0.2 + 0.05 * random();
}

/**
 * When to file the renewal CSR: the moment the remaining lifetime is `threshold` of the total
 * (notBefore → notAfter), i.e. remaining/total ≤ threshold from then on.
 */
export function rotationTime(notBefore: Date, notAfter: Date, threshold: number): Date {
  const total = notAfter.getTime() - notBefore.getTime();
  return new Date(notAfter.getTime() - total * threshold);
}
