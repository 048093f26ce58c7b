/**
 * The hub controller runtime as `init` installs it: the local process (own ServiceAccount token,
 * never the admin's credentials), switching between the local and cluster runtimes, and the
 * readiness wait. Ready means the leader Lease was renewed after the wait began: a controller is
 * leading right now. That works the same for a local process and for pods, and needs only a watch.
 */
import type { KubeClient } from '../../kube/client.js';
import { isNotFound } from '../../kube/errors.js';
import { resourcePath } from '../../kube/resources.js';
import { waitForObject } from '../../cli/wait.js';
import { CliError, InterruptedError } from '../../cli/errors.js';
import { LEASE, NS, SA } from '../../api/names.js';
import { isAlive, localRuntimeInfo, removeLocalRuntime, startLocalRuntime, stopLocalRuntime, type LocalRuntimeInfo } from '../../runtime/host/index.js';
import { HUB, TTL } from './constants.js';
import { hubControllerExtraArgs } from './constants.js';
import { tokenKubeconfig, type HubEndpoint } from './kubeconfig.js';
import { requestServiceAccountToken } from './tokens.js';
import { LEASES, type Lease } from '../../kube/core.js';

const KIND = 'hub-controller' as const;

/** The local runtime's instance (state directory) name for a hub: its host and port. */
export function hubInstanceName(server: string): string {
  let u: URL;
  try {
    u = new URL(server);
  } catch {
    return server.replace(/[^a-zA-Z0-9._-]+/g, '-');
  }
  const port = u.port || (u.protocol === 'http:' ? '80' : '443');
  return `${u.hostname}-${port}`.replace(/[^a-zA-Z0-9._-]+/g, '-');
}

export const localHubController = (server: string, env?: NodeJS.ProcessEnv): LocalRuntimeInfo => localRuntimeInfo(KIND, hubInstanceName(server), env);

/** Arguments of the local process (the kubeconfig flag is added by startLocalRuntime). */
export function localControllerArgs(autoApproveUsers: string[] = []): string[] {
  return [
    ...hubControllerExtraArgs(autoApproveUsers),
    '--namespace', HUB.controllerNamespace,
    '--health-port', '0',
    '--health-bind', '127.0.0.1',
    '--token-refresh', `${HUB.controllerNamespace}/${SA.hubController}`,
  ];
}

/** (Re)starts the local hub controller with a fresh token of its own ServiceAccount. */
export async function startLocalHubController(
  client: KubeClient,
  endpoint: HubEndpoint,
  env: NodeJS.ProcessEnv,
  autoApproveUsers: string[] = [],
): Promise<LocalRuntimeInfo> {
  const issued = await requestServiceAccountToken(client, HUB.controllerNamespace, SA.hubController, TTL.localRuntimeSeconds);
  const kubeconfig = tokenKubeconfig(endpoint, issued.token, SA.hubController, HUB.controllerNamespace);
  return startLocalRuntime({ kind: KIND, instance: hubInstanceName(endpoint.server), kubeconfig, args: localControllerArgs(autoApproveUsers), env });
}

export const stopLocalHubController = (server: string, env?: NodeJS.ProcessEnv) => stopLocalRuntime(KIND, hubInstanceName(server), { env });
export const removeLocalHubController = (server: string, env?: NodeJS.ProcessEnv) => removeLocalRuntime(KIND, hubInstanceName(server), env);

export const DEPLOYMENT_PATH = resourcePath({
  group: 'apps',
  version: 'v1',
  resource: 'deployments',
  namespace: HUB.controllerNamespace,
  name: HUB.controllerDeployment,
});

/** Deletes the cluster runtime's Deployment (when switching to local); true if there was one. */
export async function deleteClusterRuntime(client: KubeClient): Promise<boolean> {
  try {
    await client.delete(DEPLOYMENT_PATH, { propagationPolicy: 'Background' });
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

export const LEASE_REF = { ...LEASES, namespace: NS.hubRuntime, name: LEASE.hubController };

/** The leader Lease as it is now (to compare against while waiting). */
export async function leaseSnapshot(client: KubeClient): Promise<string | undefined> {
  try {
    const l = await client.get<Lease>(resourcePath(LEASE_REF));
    return l.spec?.renewTime ?? undefined;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export interface ReadyWait {
  deadline: number;
  signal: AbortSignal;
  /** renewTime seen before the runtime was (re)started, from leaseSnapshot(). */
  renewTimeBefore: string | undefined;
  /** The local process: the wait fails at once when it exits. */
  local?: LocalRuntimeInfo;
}

/** Waits until a hub controller holds the leader Lease and has renewed it since `renewTimeBefore`. */
export async function waitHubControllerReady(client: KubeClient, w: ReadyWait): Promise<string> {
  const ctrl = new AbortController();
  const onAbort = () => ctrl.abort();
  w.signal.addEventListener('abort', onAbort, { once: true });
  let exited = false;
  // A process that is not our child can only be probed; the Lease itself is watched.
  const probe = w.local?.pid
    ? setInterval(() => {
        if (!isAlive(w.local!.pid!)) {
          exited = true;
          ctrl.abort();
        }
      }, 250)
    : undefined;
  try {
    const lease = await waitForObject<Lease>(
      client,
      LEASE_REF,
      (l) => !!l?.spec?.holderIdentity && !!l.spec.renewTime && l.spec.renewTime !== w.renewTimeBefore,
      { deadline: w.deadline, signal: ctrl.signal, what: `the hub controller to hold Lease ${NS.hubRuntime}/${LEASE.hubController}` },
    );
    return lease?.spec?.holderIdentity ?? '';
  } catch (err) {
    if (exited) throw new CliError(`the local hub controller (pid ${w.local?.pid}) exited before it was ready; see ${w.local?.logFile}`);
    if (err instanceof InterruptedError && !w.signal.aborted) throw new CliError(String(err.message));
    throw err;
  } finally {
    if (probe) clearInterval(probe);
    w.signal.removeEventListener('abort', onAbort);
  }
}
