/**
 * How join and accept read the agent CSRs of one cluster on the hub: who asked (the requester,
 * identified by the CN `system:open-cluster-management:<cluster>:<agent>`, since every spoke that
 * uses the same bootstrap token shares the same username), whether the requester is a bootstrap
 * identity, whether the subject is exactly an agent's, and the CSR's state. Pure; the PEM request is
 * parsed with @peculiar/x509.
 */
import 'reflect-metadata';
import { Pkcs10CertificateRequest } from '@peculiar/x509';
import type { KubeObject } from '../kube/client.js';
import { IDENTITY, LABEL, RBAC, SIGNER } from './names.js';

export const CSRS = { group: 'certificates.k8s.io', version: 'v1', resource: 'certificatesigningrequests' } as const;

export interface CsrCondition {
  type: string;
  status?: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
}

export interface Csr extends KubeObject {
  spec: { request: string; signerName: string; usages?: string[]; username?: string; groups?: string[]; uid?: string };
  status?: { conditions?: CsrCondition[]; certificate?: string };
}

export type CsrState = 'pending' | 'approved' | 'denied' | 'failed';

/** One CSR as accept sees it. */
export interface CsrView {
  name: string;
  created?: string;
  state: CsrState;
  username: string;
  /** `system:open-cluster-management:<cluster>:<agent>`, when the subject is an agent's. */
  commonName?: string;
  agent?: string;
  /** The requester is the bootstrap ServiceAccount or a bootstrap token of the managed-cluster group. */
  bootstrap: boolean;
  /** Why this CSR can never be a first-join CSR of the cluster (subject, signer, label); undefined when it can. */
  invalid?: string;
}

/** The bootstrap ServiceAccount with its namespace group, or a bootstrap token with OCM's token group. */
export function isBootstrapIdentity(username: string | undefined, groups: readonly string[] | undefined): boolean {
  const g = new Set(groups ?? []);
  if (username === IDENTITY.bootstrapSaUser) return g.has(IDENTITY.bootstrapSaGroup);
  if (username?.startsWith(IDENTITY.bootstrapTokenUserPrefix)) return g.has(RBAC.bootstrapTokenGroup);
  return false;
}

/** Denied or Failed wins over Approved. */
export function csrState(csr: Csr): CsrState {
  const conds = (csr.status?.conditions ?? []).filter((c) => c.status !== 'False');
  if (conds.some((c) => c.type === 'Denied')) return 'denied';
  if (conds.some((c) => c.type === 'Failed')) return 'failed';
  return conds.some((c) => c.type === 'Approved') ? 'approved' : 'pending';
}

function subjectOf(csr: Csr): { cn?: string; orgs: string[] } {
  const pem = Buffer.from(csr.spec?.request ?? '', 'base64').toString('utf8');
  if (!/^-----BEGIN CERTIFICATE REQUEST-----/m.test(pem)) throw new Error('spec.request is not a PEM certificate request');
  const req = new Pkcs10CertificateRequest(pem);
  const cns = req.subjectName.getField('CN');
  return { cn: cns.length === 1 ? cns[0] : undefined, orgs: req.subjectName.getField('O') };
}

/**
 * The subject must be exactly an agent's for `cluster`: CN system:open-cluster-management:<cluster>:<agent>,
 * O {system:open-cluster-management:<cluster>} plus optionally the all-clusters group, nothing else
 * (an extra organization such as system:masters would become a group of the issued identity).
 */
export function viewCsr(csr: Csr, cluster: string): CsrView {
  const view: CsrView = {
    name: csr.metadata?.name ?? '',
    created: csr.metadata?.creationTimestamp,
    state: csrState(csr),
    username: csr.spec?.username ?? '',
    bootstrap: isBootstrapIdentity(csr.spec?.username, csr.spec?.groups),
  };
  const labels = csr.metadata?.labels ?? {};
  if (labels[LABEL.clusterName] !== cluster) return { ...view, invalid: `label ${LABEL.clusterName} is not ${cluster}` };
  if (LABEL.addonName in labels) return { ...view, invalid: 'an add-on CSR' };
  if (csr.spec?.signerName !== SIGNER.kubeApiserverClient) return { ...view, invalid: `signer ${csr.spec?.signerName} is not ${SIGNER.kubeApiserverClient}` };
  let subject;
  try {
    subject = subjectOf(csr);
  } catch (err) {
    return { ...view, invalid: `unreadable request: ${(err as Error).message}` };
  }
  const prefix = `${IDENTITY.commonNamePrefix}${cluster}:`;
  const agent = subject.cn?.startsWith(prefix) ? subject.cn.slice(prefix.length) : '';
  if (!agent || agent.includes(':')) return { ...view, invalid: `common name ${subject.cn ?? '<none>'} is not ${prefix}<agent>` };
  const orgs = new Set(subject.orgs);
  orgs.delete(IDENTITY.managedClustersGroup);
  if (orgs.size !== 1 || !orgs.has(IDENTITY.clusterGroup(cluster))) {
    return { ...view, commonName: subject.cn, agent, invalid: `organizations [${subject.orgs.join(', ')}] are not the agent groups of ${cluster}` };
  }
  return { ...view, commonName: subject.cn, agent };
}

/** A short description of a requester for messages: `agent x7k2p (system:serviceaccount:…)`. */
export function describeRequester(v: Pick<CsrView, 'agent' | 'username'>): string {
  return `agent ${v.agent ?? '?'} (${v.username || 'unknown user'})`;
}

/** The CSR as sent to /approval: the observed object plus an Approved condition. */
export function withApproval(csr: Csr, reason: string, message: string, now = new Date()): Csr {
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
