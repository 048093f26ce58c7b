import 'reflect-metadata';
import fs from 'node:fs/promises';
import path from 'node:path';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/**
 * The certificates and keys of one local control plane, all ECDSA P-256 (fast to make, accepted
 * by kube-apiserver, kube-controller-manager and etcd clients):
 * - a CA that is both the apiserver's client CA and kube-controller-manager's CSR signing CA,
 *   so certificates issued for approved CSRs authenticate;
 * - the apiserver serving certificate (SANs 127.0.0.1, localhost, kubernetes.default.svc, ...);
 * - the service-account signing key pair;
 * - client certificates for the admin (O=system:masters) and kube-controller-manager.
 */
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
const crypto = webcrypto;
x509.cryptoProvider.set(crypto);

const EC: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGN: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const DAY_MS = 86_400_000;

export interface KeyPairPem {
  certPem: string;
  keyPem: string;
}

export interface CertificateAuthority extends KeyPairPem {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
}

export interface ClusterPki {
  ca: CertificateAuthority;
  /** Absolute file paths, all written with mode 0600. */
  files: {
    caCert: string;
    caKey: string;
    apiserverCert: string;
    apiserverKey: string;
    saKey: string;
    saPub: string;
    adminCert: string;
    adminKey: string;
    kcmCert: string;
    kcmKey: string;
  };
  admin: KeyPairPem;
  kcm: KeyPairPem;
}

async function newKeys(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await crypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

async function publicKeyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await crypto.subtle.exportKey('spki', key), 'PUBLIC KEY');
}

/** Distinguished names are built from escaped parts: commas or plus signs in a value stay literal. */
function dn(cn: string, orgs: string[] = []): string {
  const esc = (v: string) => v.replace(/([,+"\\<>;=#])/g, '\\$1');
  return [`CN=${esc(cn)}`, ...orgs.map((o) => `O=${esc(o)}`)].join(', ');
}

export async function createCertificateAuthority(commonName: string, days = 3650): Promise<CertificateAuthority> {
  const keys = await newKeys();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: dn(commonName),
    keys,
    signingAlgorithm: SIGN,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + days * DAY_MS),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys, certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

export interface LeafOptions {
  commonName: string;
  organizations?: string[];
  /** 'client', 'server' or both. */
  usages: ('client' | 'server')[];
  dnsNames?: string[];
  ipAddresses?: string[];
  days?: number;
}

/** A certificate signed by `ca` for a fresh key. */
export async function issueCertificate(ca: CertificateAuthority, opts: LeafOptions): Promise<KeyPairPem> {
  const keys = await newKeys();
  const now = Date.now();
  const eku = opts.usages.map((u) => (u === 'client' ? x509.ExtendedKeyUsage.clientAuth : x509.ExtendedKeyUsage.serverAuth));
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(eku),
    await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
  ];
  const names = [
    ...(opts.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(opts.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  const cert = await x509.X509CertificateGenerator.create({
    subject: dn(opts.commonName, opts.organizations),
    issuer: ca.cert.subject,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: SIGN,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + (opts.days ?? 365) * DAY_MS),
    extensions,
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

async function write(file: string, content: string): Promise<string> {
  await fs.writeFile(file, content, { mode: 0o600 });
  return file;
}

/** Generates the PKI of cluster `name` into `dir` (created if missing). */
/** `extraIps`: more serving addresses of the apiserver (a node's view of it). */
export async function generateClusterPki(name: string, dir: string, extraIps: string[] = []): Promise<ClusterPki> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = await createCertificateAuthority(`ocmadm-sandbox-ca-${name}`);
  const [apiserver, admin, kcm, saKeys] = await Promise.all([
    issueCertificate(ca, {
      commonName: 'kube-apiserver',
      usages: ['server'],
      dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
      ipAddresses: ['127.0.0.1', '10.0.0.1', ...extraIps],
    }),
    issueCertificate(ca, { commonName: 'ocmadm-admin', organizations: ['system:masters'], usages: ['client'] }),
    issueCertificate(ca, { commonName: 'system:kube-controller-manager', usages: ['client'] }),
    newKeys(),
  ]);
  const p = (f: string) => path.join(dir, f);
  const files = {
    caCert: await write(p('ca.crt'), ca.certPem),
    caKey: await write(p('ca.key'), ca.keyPem),
    apiserverCert: await write(p('apiserver.crt'), apiserver.certPem),
    apiserverKey: await write(p('apiserver.key'), apiserver.keyPem),
    saKey: await write(p('sa.key'), await privateKeyPem(saKeys.privateKey)),
    saPub: await write(p('sa.pub'), await publicKeyPem(saKeys.publicKey)),
    adminCert: await write(p('admin.crt'), admin.certPem),
    adminKey: await write(p('admin.key'), admin.keyPem),
    kcmCert: await write(p('kcm.crt'), kcm.certPem),
    kcmKey: await write(p('kcm.key'), kcm.keyPem),
  };
  return { ca, files, admin, kcm };
}
