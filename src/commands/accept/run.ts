/**
 * accept: check the hub and our permissions first, plan every cluster (nothing written yet), then
 * for each accepted plan approve its CSRs through /approval and set hubAcceptsClient, and with
 * --wait watch until Joined and Available. One result per cluster; success is only reported for
 * what really happened.
 */
import type { KubeClient } from '../../kube/client.js';
import { CliError } from '../../cli/errors.js';
import { describeError, isConflict, isForbidden, isUnauthorized, isUnreachable } from '../../kube/errors.js';
import { resourcePath } from '../../kube/resources.js';
import { MANAGED_CLUSTERS, type ManagedCluster } from '../../api/index.js';
import { GROUP, IDENTITY, LABEL, REASON, SIGNER } from '../../api/names.js';
import { CSRS, csrState, withApproval, type CertificateSigningRequest } from '../../kube/certificates.js';
import { isBootstrapIdentity, type CsrView } from '../../api/csr.js';
import { checkOcmApis, getManagedCluster, missingPermissions, waitJoinedAvailable, whoAmI, type AccessCheck } from '../shared/hub.js';
import type { Progress } from '../../ui/progress.js';
import type { AcceptOptions } from './options.js';
import { planAccept, type Plan } from './plan.js';
import { forEachLimit } from '../../runtime/core/limit.js';

export type Outcome = 'accepted' | 'would-accept' | 'already-accepted' | 'not-accepted';

export interface ClusterResult {
  cluster: string;
  outcome: Outcome;
  /** Why not (no-such-cluster, no-pending-csr, competing-requesters, ...), when not accepted. */
  reason?: string;
  message: string;
  approvedCsrs: string[];
  requester?: string;
  /** With --wait: Joined and Available were reached, and how long after accept. */
  available?: boolean;
  availableAfterSeconds?: number;
}

export interface AcceptResult {
  clusters: ClusterResult[];
}

export interface AcceptDeps {
  hub: KubeClient;
  progress: Progress;
  deadline: number;
  signal?: AbortSignal;
}

