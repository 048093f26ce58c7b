/**
 * Opening the hub for a hub command: the kubeconfig (never a silent localhost fallback), a client,
 * and one round trip that proves the API server answers, turned into a one-line error if not.
 */
import type { KubeConfig } from '../../kube/kubeconfig.js';
import type { CommandContext } from '../../cli/context.js';
import { CliError } from '../../cli/errors.js';
import type { KubeClient } from '../../kube/client.js';
import { describeError, isTlsError, isUnauthorized, isUnreachable, KubeApiError } from '../../kube/errors.js';
import { hubEndpoint, type HubEndpoint } from './kubeconfig.js';

export interface HubConnection {
  kc: KubeConfig;
  client: KubeClient;
  endpoint: HubEndpoint;
  /** The API server's gitVersion. */
  version: string;
}

export async function connectHub(ctx: CommandContext): Promise<HubConnection> {
  const kc = await ctx.kubeConfig(ctx.globals, 'hub');
  const endpoint = hubEndpoint(kc);
  const client = await ctx.client(ctx.globals, 'hub');
  const context = kc.getCurrentContext();
  ctx.progress.debug(`hub ${endpoint.server} (context ${context})`);
  let version = '';
  try {
    version = (await client.request<{ gitVersion?: string }>('GET', '/version', { timeoutMs: 15_000, signal: ctx.signal })).gitVersion ?? '';
  } catch (err) {
    throw connectionError(err, endpoint.server, context);
  }
  return { kc, client, endpoint, version };
}

/** One line for a failed first contact with the hub. */
export function connectionError(err: unknown, server: string, context: string): Error {
  if (isTlsError(err)) {
    return new CliError(`cannot verify the TLS certificate of ${server} (${(err as KubeApiError).causeCode}); check the CA in context "${context}"`);
  }
  if (isUnreachable(err)) {
    const e = err as KubeApiError;
    return new CliError(`cannot reach the hub ${server} (context "${context}"): ${e.reason === 'Timeout' ? 'timed out' : (e.causeCode ?? e.message)}`);
  }
  if (isUnauthorized(err)) return new CliError(`the hub ${server} rejected the credentials of context "${context}" (401 Unauthorized); log in again or pass another --context`);
  if (err instanceof KubeApiError) return new CliError(`the hub ${server} answered ${describeError(err)}`);
  return err instanceof Error ? err : new Error(String(err));
}
