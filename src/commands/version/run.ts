/**
 * `ocmadm version`: this CLI, its Node, the default runtime image, and, when a kubeconfig is
 * given or found, what the cluster is: its Kubernetes version, whether it is an OCM hub and what
 * runs its hub controller. A cluster that does not answer within a few seconds is reported,
 * never an error: version must work anywhere.
 */
import type { CommandContext } from '../../cli/context.js';
import type { KubeClient, KubeObject } from '../../kube/client.js';
import type { Lease } from '../../kube/core.js';
import { describeError, isForbidden, isNotFound, isUnreachable } from '../../kube/errors.js';
import { resourcePath } from '../../kube/resources.js';
import { DEFAULT_IMAGE, OCM_OPERATOR } from '../../install/hub/constants.js';
import { hubCrdNames } from '../../install/hub/crds.js';
import { DEPLOYMENT_PATH, LEASE_REF, localHubController } from '../../install/hub/runtime.js';
import type { LocalRuntimeInfo } from '../../runtime/host/index.js';
import { VERSION } from '../../version.js';
import { runtimeVersions, versionWarnings, type RuntimeVersion } from './runtimes.js';
import { readRecord, sandboxDir, sandboxEnv, sandboxNames } from '../sandbox/state.js';

/** Per request: a version check must not hang on a black-holed address. */
export const PROBE_TIMEOUT_MS = 3_000;

export interface HubControllerInfo {
  /** local: a process on this machine; cluster: the Deployment; none: neither found. */
  runtime: 'local' | 'cluster' | 'none';
  local?: { pid?: number; running: boolean; logFile: string; sandbox?: string };
  deployment?: { image: string; replicas: number; readyReplicas: number };
  /** Who holds the leader Lease, and when it last renewed it. */
  leader?: { holder: string; renewTime?: string };
}

export interface ClusterInfo {
  context: string;
  server: string;
  reachable: boolean;
  /** Why not reachable, or what could not be read. */
  error?: string;
  kubernetes?: string;
  /** Hub CRDs present out of those init installs; undefined when CRDs cannot be listed. */
  hubCrds?: { present: number; expected: number };
  ocmHub?: boolean;
  /** OCM's own cluster-manager operator runs this hub. */
  ocmOperator?: boolean;
  hubController?: HubControllerInfo;
  /** The ocmadm runtimes installed here (hub controller, klusterlet) and their versions. */
  runtimes?: RuntimeVersion[];
}

export interface VersionResult {
  ocmadm: string;
  node: string;
  defaultImage: string;
  /** null: no kubeconfig found (and none given). */
  cluster: ClusterInfo | null;
  /** Why there is no cluster section. */
  clusterNote?: string;
  /** A runtime in the cluster whose version is not this CLI's. */
  warnings: string[];
}

const get = <T = KubeObject>(c: KubeClient, path: string) => c.request<T>('GET', path, { timeoutMs: PROBE_TIMEOUT_MS });

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** The local hub controller of this server: in this state directory, else in a sandbox's. */
function findLocal(server: string, env: NodeJS.ProcessEnv): LocalRuntimeInfo & { sandbox?: string } {
  const own = localHubController(server, env);
  if (own.pid !== undefined) return own;
  for (const name of sandboxNames(env)) {
    const rec = readRecord(sandboxDir(name, env));
    if (!rec) continue;
    const inSandbox = localHubController(server, sandboxEnv(rec, env));
    if (inSandbox.pid !== undefined) return { ...inSandbox, sandbox: name };
  }
  return own;
}

export async function hubController(client: KubeClient, server: string, env: NodeJS.ProcessEnv): Promise<HubControllerInfo> {
  type Deployment = KubeObject & { spec?: { replicas?: number; template?: { spec?: { containers?: { image?: string }[] } } }; status?: { readyReplicas?: number } };
  const [lease, dep] = await Promise.all([
    orUndefined(get<Lease>(client, resourcePath(LEASE_REF))).catch(() => undefined),
    orUndefined(get<Deployment>(client, DEPLOYMENT_PATH)).catch(() => undefined),
  ]);
  const local = findLocal(server, env);
  const info: HubControllerInfo = { runtime: 'none' };
  if (lease?.spec?.holderIdentity) info.leader = { holder: lease.spec.holderIdentity, renewTime: lease.spec.renewTime ?? undefined };
  if (dep) {
    info.runtime = 'cluster';
    info.deployment = { image: dep.spec?.template?.spec?.containers?.[0]?.image ?? '?', replicas: dep.spec?.replicas ?? 0, readyReplicas: dep.status?.readyReplicas ?? 0 };
  }
  // A local process on this machine wins: a Deployment next to it would be left over or pending.
  if (local.pid !== undefined && (local.running || !dep)) {
    info.runtime = 'local';
    info.local = { pid: local.pid, running: local.running, logFile: local.logFile, sandbox: local.sandbox };
  }
  return info;
}

async function describeCluster(ctx: CommandContext): Promise<{ cluster: ClusterInfo | null; note?: string }> {
  let kc;
  try {
    kc = await ctx.kubeConfig(ctx.globals);
  } catch (err) {
    return { cluster: null, note: (err as Error).message };
  }
  const context = kc.getCurrentContext();
  const server = kc.getCurrentCluster()?.server ?? '';
  const client = await ctx.client(ctx.globals);
  const info: ClusterInfo = { context, server, reachable: false };
  try {
    info.kubernetes = (await get<{ gitVersion?: string }>(client, '/version')).gitVersion;
    info.reachable = true;
  } catch (err) {
    info.error = describeError(err);
    // Anything but a transport failure means the server answered.
    info.reachable = !isUnreachable(err);
    return { cluster: info };
  }
  try {
    const crds = await client.listMetadata('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { timeoutMs: PROBE_TIMEOUT_MS });
    const names = new Set(crds.items.map((c) => c.metadata?.name));
    const expected = hubCrdNames();
    info.hubCrds = { present: expected.filter((n) => names.has(n)).length, expected: expected.length };
    info.ocmHub = info.hubCrds.present === expected.length;
    info.ocmOperator = names.has(OCM_OPERATOR.crd);
  } catch (err) {
    info.error = isForbidden(err) ? 'these credentials may not list CRDs: hub state unknown' : describeError(err);
    return { cluster: info };
  }
  if (info.ocmHub) info.hubController = await hubController(client, server, ctx.io.env);
  try {
    info.runtimes = await runtimeVersions(client, PROBE_TIMEOUT_MS);
  } catch (err) {
    info.error = `runtime versions unknown: ${describeError(err)}`;
  }
  return { cluster: info };
}

export async function runVersion(ctx: CommandContext): Promise<VersionResult> {
  const { cluster, note } = await describeCluster(ctx);
  const warnings = versionWarnings(VERSION, cluster?.runtimes ?? []);
  for (const w of warnings) ctx.progress.warn(w);
  return { ocmadm: VERSION, node: process.versions.node, defaultImage: DEFAULT_IMAGE, cluster, ...(note ? { clusterNote: note } : {}), warnings };
}
