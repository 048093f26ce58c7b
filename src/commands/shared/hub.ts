/**
 * Hub-side checks and waits shared by join, accept and unjoin: are the OCM APIs served, who am I,
 * may I do X, and the ManagedCluster's condition state.
 */
import type { KubeClient } from '../../kube/client.js';
import { CliError } from '../../cli/errors.js';
import { isNotFound, isUnauthorized } from '../../kube/errors.js';
import { resourcePath } from '../../kube/resources.js';
import { waitForObject } from '../../kube/wait.js';
import { MANAGED_CLUSTERS, type ManagedCluster } from '../../api/index.js';
import { COND, GROUP } from '../../api/names.js';

export interface UserInfo {
  username: string;
  groups: string[];
}

/** Fails with "run ocmadm init there" when the hub does not serve cluster.open-cluster-management.io/v1. */
export async function checkOcmApis(hub: KubeClient): Promise<void> {
  try {
    const list = await hub.get<{ resources?: { name: string }[] }>(`/apis/${GROUP.cluster}/v1`);
    if (!list.resources?.some((r) => r.name === 'managedclusters')) throw new CliError(notInstalled(hub));
  } catch (err) {
    if (isNotFound(err)) throw new CliError(notInstalled(hub));
    throw err;
  }
}

const notInstalled = (hub: KubeClient) =>
  `the OCM APIs (${GROUP.cluster}/v1 managedclusters) are not installed on the hub ${hub.server}: run \`ocmadm init\` there first`;

/** Who the server says this client is (SelfSubjectReview; any authenticated user may ask). */
export async function whoAmI(client: KubeClient): Promise<UserInfo | undefined> {
  try {
    const r = await client.create<{ status?: { userInfo?: { username?: string; groups?: string[] } } }>(
      '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    );
    const u = r.status?.userInfo;
    return u?.username ? { username: u.username, groups: u.groups ?? [] } : undefined;
  } catch (err) {
    if (isUnauthorized(err)) throw err;
    return undefined; // an old server without SelfSubjectReview: identity unknown, not fatal
  }
}

export interface AccessCheck {
  group: string;
  resource: string;
  verb: string;
  subresource?: string;
  name?: string;
  namespace?: string;
  /** What the permission is for, in words. */
  what: string;
}

/** The checks that the client may NOT do (SelfSubjectAccessReview each). */
export async function missingPermissions(client: KubeClient, checks: AccessCheck[]): Promise<AccessCheck[]> {
  const results = await Promise.all(
    checks.map(async (c) => {
      const r = await client.create<{ status?: { allowed?: boolean } }>('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { group: c.group, resource: c.resource, verb: c.verb, subresource: c.subresource, name: c.name, namespace: c.namespace } },
      });
      return r.status?.allowed ? undefined : c;
    }),
  );
  return results.filter((c): c is AccessCheck => !!c);
}

export async function getManagedCluster(hub: KubeClient, name: string): Promise<ManagedCluster | undefined> {
  try {
    return await hub.get<ManagedCluster>(resourcePath({ ...MANAGED_CLUSTERS, name }));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export function conditionStatus(mc: ManagedCluster | undefined, type: string): string | undefined {
  return mc?.status?.conditions?.find((c) => c.type === type)?.status;
}

export const isJoinedAndAvailable = (mc: ManagedCluster | undefined): boolean =>
  conditionStatus(mc, COND.cluster.joined) === 'True' && conditionStatus(mc, COND.cluster.available) === 'True';

/** "HubAccepted=True, Joined=True, Available=Unknown" for messages. */
export function describeClusterState(mc: ManagedCluster | undefined): string {
  if (!mc) return 'the ManagedCluster is gone';
  const s = (t: string) => conditionStatus(mc, t) ?? 'missing';
  return `HubAccepted=${s(COND.cluster.hubAccepted)}, Joined=${s(COND.cluster.joined)}, Available=${s(COND.cluster.available)}`;
}

/** Watches the ManagedCluster until Joined and Available; returns it, or throws CliError on timeout. */
export async function waitJoinedAvailable(hub: KubeClient, cluster: string, deadline: number, signal?: AbortSignal): Promise<ManagedCluster> {
  let last: ManagedCluster | undefined;
  try {
    const mc = await waitForObject<ManagedCluster>(
      hub,
      { ...MANAGED_CLUSTERS, name: cluster },
      (o) => {
        last = o;
        return isJoinedAndAvailable(o);
      },
      { deadline, signal, what: `cluster ${cluster} to become Joined and Available` },
    );
    return mc!;
  } catch (err) {
    if (err instanceof CliError && err.exitCode === 1) throw new CliError(`${err.message} (now: ${describeClusterState(last)})`);
    throw err;
  }
}
