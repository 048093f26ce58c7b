/**
 * Proof that the admission guard works before a join token is handed out: as the holder of that
 * token, a server-side dry run tries to create a ManagedCluster with hubAcceptsClient=true. The
 * guard must refuse it. New policies, RBAC bindings and bootstrap tokens reach the API server's
 * caches within moments, so until the deadline an "allowed" or 401 answer is asked again.
 */
import { KubeConfig } from '../../kube/kubeconfig.js';
import { KubeClient } from '../../kube/client.js';
import { describeError, isForbidden, isUnauthorized } from '../../kube/errors.js';
import { resourcePath } from '../../kube/resources.js';
import { CliError, InterruptedError } from '../../cli/errors.js';
import { MANAGED_CLUSTERS, TYPE } from '../../api/index.js';
import { hubEndpoint, tokenKubeconfig } from './kubeconfig.js';

export const GUARD_PROBE_NAME = 'ocmadm-guard-check';

/** 'refused', or why to ask again. */
type Answer = 'refused' | string;

async function probeOnce(client: KubeClient): Promise<Answer> {
  try {
    await client.create(
      resourcePath(MANAGED_CLUSTERS),
      { ...TYPE.managedCluster, metadata: { name: GUARD_PROBE_NAME }, spec: { hubAcceptsClient: true } },
      { dryRun: 'All' },
    );
    return 'the request was allowed'; // the policy is not active yet
  } catch (err) {
    if (isForbidden(err) && /hubAcceptsClient/.test((err as Error).message)) return 'refused';
    if (isForbidden(err) || isUnauthorized(err)) return describeError(err); // bindings or token not seen yet
    throw err;
  }
}

export async function verifyGuard(adminKc: KubeConfig, token: string, deadline: number, signal: AbortSignal): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromString(tokenKubeconfig(hubEndpoint(adminKc), token, 'join-token', 'default'));
  const client = await KubeClient.create(kc, 'ocmadm-guard-check');
  let delay = 25;
  let last = '';
  try {
    for (;;) {
      try {
        last = await probeOnce(client);
        if (last === 'refused') return;
      } catch (err) {
        throw new CliError(`cannot check the admission guard: ${describeError(err)}`);
      }
      if (signal.aborted) throw new InterruptedError('interrupted while checking the admission guard');
      if (Date.now() + delay > deadline) {
        throw new CliError(`the admission guard did not refuse hubAcceptsClient=true from the join token before the deadline (${last}); do not hand the token out — check the ValidatingAdmissionPolicy`);
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 1000);
    }
  } finally {
    await client.close();
  }
}
