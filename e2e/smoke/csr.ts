/**
 * A client certificate obtained the way OCM agents get theirs: a key and PKCS#10 request made
 * here, a CertificateSigningRequest for signer kubernetes.io/kube-apiserver-client created by
 * `requester`, approved by `approver`, and signed by kube-controller-manager.
 */
import 'reflect-metadata';
import { webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { waitForObject } from '../../src/kube/wait.js';
import { resourcePath } from '../../src/kube/resources.js';
import { CSRS } from '../../src/kube/certificates.js';

const EC = { name: 'ECDSA', namedCurve: 'P-256' };

export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
  cert: X509Certificate;
  csrName: string;
}

type CsrStatus = { certificate?: string; conditions?: { type: string; status: string }[] };

export async function requestClientCertificate(
  requester: KubeClient,
  approver: KubeClient,
  opts: { csrName: string; commonName: string; groups: string[]; expirationSeconds?: number; timeoutMs?: number },
): Promise<IssuedCertificate> {
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const request = await x509.Pkcs10CertificateRequestGenerator.create(
    { name: [`CN=${opts.commonName}`, ...opts.groups.map((g) => `O=${g}`)].join(', '), keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } },
    webcrypto,
  );
  await requester.create(resourcePath(CSRS), {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name: opts.csrName },
    spec: {
      request: Buffer.from(request.toString('pem')).toString('base64'),
      signerName: 'kubernetes.io/kube-apiserver-client',
      usages: ['digital signature', 'client auth'],
      ...(opts.expirationSeconds ? { expirationSeconds: opts.expirationSeconds } : {}),
    },
  });

  const path = resourcePath({ ...CSRS, name: opts.csrName });
  const csr = await approver.get<KubeObject>(path);
  const status = (csr.status ?? {}) as CsrStatus;
  await approver.replace(`${path}/approval`, {
    ...csr,
    status: {
      ...status,
      conditions: [...(status.conditions ?? []), { type: 'Approved', status: 'True', reason: 'E2EApproved', message: 'approved by the e2e suite' }],
    },
  });

  const signed = await waitForObject<KubeObject>(
    approver,
    { ...CSRS, name: opts.csrName },
    (o) => !!(o?.status as CsrStatus | undefined)?.certificate,
    { deadline: Date.now() + (opts.timeoutMs ?? 60_000), what: `CSR ${opts.csrName} to be signed by kube-controller-manager` },
  );
  const certPem = Buffer.from((signed!.status as CsrStatus).certificate!, 'base64').toString();
  const keyPem = x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
  return { certPem, keyPem, cert: new X509Certificate(certPem), csrName: opts.csrName };
}
