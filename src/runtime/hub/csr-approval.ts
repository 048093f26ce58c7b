/**
 * Automatic approval of renewal CSRs (ocm-protocol.md §2 "Automatic approval of renewal CSRs").
 * A CSR qualifies only when it is an agent's client-certificate request for the cluster named in
 * its label; it is approved only when the requester is that same agent (username == CN) and a
 * SubjectAccessReview shows the requester may `renew` clientcertificates, which only accepted
 * clusters' ClusterRoles grant. First-join CSRs come from bootstrap identities, never match the
 * CN, and are left to `ocmadm accept` or a human.
 */
import type { KubeObject } from '../../kube/client.js';
import { resourcePath } from '../../kube/resources.js';
import { CSRS, csrState, csrSubject, withApproval, type CertificateSigningRequest } from '../../kube/certificates.js';
import { GROUP, IDENTITY, LABEL, REASON, SIGNER } from '../../api/names.js';
import type { Reconciler, ReconcileResult } from '../core/types.js';
import type { HubDeps } from './deps.js';

export type Qualification = { ok: true; cluster: string; commonName: string } | { ok: false; why: string };

/** Approved or Denied (or Failed) already: nothing more to decide. */
export function isTerminal(csr: CertificateSigningRequest): boolean {
  return csrState(csr) !== 'pending';
}

/** The request's subject, or why it cannot be read (the refusal both kinds of agent CSR give). */
export function subjectOf(csr: CertificateSigningRequest): { subject: ReturnType<typeof csrSubject> } | { why: string } {
  try {
    return { subject: csrSubject(csr.spec.request) };
  } catch (err) {
    return { why: `unparsable request: ${(err as Error).message}` };
  }
}

/**
 * The shape rules: client signer, cluster-name label, O minus the managed-clusters group exactly
 * {system:open-cluster-management:<label>}, CN system:open-cluster-management:<label>:<agent>.
 */
export function qualifyRenewalCsr(csr: CertificateSigningRequest): Qualification {
  const cluster = csr.metadata?.labels?.[LABEL.clusterName];
  if (!cluster) return { ok: false, why: 'no cluster-name label' };
  if (csr.spec?.signerName !== SIGNER.kubeApiserverClient) return { ok: false, why: `signer ${csr.spec?.signerName}` };
  const parsed = subjectOf(csr);
  if ('why' in parsed) return { ok: false, why: parsed.why };
  const { subject } = parsed;
  const orgs = new Set(subject.organizations);
  orgs.delete(IDENTITY.managedClustersGroup);
  if (orgs.size !== 1 || !orgs.has(IDENTITY.clusterGroup(cluster))) {
    return { ok: false, why: `organizations ${subject.organizations.join(',')} do not name cluster ${cluster}` };
  }
  const cn = subject.commonName;
  if (!cn?.startsWith(IDENTITY.commonNamePrefix)) return { ok: false, why: `common name ${cn ?? '<none>'}` };
  const parts = cn.slice(IDENTITY.commonNamePrefix.length).split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1] || parts[0] !== cluster) {
    return { ok: false, why: `common name ${cn} is not ${IDENTITY.commonNamePrefix}${cluster}:<agent>` };
  }
  return { ok: true, cluster, commonName: cn };
}

/** The SubjectAccessReview asking whether the CSR's requester may renew agent certificates. */
export function renewalAccessReview(csr: CertificateSigningRequest): KubeObject {
  return {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: {
      user: csr.spec.username,
      uid: csr.spec.uid,
      groups: csr.spec.groups,
      extra: csr.spec.extra,
      resourceAttributes: {
        group: GROUP.register,
        resource: 'managedclusters',
        subresource: 'clientcertificates',
        verb: 'renew',
      },
    },
  };
}

/** The CSR as sent to /approval with the auto-approval reason. */
export function approvedCsr(
  csr: CertificateSigningRequest,
  now: Date,
  message = 'Auto approving Managed cluster agent certificate after SubjectAccessReview.',
): CertificateSigningRequest {
  return withApproval(csr, REASON.csr.autoApproved, message, now);
}

export class CsrApprovalReconciler implements Reconciler {
  readonly name = 'csr-approval';

  constructor(private readonly deps: HubDeps) {}

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const { client, log, informers, now } = this.deps;
    const csr = informers.csrs.get(name) as CertificateSigningRequest | undefined;
    if (!csr || isTerminal(csr)) return;
    const q = qualifyRenewalCsr(csr);
    if (!q.ok) return;
    // A renewal is filed by the agent's current certificate, whose user is the CN itself.
    if (csr.spec.username !== q.commonName) return;
    const review = await client.create<{ status?: { allowed?: boolean } }>(
      '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      renewalAccessReview(csr),
    );
    if (!review.status?.allowed) {
      log.debug('renewal CSR not approved: requester may not renew', { csr: name, cluster: q.cluster });
      return;
    }
    // The observed resourceVersion rides along: a CSR changed meanwhile gives 409 and a retry.
    await client.replace(resourcePath({ ...CSRS, name, subresource: 'approval' }), approvedCsr(csr, now()));
    log.info('approved renewal CSR', { csr: name, cluster: q.cluster, user: csr.spec.username });
  }
}
