/**
 * Kubernetes' CertificateSigningRequest (certificates.k8s.io/v1), declared once beside the core
 * kinds (core.ts): its REST reference, its shape as this project reads and writes it, its state
 * and the subject of the PKCS#10 request it carries. Pure.
 */
import { readCertificateRequest } from './pkcs10.js';
import type { KubeObject } from './client.js';
import type { ResourceRef } from './resources.js';

export const CSRS: Readonly<Pick<ResourceRef, 'group' | 'version' | 'resource'>> = Object.freeze({
  group: 'certificates.k8s.io',
  version: 'v1',
  resource: 'certificatesigningrequests',
});

export interface CsrCondition {
  type: string;
  status?: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

export interface CertificateSigningRequest extends KubeObject {
  spec: {
    /** The PEM request, base64-encoded. */
    request: string;
    signerName: string;
    usages?: string[];
    expirationSeconds?: number;
    username?: string;
    uid?: string;
    groups?: string[];
    extra?: Record<string, string[]>;
  };
  status?: { conditions?: CsrCondition[]; certificate?: string };
}

export type CsrState = 'pending' | 'approved' | 'denied' | 'failed';

/** Denied (or Failed) wins over Approved, as Kubernetes and OCM read it; a False condition does not count. */
export function csrState(csr: Pick<CertificateSigningRequest, 'status'>): CsrState {
  const conds = (csr.status?.conditions ?? []).filter((c) => c.status !== 'False');
  if (conds.some((c) => c.type === 'Denied')) return 'denied';
  if (conds.some((c) => c.type === 'Failed')) return 'failed';
  return conds.some((c) => c.type === 'Approved') ? 'approved' : 'pending';
}

/** Subject of the PEM request carried base64-encoded in spec.request; throws when it is not one. */
export function csrSubject(requestB64: string): { commonName: string | undefined; organizations: string[] } {
  const pem = Buffer.from(requestB64, 'base64').toString('utf8');
  // Only a CERTIFICATE REQUEST block is a PKCS#10 request.
  if (!/^-----BEGIN CERTIFICATE REQUEST-----/m.test(pem)) throw new Error('spec.request is not a PEM CERTIFICATE REQUEST');
  const { commonName, organizations } = readCertificateRequest(pem).subject;
  return { commonName, organizations };
}

/** The CSR as sent to /approval: the observed object plus an Approved condition (listed items may lack apiVersion/kind). */
export function withApproval(csr: CertificateSigningRequest, reason: string, message: string, now = new Date()): CertificateSigningRequest {
  return {
    ...csr,
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    status: {
      ...csr.status,
      conditions: [
        ...(csr.status?.conditions ?? []),
        { type: 'Approved', status: 'True', reason, message, lastUpdateTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z') },
      ],
    },
  };
}