const ACCEPT_PERMISSIONS: AccessCheck[] = [
  { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', subresource: 'approval', verb: 'update', what: 'approve CSRs' },
  { group: 'certificates.k8s.io', resource: 'signers', verb: 'approve', name: SIGNER.kubeApiserverClient, what: `approve for signer ${SIGNER.kubeApiserverClient}` },
  { group: GROUP.cluster, resource: 'managedclusters', verb: 'patch', what: 'patch ManagedClusters' },
  // What OCM's webhook (and init's admission policy) require for setting hubAcceptsClient.
  { group: GROUP.register, resource: 'managedclusters', subresource: 'accept', verb: 'update', what: 'accept clusters (managedclusters/accept)' },
];

/** The hub serves OCM, and we are a hub administrator (never an agent or bootstrap identity). */
export async function checkHub(hub: KubeClient): Promise<void> {
  try {
    await checkOcmApis(hub);
  } catch (err) {
    if (isUnauthorized(err)) throw new CliError(`the hub ${hub.server} rejected these credentials (401): check --kubeconfig/--context`);
    if (isUnreachable(err)) throw new CliError(`cannot reach the hub: ${describeError(err)}`);
    throw err;
  }
  const me = await whoAmI(hub);
  const agentGroup = me?.groups.find((g) => g === IDENTITY.managedClustersGroup);
  if (me && (agentGroup || isBootstrapIdentity(me.username, me.groups))) {
    const kind = agentGroup ? 'a managed cluster agent' : 'the bootstrap identity';
    throw new CliError(`${me.username} is ${kind}: a cluster can never accept itself; run accept on the hub with an administrator's kubeconfig`);
  }
  const missing = await missingPermissions(hub, ACCEPT_PERMISSIONS);
  if (missing.length > 0) {
    throw new CliError(
      `${me?.username ?? 'this identity'} may not ${missing.map((m) => m.what).join(', ')} on the hub: accept needs a hub administrator's kubeconfig`,
    );
  }
}

export async function listClusterCsrs(hub: KubeClient, cluster?: string): Promise<CertificateSigningRequest[]> {
  const labelSelector = cluster ? `${LABEL.clusterName}=${cluster},!${LABEL.addonName}` : `${LABEL.clusterName},!${LABEL.addonName}`;
  return (await hub.list<CertificateSigningRequest>(resourcePath(CSRS), { labelSelector })).items;
}

/** Above this many clusters, accept reads every ManagedCluster and cluster CSR in two lists. */
export const LIST_ALL_ABOVE = 8;

/**
 * The plan of every cluster, and the CSRs read for them by name (approve() writes from these).
 * A few clusters: a GET and a labelled CSR list each. Many: one list of ManagedClusters and one of
 * cluster CSRs; each labelled list makes the API server filter every CSR, so per cluster that is
 * quadratic (1,000 clusters: 2,000 requests and a million CSRs filtered, against 2 and 1,000).
 */
export async function planClusters(hub: KubeClient, opts: AcceptOptions): Promise<{ plans: Plan[]; csrs: Map<string, CertificateSigningRequest> }> {
  const byName = new Map<string, CertificateSigningRequest>();
  if (opts.clusters.length <= LIST_ALL_ABOVE) {
    const plans = await Promise.all(
      opts.clusters.map(async (cluster) => {
        const [mc, csrs] = await Promise.all([getManagedCluster(hub, cluster), listClusterCsrs(hub, cluster)]);
        csrs.forEach((c) => byName.set(c.metadata!.name!, c));
        return planAccept({ cluster, mc, csrs, skipApproveCheck: opts.skipApproveCheck, requesters: opts.requesters });
      }),
    );
    return { plans, csrs: byName };
  }
  const [mcs, all] = await Promise.all([hub.list<ManagedCluster>(resourcePath(MANAGED_CLUSTERS)), listClusterCsrs(hub)]);
  const mcByName = new Map(mcs.items.map((m) => [m.metadata.name!, m]));
  const csrsOf = new Map<string, CertificateSigningRequest[]>();
  for (const c of all) {
    byName.set(c.metadata!.name!, c);
    const cluster = c.metadata?.labels?.[LABEL.clusterName] ?? '';
    csrsOf.set(cluster, [...(csrsOf.get(cluster) ?? []), c]);
  }
  const plans = opts.clusters.map((cluster) =>
    planAccept({ cluster, mc: mcByName.get(cluster), csrs: csrsOf.get(cluster) ?? [], skipApproveCheck: opts.skipApproveCheck, requesters: opts.requesters }),
  );
  return { plans, csrs: byName };
}

/**
 * PUT /approval with an Approved condition, first on the CSR as planning read it; a conflict
 * re-reads the CSR (someone may have approved it meanwhile).
 */
async function approve(hub: KubeClient, name: string, dryRun: boolean, read?: CertificateSigningRequest): Promise<'approved' | 'was-approved'> {
  const path = resourcePath({ ...CSRS, name });
  for (let attempt = 0; ; attempt++) {
    const csr = attempt === 0 && read ? read : await hub.get<CertificateSigningRequest>(path);
    const state = csrState(csr);
    if (state === 'approved') return 'was-approved';
    if (state !== 'pending') throw new CliError(`CSR ${name} is ${state} now`);
    const body = withApproval(csr, REASON.csr.ocmadmApproved, 'Approved by ocmadm accept');
    try {
      await hub.replace(`${path}/approval`, body, dryRun ? { dryRun: 'All' } : undefined);
      return 'approved';
    } catch (err) {
      if (!isConflict(err) || attempt >= 4) throw err;
    }
  }
}

function permissionHint(err: unknown): string {
  return isForbidden(err) ? ' (forbidden: run accept with a hub administrator kubeconfig)' : '';
}

/** Carries out one plan; with dryRun every write goes to the hub as a dry run (checked, not stored). */
async function execute(
  hub: KubeClient,
  plan: Extract<Plan, { kind: 'accept' }>,
  progress: Progress,
  dryRun: boolean,
  read: Map<string, CertificateSigningRequest>,
): Promise<ClusterResult> {
  const approved: string[] = [];
  const who = plan.requester ? ` from ${plan.requester}` : '';
  for (const csr of plan.approve) {
    try {
      progress.start(`approving CSR ${csr.name} of ${plan.cluster}`);
      await approve(hub, csr.name, dryRun, read.get(csr.name));
      approved.push(csr.name);
    } catch (err) {
      progress.stop();
      const before = approved.length ? `approved ${approved.join(', ')}, but ` : '';
      return fail(plan.cluster, 'approval-failed', `${before}approving CSR ${csr.name} failed: ${describeError(err)}${permissionHint(err)}`, approved);
    }
  }
  if (plan.patch) {
    try {
      progress.start(`setting hubAcceptsClient on ${plan.cluster}`);
      await hub.patch(resourcePath({ ...MANAGED_CLUSTERS, name: plan.cluster }), { spec: { hubAcceptsClient: true } }, 'merge', dryRun ? { dryRun: 'All' } : undefined);
    } catch (err) {
      progress.stop();
      const did = approved.length ? `approved CSR ${approved.join(', ')}, but ` : '';
      return fail(plan.cluster, 'patch-failed', `${did}setting hubAcceptsClient on ${plan.cluster} failed: ${describeError(err)}${permissionHint(err)}; re-run accept to finish`, approved);
    }
  }
  progress.stop();
  const names = (views: CsrView[]) => views.map((v) => v.name).join(', ');
  const bits: string[] = [];
  if (plan.approve.length) bits.push(`approved CSR ${names(plan.approve)}`);
  if (plan.alreadyApproved.length) bits.push(`CSR ${names(plan.alreadyApproved)} was already approved`);
  const detail = bits.join('; ');
  const message = plan.patch ? `${detail || 'accepted'}${who}` : `already accepted; ${detail}${who} (a restarted or re-joined agent)`;
  if (dryRun) return { cluster: plan.cluster, outcome: 'would-accept', message: `dry run, nothing written: would have ${message}`, approvedCsrs: [], requester: plan.requester };
  return { cluster: plan.cluster, outcome: 'accepted', message, approvedCsrs: approved, requester: plan.requester };
}

function fail(cluster: string, reason: string, message: string, approvedCsrs: string[] = []): ClusterResult {
  return { cluster, outcome: 'not-accepted', reason, message, approvedCsrs };
}

// Each accept is two requests (approve the CSR, patch hubAcceptsClient); the client pools 64
// connections, and the API server admits 200 mutating requests at once by default.
const ACCEPT_CONCURRENCY = 32;

/** Plans every cluster, then carries out the accepted plans, then (--wait) waits for them all. */
export async function runAccept(opts: AcceptOptions, deps: AcceptDeps): Promise<AcceptResult> {
  const { hub, progress } = deps;
  progress.start('checking the hub');
  await checkHub(hub);
  progress.start(`reading ${opts.clusters.join(', ')}`);
  const { plans, csrs } = await planClusters(hub, opts);
  progress.stop();
  const results: ClusterResult[] = new Array(plans.length);
  const acceptedAt = new Map<string, number>();
  // Clusters are independent: accept them several at a time (100 clusters one by one took 16 s).
  await forEachLimit(plans.map((plan, i) => ({ plan, i })), ACCEPT_CONCURRENCY, async ({ plan, i }) => {
    if (plan.kind === 'refuse') results[i] = fail(plan.cluster, plan.reason, plan.message);
    else if (plan.kind === 'already-accepted') {
      results[i] = { cluster: plan.cluster, outcome: 'already-accepted', message: `already accepted${plan.note ? `; ${plan.note}` : ''}`, approvedCsrs: [] };
      acceptedAt.set(plan.cluster, Date.now());
    } else {
      const r = await execute(hub, plan, progress, opts.dryRun, csrs);
      results[i] = r;
      if (r.outcome === 'accepted') acceptedAt.set(plan.cluster, Date.now());
    }
  });
  if (opts.wait) {
    const waiting = results.filter((r) => acceptedAt.has(r.cluster));
    if (waiting.length) progress.start(`waiting for ${waiting.map((r) => r.cluster).join(', ')} to become Joined and Available`);
    await Promise.all(
      waiting.map(async (r) => {
        try {
          await waitJoinedAvailable(hub, r.cluster, deps.deadline, deps.signal);
          r.available = true;
          r.availableAfterSeconds = Math.round((Date.now() - acceptedAt.get(r.cluster)!) / 100) / 10;
          r.message += `; Joined and Available${r.outcome === 'accepted' ? ` ${r.availableAfterSeconds} s after accept` : ''}`;
        } catch (err) {
          if (!(err instanceof CliError) || err.exitCode !== 1) throw err;
          r.available = false;
          r.reason = 'not-available';
          r.message += `; but not Joined and Available: ${err.message}`;
        }
      }),
    );
    progress.stop();
  }
  return { clusters: results };
}

/** Exit code: 0 only when every cluster is accepted (and, with --wait, Available). */
export function acceptExitCode(result: AcceptResult): number {
  return failedClusters(result).length === 0 ? 0 : 1;
}

const failedClusters = (result: AcceptResult) => result.clusters.filter((r) => r.outcome === 'not-accepted' || r.available === false);

/** The error line of a run that left clusters not accepted or not available: for one cluster, its reason. */
export function acceptFailure(result: AcceptResult): string {
  const failed = failedClusters(result);
  if (failed.length === 1) return `${failed[0]!.cluster}: ${failed[0]!.message}`;
  return `${failed.length} clusters not accepted or not available: ${failed.map((r) => r.cluster).join(', ')}; the result above says why for each`;
}
