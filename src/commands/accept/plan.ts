/**
 * What accept does for one cluster, decided before anything is written: from the ManagedCluster
 * (or its absence) and the cluster's CSRs, either approve these CSRs and set hubAcceptsClient, or
 * report that it is already accepted, or refuse with the reason. Pure, so every rule is unit-tested.
 */
import type { ManagedCluster } from '../../api/index.js';
import type { CertificateSigningRequest } from '../../kube/certificates.js';
import { describeRequester, viewCsr, type CsrView } from '../../api/csr.js';

export interface PlanInput {
  cluster: string;
  mc: ManagedCluster | undefined;
  csrs: CertificateSigningRequest[];
  skipApproveCheck: boolean;
  /** --requesters: CNs, agent IDs or usernames; empty means any single requester. */
  requesters: string[];
}

export type Plan =
  | { kind: 'accept'; cluster: string; approve: CsrView[]; requester?: string; alreadyApproved: CsrView[]; patch: boolean }
  | { kind: 'already-accepted'; cluster: string; note?: string }
  | { kind: 'refuse'; cluster: string; reason: 'no-such-cluster' | 'no-pending-csr' | 'competing-requesters' | 'requester-mismatch' | 'denied'; message: string };

const matchesRequester = (v: CsrView, wanted: string[]) =>
  wanted.some((w) => w === v.commonName || w === v.agent || w === v.username);

/** The distinct requesters (by CN) of `views`, each described once. */
function requesters(views: CsrView[]): string[] {
  const seen = new Map<string, string>();
  for (const v of views) if (v.commonName && !seen.has(v.commonName)) seen.set(v.commonName, describeRequester(v));
  return [...seen.values()];
}

export function planAccept(input: PlanInput): Plan {
  const { cluster, mc } = input;
  if (!mc) {
    return {
      kind: 'refuse',
      cluster,
      reason: 'no-such-cluster',
      message: `no ManagedCluster ${cluster} on this hub: run \`ocmadm join --cluster-name ${cluster}\` on the spoke first (its --wait shows when the cluster has registered)`,
    };
  }
  const accepted = mc.spec?.hubAcceptsClient === true;
  const views = input.csrs.map((c) => viewCsr(c, cluster));
  const valid = views.filter((v) => !v.invalid);
  const fromAllowed = input.skipApproveCheck ? valid : valid.filter((v) => v.bootstrap);
  const ignored = views.filter((v) => !fromAllowed.includes(v) && v.state === 'pending');
  let pending = fromAllowed.filter((v) => v.state === 'pending');
  const approved = fromAllowed.filter((v) => v.state === 'approved');

  if (input.requesters.length > 0 && pending.length > 0) {
    const chosen = pending.filter((v) => matchesRequester(v, input.requesters));
    if (chosen.length === 0) {
      return {
        kind: 'refuse',
        cluster,
        reason: 'requester-mismatch',
        message: `pending CSRs of ${cluster} come from ${requesters(pending).join(', ')}; none matches --requesters ${input.requesters.join(',')}`,
      };
    }
    pending = chosen;
  }
  const who = requesters(pending);
  if (who.length > 1) {
    return {
      kind: 'refuse',
      cluster,
      reason: 'competing-requesters',
      message: `${who.length} agents compete for the name ${cluster}: ${who.join(', ')}; pick one with --requesters <agent>, after checking which spoke is the real ${cluster}`,
    };
  }
  if (pending.length > 0) {
    return { kind: 'accept', cluster, approve: pending, requester: who[0], alreadyApproved: [], patch: !accepted };
  }
  if (accepted) {
    return { kind: 'already-accepted', cluster, note: ignored.length > 0 ? ignoredNote(ignored) : undefined };
  }
  if (approved.length > 0) {
    // Approved by an earlier accept whose hubAcceptsClient patch failed, or by a human: finish the job.
    return { kind: 'accept', cluster, approve: [], requester: requesters(approved)[0], alreadyApproved: approved, patch: true };
  }
  const denied = fromAllowed.filter((v) => v.state === 'denied');
  if (denied.length > 0 && ignored.length === 0) {
    return { kind: 'refuse', cluster, reason: 'denied', message: `the CSR of ${cluster} (${denied.map((d) => d.name).join(', ')}) was denied; restart the agent on the spoke (re-run join) to file a new one` };
  }
  const hint = ignored.length > 0 ? `; ${ignoredNote(ignored)}` : '; is the agent running on the spoke? (`ocmadm join --wait` shows the pending CSR)';
  return { kind: 'refuse', cluster, reason: 'no-pending-csr', message: `no pending CSR from a bootstrap identity for ${cluster}${hint}` };
}

function ignoredNote(ignored: CsrView[]): string {
  const parts = ignored.map((v) => {
    if (v.invalid) return `${v.name} (${v.invalid})`;
    return `${v.name} (requester ${v.username || 'unknown'} is not a bootstrap identity; --skip-approve-check accepts it)`;
  });
  return `ignored: ${parts.join(', ')}`;
}
