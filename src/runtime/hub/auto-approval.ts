/**
 * Auto-approval (OCM's ManagedClusterAutoApproval, off unless `init --auto-approve` lists
 * identities): a first-join CSR filed by a listed bootstrap identity for an agent of the cluster
 * in its label is approved, and that cluster is accepted once, marked with OCM's
 * `automatically-accepted-on` annotation so that a later deny by an admin stands. Clusters whose
 * CSRs come from anyone else still need `ocmadm accept`. Keyed by cluster name.
 */
import type { ManagedCluster } from '../../api/index.js';
import { MANAGED_CLUSTERS } from '../../api/index.js';
import { ANNOTATION, LABEL } from '../../api/names.js';
import { resourcePath } from '../../kube/resources.js';
import type { Reconciler } from '../core/types.js';
import { CSRS, type CertificateSigningRequest } from '../../kube/certificates.js';
import { approvedCsr, isTerminal, qualifyRenewalCsr } from './csr-approval.js';
import type { HubDeps } from './deps.js';

export interface AutoApprovalPlan {
  /** Pending CSRs to approve. */
  approve: CertificateSigningRequest[];
  /** Set hubAcceptsClient (and the annotation) on the cluster. */
  accept: boolean;
}

const denied = (csr: CertificateSigningRequest) => (csr.status?.conditions ?? []).some((c) => c.type === 'Denied' && c.status !== 'False');

/** Pure: what to do for `cluster` given its CSRs, its ManagedCluster (if any) and the listed users. */
export function planAutoApproval(
  cluster: string,
  csrs: CertificateSigningRequest[],
  mc: ManagedCluster | undefined,
  users: ReadonlySet<string>,
): AutoApprovalPlan {
  const listed = csrs.filter((csr) => {
    const q = qualifyRenewalCsr(csr);
    // A renewal is filed by the agent itself (username == CN); those are the other reconciler's.
    return q.ok && q.cluster === cluster && !!csr.spec.username && users.has(csr.spec.username) && csr.spec.username !== q.commonName && !denied(csr);
  });
  const approve = listed.filter((csr) => !isTerminal(csr));
  const accept = listed.length > 0 && !!mc && !mc.metadata?.deletionTimestamp && mc.metadata?.annotations?.[ANNOTATION.autoAccepted] === undefined;
  return { approve, accept };
}

export class AutoApprovalReconciler implements Reconciler {
  readonly name = 'auto-approval';

  constructor(
    private readonly deps: HubDeps,
    private readonly users: ReadonlySet<string>,
  ) {}

  async reconcile(cluster: string): Promise<void> {
    const { client, log, informers, now } = this.deps;
    const csrs = informers.csrs.list((o) => o.metadata?.labels?.[LABEL.clusterName] === cluster) as CertificateSigningRequest[];
    const mc = informers.clusters.get(cluster);
    const plan = planAutoApproval(cluster, csrs, mc, this.users);
    for (const csr of plan.approve) {
      const name = csr.metadata!.name!;
      const message = `Auto approving the first certificate of cluster ${cluster}: requested by ${csr.spec.username}, an identity listed for auto-approval.`;
      await client.replace(resourcePath({ ...CSRS, name, subresource: 'approval' }), approvedCsr(csr, now(), message));
      log.info('auto-approved join CSR', { csr: name, cluster, user: csr.spec.username });
    }
    if (!plan.accept || !mc) return;
    // The observed resourceVersion makes a concurrent change (say, an admin's deny) a 409 and a retry.
    const at = now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    await client.patch(
      resourcePath({ ...MANAGED_CLUSTERS, name: cluster }),
      {
        metadata: { resourceVersion: mc.metadata!.resourceVersion, annotations: { [ANNOTATION.autoAccepted]: at } },
        ...(mc.spec?.hubAcceptsClient ? {} : { spec: { hubAcceptsClient: true } }),
      },
      'merge',
    );
    log.info('auto-accepted cluster', { cluster });
  }
}
