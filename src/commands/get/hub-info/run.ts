/**
 * `ocmadm get hub-info`: the hub controller (local process or Deployment, found as `ocmadm
 * version` finds it), its version, replicas, pods (each with the version it runs) and health, the leader from its Lease, which hub CRDs
 * are present, and registration counts (clusters accepted, joined, available; CSRs pending).
 */
import type { KubeClient, KubeObject } from '../../../kube/client.js';
import { resourcePath } from '../../../kube/resources.js';
import { MANAGED_CLUSTERS, type ManagedCluster } from '../../../api/index.js';
import { COND, LABEL } from '../../../api/names.js';
import { CSRS, csrState, type CertificateSigningRequest } from '../../../kube/certificates.js';
import { hubCrdNames } from '../../../install/hub/crds.js';
import { conditionStatus } from '../../../ui/printer.js';
import { hubController, type HubControllerInfo } from '../../version/run.js';
import { runtimeVersions, type RuntimeVersion } from '../../version/runtimes.js';
import { VERSION } from '../../../version.js';

/** A leader that has not renewed for this long has stopped (the controller renews every few seconds). */
export const STALE_LEADER_SECONDS = 60;

export interface HubInfo {
  hub: string;
  kubernetes?: string;
  controller: HubControllerInfo & {
    /** The ocmadm version the controller runs: the bundle's for a Deployment, this CLI's for a local process. */
    version?: string;
    healthy: boolean;
    /** Why not healthy. */
    problem?: string;
    /** The Deployment's pods (cluster runtime): name, the version each runs, phase. */
    pods?: RuntimeVersion['pods'];
  };
  crds: { present: string[]; missing: string[] };
  registration: { clusters: number; accepted: number; joined: number; available: number; pendingCsrs: number };
}

export interface HubInfoDeps {
  hub: KubeClient;
  env: NodeJS.ProcessEnv;
  now?: number;
}

export function health(c: HubControllerInfo, now: number): string | undefined {
  if (c.runtime === 'none') return 'no hub controller found (no local process in this state directory, no Deployment)';
  if (c.runtime === 'local' && !c.local?.running) return `the local hub controller (pid ${c.local?.pid}) is not running; see ${c.local?.logFile}`;
  if (c.runtime === 'cluster' && (!c.deployment?.replicas || c.deployment.readyReplicas < c.deployment.replicas)) return `${c.deployment?.readyReplicas ?? 0}/${c.deployment?.replicas ?? 0} replicas ready`;
  if (!c.leader) return 'no replica holds the leader Lease';
  const renewed = c.leader.renewTime ? Date.parse(c.leader.renewTime) : NaN;
  if (!(now - renewed < STALE_LEADER_SECONDS * 1000)) return `the leader ${c.leader.holder} has not renewed its Lease for over ${STALE_LEADER_SECONDS} s`;
  return undefined;
}

export async function runHubInfo({ hub, env, now = Date.now() }: HubInfoDeps): Promise<HubInfo> {
  const [version, crdList, clusters, csrs, controller, runtimes] = await Promise.all([
    hub.get<{ gitVersion?: string }>('/version'),
    hub.listMetadata('/apis/apiextensions.k8s.io/v1/customresourcedefinitions'),
    hub.list<ManagedCluster>(resourcePath(MANAGED_CLUSTERS)).then((l) => l.items, () => [] as ManagedCluster[]),
    hub.list<CertificateSigningRequest>(resourcePath(CSRS), { labelSelector: `${LABEL.clusterName},!${LABEL.addonName}` }).then((l) => l.items),
    hubController(hub, hub.server, env),
    runtimeVersions(hub, 10_000),
  ]);
  const names = new Set(crdList.items.map((c) => c.metadata?.name));
  const expected = hubCrdNames();
  const problem = health(controller, now);
  const bundle = runtimes.find((r) => r.runtime === 'hub-controller');
  return {
    hub: hub.server,
    kubernetes: version.gitVersion,
    controller: {
      ...controller,
      version: controller.runtime === 'local' ? VERSION : bundle?.installed,
      healthy: !problem,
      ...(problem ? { problem } : {}),
      ...(controller.runtime === 'cluster' ? { pods: bundle?.pods ?? [] } : {}),
    },
    crds: { present: expected.filter((n) => names.has(n)), missing: expected.filter((n) => !names.has(n)) },
    registration: {
      clusters: clusters.length,
      accepted: clusters.filter((c) => c.spec?.hubAcceptsClient === true).length,
      joined: clusters.filter((c) => conditionStatus(c, COND.cluster.joined) === 'True').length,
      available: clusters.filter((c) => conditionStatus(c, COND.cluster.available) === 'True').length,
      pendingCsrs: csrs.filter((c) => csrState(c) === 'pending').length,
    },
  };
}
