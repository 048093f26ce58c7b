/**
 * `ocmadm get klusterlet-info` (on the spoke): the klusterlet runtime (Deployment or local
 * process, found as join and unjoin find it), its version and health, the cluster name, the hub,
 * and the registration: the bootstrap credential (does the hub still take it, when does it
 * expire), the hub credential (its certificate's expiry) and, asked with that credential, whether
 * the hub has accepted the cluster and sees it Joined and Available.
 */
import type { KubeClient, KubeObject } from '../../../kube/client.js';
import { KubeClient as Client } from '../../../kube/client.js';
import { describeError, isUnauthorized } from '../../../kube/errors.js';
import { resourcePath } from '../../../kube/resources.js';
import { MANAGED_CLUSTERS, type ManagedCluster } from '../../../api/index.js';
import { COND, HUB_KUBECONFIG_KEYS } from '../../../api/names.js';
import { inspectSpoke } from '../../../install/klusterlet/spoke-state.js';
import { clusterOfInstance } from '../../../install/klusterlet/klusterlet.js';
import { bootstrapKubeConfig, currentHubCluster, hubKubeConfig } from '../../../runtime/klusterlet/hub-kubeconfig.js';
import { parseCertificate } from '../../../runtime/klusterlet/csr.js';
import { conditionStatus } from '../../../ui/printer.js';
import { whoAmI } from '../../shared/hub.js';
import { runtimeVersions, type RuntimeVersion } from '../../version/runtimes.js';
import { VERSION } from '../../../version.js';

export interface Credential {
  present: boolean;
  /** The hub answered with this credential (401 → false; unreachable → undefined with `error`). */
  accepted?: boolean;
  expires?: string;
  expired?: boolean;
  error?: string;
}

export interface KlusterletInfo {
  spoke: string;
  runtime: 'cluster' | 'local' | 'none';
  deployment?: { image?: string; replicas: number; readyReplicas: number };
  /** The Deployment's pods (cluster runtime): name, the version each runs, phase. */
  pods?: RuntimeVersion['pods'];
  local?: { pid?: number; running: boolean; logFile: string };
  version?: string;
  healthy: boolean;
  problem?: string;
  clusterName?: string;
  hub?: string;
  bootstrap: Credential;
  hubCredential: Credential;
  /** As the hub sees the cluster (asked with the hub credential). */
  accepted?: boolean;
  joined?: string;
  available?: string;
}

const PROBE_MS = 5_000;
const unb64 = (s: string | undefined) => (s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8'));

/** The `exp` of a JWT bearer token (ServiceAccount tokens), or undefined (bootstrap tokens carry none). */
export function tokenExpiry(token: string | undefined): Date | undefined {
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: number }).exp;
    return typeof exp === 'number' ? new Date(exp * 1000) : undefined;
  } catch {
    return undefined;
  }
}

async function probe<T>(make: () => Promise<KubeClient>, ask: (c: KubeClient) => Promise<T>): Promise<{ value?: T; accepted?: boolean; error?: string }> {
  let client: KubeClient | undefined;
  try {
    client = await make();
    return { value: await ask(client), accepted: true };
  } catch (err) {
    if (isUnauthorized(err)) return { accepted: false, error: 'the hub refused it (401)' };
    return { error: describeError(err) };
  } finally {
    await client?.close();
  }
}

export async function runKlusterletInfo({ spoke, env, now = Date.now() }: { spoke: KubeClient; env: NodeJS.ProcessEnv; now?: number }): Promise<KlusterletInfo> {
  const state = await inspectSpoke(spoke, env);
  const info: KlusterletInfo = { spoke: spoke.server, runtime: 'none', healthy: false, bootstrap: { present: !!state.bootstrapSecret }, hubCredential: { present: !!state.hubSecret } };
  const local = state.localRuntimes[0];
  if (state.deployment) {
    const d = state.deployment as KubeObject & { spec?: { replicas?: number; template?: { spec?: { containers?: { image?: string }[] } } }; status?: { readyReplicas?: number } };
    info.runtime = 'cluster';
    info.deployment = { image: d.spec?.template?.spec?.containers?.[0]?.image, replicas: d.spec?.replicas ?? 0, readyReplicas: d.status?.readyReplicas ?? 0 };
    const runtime = (await runtimeVersions(spoke, PROBE_MS)).find((r) => r.runtime === 'klusterlet');
    info.version = runtime?.installed;
    info.pods = runtime?.pods ?? [];
    info.problem = info.deployment.replicas && info.deployment.readyReplicas >= info.deployment.replicas ? undefined : `${info.deployment.readyReplicas}/${info.deployment.replicas} replicas ready`;
  } else if (local) {
    info.runtime = 'local';
    info.local = { pid: local.pid, running: local.running, logFile: local.logFile };
    info.version = VERSION;
    info.problem = local.running ? undefined : `the local klusterlet (pid ${local.pid}) is not running; see ${local.logFile}`;
  } else info.problem = 'no klusterlet on this cluster (no Deployment, no local process for it): run ocmadm join';
  info.healthy = !info.problem;
  info.clusterName = state.hubSecretCluster ?? state.deploymentCluster ?? (local ? clusterOfInstance(local.instance) : undefined);
  info.hub = state.bootstrapHub;

  const bootstrapText = unb64(state.bootstrapSecret?.data?.kubeconfig);
  if (bootstrapText) {
    const kc = bootstrapKubeConfig(bootstrapText);
    const exp = tokenExpiry(kc.getCurrentUser()?.token);
    const p = await probe(() => Client.create(kc, 'ocmadm'), (c) => whoAmI(c));
    info.bootstrap = { present: true, accepted: p.accepted, ...(exp ? { expires: exp.toISOString(), expired: exp.getTime() <= now } : {}), ...(p.error ? { error: p.error } : {}) };
  }

  const data = state.hubSecret?.data;
  const kubeconfig = unb64(data?.[HUB_KUBECONFIG_KEYS.kubeconfig]);
  const certPem = unb64(data?.[HUB_KUBECONFIG_KEYS.cert]);
  const keyPem = unb64(data?.[HUB_KUBECONFIG_KEYS.key]);
  if (kubeconfig && certPem && keyPem) {
    const hub = currentHubCluster(kubeconfig, 'the hub kubeconfig secret');
    info.hub ??= hub.server;
    const notAfter = parseCertificate(certPem).notAfter;
    const name = info.clusterName;
    const p = await probe(
      () => Client.create(hubKubeConfig(hub, { certPem, keyPem }), 'ocmadm'),
      async (c) => (name ? c.get<ManagedCluster>(resourcePath({ ...MANAGED_CLUSTERS, name })) : undefined),
    );
    info.hubCredential = { present: true, accepted: p.accepted, expires: notAfter.toISOString(), expired: notAfter.getTime() <= now, ...(p.error ? { error: p.error } : {}) };
    if (p.value) {
      info.accepted = p.value.spec?.hubAcceptsClient === true;
      info.joined = conditionStatus(p.value, COND.cluster.joined);
      info.available = conditionStatus(p.value, COND.cluster.available);
    }
  } else if (state.hubSecret) info.hubCredential = { present: true, error: 'the secret lacks kubeconfig, tls.crt or tls.key (still bootstrapping?)' };
  return info;
}
