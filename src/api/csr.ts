/**
 * How join and accept read the agent CSRs of one cluster on the hub: who asked (the requester,
 * identified by the CN `system:open-cluster-management:<cluster>:<agent>`, since every spoke that
 * uses the same bootstrap token shares the same username), whether the requester is a bootstrap
 * identity, whether the subject is exactly an agent's, and the CSR's state. Pure; the CSR kind itself
 * (ref, shape, state, request subject) is Kubernetes' and lives in src/kube/certificates.ts.
 */
import { csrState, csrSubject, type CertificateSigningRequest, type CsrState } from '../kube/certificates.js';
import { IDENTITY, LABEL, RBAC, SIGNER } from './names.js';

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

/**
 * The subject must be exactly an agent's for `cluster`: CN system:open-cluster-management:<cluster>:<agent>,
 * O {system:open-cluster-management:<cluster>} plus optionally the all-clusters group, nothing else
 * (an extra organization such as system:masters would become a group of the issued identity).
 */
export function viewCsr(csr: CertificateSigningRequest, cluster: string): CsrView {
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
    subject = csrSubject(csr.spec?.request ?? '');
  } catch (err) {
    return { ...view, invalid: `unreadable request: ${(err as Error).message}` };
  }
  const prefix = `${IDENTITY.commonNamePrefix}${cluster}:`;
  const agent = subject.commonName?.startsWith(prefix) ? subject.commonName.slice(prefix.length) : '';
  if (!agent || agent.includes(':')) return { ...view, invalid: `common name ${subject.commonName ?? '<none>'} is not ${prefix}<agent>` };
  const orgs = new Set(subject.organizations);
  orgs.delete(IDENTITY.managedClustersGroup);
  if (orgs.size !== 1 || !orgs.has(IDENTITY.clusterGroup(cluster))) {
    return { ...view, commonName: subject.commonName, agent, invalid: `organizations [${subject.organizations.join(', ')}] are not the agent groups of ${cluster}` };
  }
  return { ...view, commonName: subject.commonName, agent };
}

/** A short description of a requester for messages: `agent x7k2p (system:serviceaccount:…)`. */
export function describeRequester(v: Pick<CsrView, 'agent' | 'username'>): string {
  return `agent ${v.agent ?? '?'} (${v.username || 'unknown user'})`;
}
