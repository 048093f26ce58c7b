/**
 * The first join, with the bootstrap identity (ocm-protocol.md §1): make sure the ManagedCluster
 * exists (tried first, then retried in the background with capped backoff while the CSR goes on,
 * as OCM runs the two independently), and get a certificate through one CSR.
 */
import { KubeClient } from '../../kube/client.js';
import { describeError } from '../../kube/errors.js';
import { backoffDelay } from '../core/backoff.js';
import { sleep, systemClock, type Clock } from '../core/clock.js';
import type { Logger } from '../core/types.js';
import type { CsrKeyStore } from './csr-key-store.js';
import { requestCertificate, type IssuedCertificate } from './csr-request.js';
import { bootstrapKubeConfig, type HubCluster } from './hub-kubeconfig.js';
import { ensureManagedCluster, type ClientConfig } from './managed-cluster.js';

export interface BootstrapOptions {
  bootstrapText: string;
  hub: HubCluster;
  store: CsrKeyStore;
  cluster: string;
  agent: string;
  clientConfigs: ClientConfig[];
  annotations?: Record<string, string>;
  expirationSeconds?: number;
  log: Logger;
  signal: AbortSignal;
  clock?: Clock;
}

export const USER_AGENT = 'ocmadm-registration-agent';

export async function bootstrapCertificate(opts: BootstrapOptions): Promise<IssuedCertificate> {
  const client = await KubeClient.create(bootstrapKubeConfig(opts.bootstrapText), USER_AGENT);
  const creating = new AbortController();
  const stopCreating = () => creating.abort();
  opts.signal.addEventListener('abort', stopCreating, { once: true });
  try {
    const created = keepCreatingCluster(client, opts, creating.signal);
    await Promise.race([created.first, created.done]);
    return await requestCertificate({
      hub: client,
      store: opts.store,
      cluster: opts.cluster,
      agent: opts.agent,
      hubServer: opts.hub.server,
      purpose: 'bootstrap',
      expirationSeconds: opts.expirationSeconds,
      log: opts.log,
      signal: opts.signal,
      clock: opts.clock,
    });
  } finally {
    creating.abort();
    opts.signal.removeEventListener('abort', stopCreating);
    await client.close();
  }
}

/** ensureManagedCluster until it succeeds; `first` settles after the first attempt. */
function keepCreatingCluster(client: KubeClient, opts: BootstrapOptions, signal: AbortSignal): { first: Promise<void>; done: Promise<void> } {
  const clock = opts.clock ?? systemClock;
  let markFirst!: () => void;
  const first = new Promise<void>((r) => (markFirst = r));
  const done = (async () => {
    for (let failures = 0; !signal.aborted; ) {
      try {
        const outcome = await ensureManagedCluster(client, opts.cluster, opts.clientConfigs, opts.annotations);
        opts.log.info('managed cluster on the hub', { outcome });
        return;
      } catch (err) {
        failures++;
        const retryInMs = backoffDelay(failures, { initialMs: 1000, maxMs: 60_000, jitter: 0.2 });
        opts.log.warn('cannot create the managed cluster on the hub yet', { error: describeError(err), retryInMs });
        markFirst();
        await sleep(retryInMs, signal, clock);
      }
    }
  })().finally(markFirst);
  return { first, done };
}
