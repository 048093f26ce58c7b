/**
 * Getting a client certificate from the hub through one CertificateSigningRequest (ocm-protocol.md
 * §1 "Key and CSR"), with the identity given (bootstrap for the first join, the current
 * certificate for a renewal). Never more than one pending CSR per agent: the key of the CSR in
 * flight is persisted on the spoke before the CSR is filed (CsrKeyStore), so after a restart the
 * same CSR is found again (by name, or by its public key when the agent died between filing and
 * recording the name) and watched instead of filing another. Waiting is a watch on the agent's
 * CSRs (label `open-cluster-management.io/cluster-name`), never a poll. Like OCM, a Denied CSR is
 * waited on until it is deleted, and no CSR is filed while 10 or more of the cluster's exist.
 */
import type { KubeClient } from '../../kube/client.js';
import { describeError, isNotFound } from '../../kube/errors.js';
import { resourcePath } from '../../kube/resources.js';
import { LABEL, MAX_PENDING_CSRS } from '../../api/names.js';
import { backoffDelay } from '../core/backoff.js';
import { sleep, systemClock, type Clock } from '../core/clock.js';
import { createInformer } from '../core/informer.js';
import type { Logger } from '../core/types.js';
import { Changes } from './changes.js';
import type { CsrKeyStore, PendingCsr } from './csr-key-store.js';
import { CSRS, csrState, type CertificateSigningRequest } from '../../kube/certificates.js';
import { certMatchesKey, countsTowardsLimit, csrObject, generateKeyAndRequest, isAgentCsr, issuedCertificate, parseCertificate, requestMatchesKey } from './csr.js';
import type { HubCredentials } from './hub-kubeconfig.js';

export interface CertificateRequestOptions {
  /** The identity that files and watches the CSR. */
  hub: KubeClient;
  store: CsrKeyStore;
  cluster: string;
  agent: string;
  /** The hub server as the bootstrap kubeconfig writes it (a stored CSR for another hub is dropped). */
  hubServer: string;
  purpose: PendingCsr['purpose'];
  expirationSeconds?: number;
  log: Logger;
  signal: AbortSignal;
  /** A problem worth reporting as ClusterCertificateRotated=False (halted, create failed, denied). */
  onProblem?: (message: string) => void;
  clock?: Clock;
}

export interface IssuedCertificate extends HubCredentials {
  csrName: string;
}

export class AbortedError extends Error {
  constructor() {
    super('stopped');
  }
}

/** How long to wait for a just-created or resumed CSR to show up in the watch before asking directly. */
const APPEAR_TIMEOUT_MS = 30_000;

export async function requestCertificate(opts: CertificateRequestOptions): Promise<IssuedCertificate> {
  const { hub, store, cluster, agent, signal } = opts;
  const clock = opts.clock ?? systemClock;
  const log = opts.log.child({ purpose: opts.purpose });
  const informer = createInformer<CertificateSigningRequest>(
    hub,
    { ref: CSRS, labelSelector: `${LABEL.clusterName}=${cluster}` },
    log.child({ informer: 'hub-csrs' }),
    { backoffMaxMs: 10_000 },
  );
  const changes = new Changes(clock);
  informer.on(() => changes.notify());
  const stop = () => informer.stop();
  signal.addEventListener('abort', stop, { once: true });
  try {
    try {
      await informer.start();
    } catch {
      throw new AbortedError();
    }
    let pending = await resume(opts, informer.list((c) => isAgentCsr(c, cluster)), log);
    let seen = false;
    let failures = 0;
    /** The key of a create that failed: the CSR may exist all the same (a lost response). */
    let lastKey: PendingCsr | undefined;
    let reported = '';
    const report = (message: string, fields: Record<string, unknown> = {}) => {
      if (message === reported) return;
      reported = message;
      log.warn(message, fields);
      opts.onProblem?.(message);
    };
    for (;;) {
      if (signal.aborted) throw new AbortedError();
      const version = changes.version;
      if (!pending?.csrName) {
        const count = informer.list((c) => countsTowardsLimit(c, cluster)).length;
        if (count >= MAX_PENDING_CSRS) {
          report('Stop creating csr since there are too many csr created already on hub', { csrs: count, limit: MAX_PENDING_CSRS });
          await changes.after(version, signal);
          continue;
        }
        const lost = lastKey && informer.list((c) => isAgentCsr(c, cluster) && requestMatchesKey(c, lastKey!.keyPem))[0];
        if (lost && lastKey) {
          pending = { ...lastKey, csrName: lost.metadata!.name! };
          await opts.store.save(pending);
          lastKey = undefined;
          log.info('found the CSR whose create seemed to fail', { csr: pending.csrName });
          continue;
        }
        try {
          pending = await fileCsr(opts, (k) => (lastKey = k));
          lastKey = undefined;
          seen = false;
          failures = 0;
          log.info('certificate signing request filed', { csr: pending.csrName });
        } catch (err) {
          failures++;
          const retryInMs = backoffDelay(failures, { initialMs: 1000, maxMs: 60_000, jitter: 0.2 });
          report(`Failed to create CSR ${describeError(err)}`, { retryInMs });
          await sleep(retryInMs, signal, clock);
        }
        continue;
      }
      const csr = informer.get(pending.csrName);
      if (!csr) {
        if (seen || !(await existsOnHub(hub, pending.csrName, changes, version, signal))) {
          log.warn('certificate signing request is gone; filing a new one', { csr: pending.csrName });
          pending = undefined;
        }
        continue;
      }
      seen = true;
      const state = csrState(csr);
      if (state === 'denied' || state === 'failed') {
        // As OCM: wait on it until it is deleted (kube-controller-manager removes it after an hour).
        report(`certificate signing request ${pending.csrName} was ${state}; waiting until it is removed`, { csr: pending.csrName });
      } else if (state === 'approved') {
        const certPem = issuedCertificate(csr);
        if (certPem) {
          const usable = certMatchesKey(certPem, pending.keyPem) && parseCertificate(certPem).notAfter.getTime() > clock.now();
          if (usable) return { certPem, keyPem: pending.keyPem, csrName: pending.csrName };
          log.error('the issued certificate does not match the key or has expired; filing a new CSR', { csr: pending.csrName });
          pending = undefined;
          continue;
        }
      }
      await changes.after(version, signal);
    }
  } finally {
    signal.removeEventListener('abort', stop);
    informer.stop();
  }
}

/** Key first, then the CSR, then its name: a crash in between leaves a key whose CSR can be found. */
async function fileCsr(opts: CertificateRequestOptions, saved: (p: PendingCsr) => void): Promise<PendingCsr & { csrName: string }> {
  const { keyPem, csrPem } = await generateKeyAndRequest(opts.cluster, opts.agent);
  const base: PendingCsr = { keyPem, cluster: opts.cluster, agent: opts.agent, hubServer: opts.hubServer, purpose: opts.purpose };
  await opts.store.save(base);
  saved(base);
  const created = await opts.hub.create<CertificateSigningRequest>(resourcePath(CSRS), csrObject(opts.cluster, csrPem, opts.expirationSeconds));
  const csrName = created.metadata?.name;
  if (!csrName) throw new Error('the hub returned a CSR without a name');
  const pending = { ...base, csrName };
  await opts.store.save(pending);
  return pending;
}

/**
 * The stored CSR of this agent on this hub, if it is still on the hub: by the recorded name, or
 * else the agent CSR whose request carries the stored key.
 */
async function resume(opts: CertificateRequestOptions, csrs: CertificateSigningRequest[], log: Logger): Promise<PendingCsr | undefined> {
  const stored = await opts.store.load();
  if (!stored) return undefined;
  if (stored.cluster !== opts.cluster || stored.agent !== opts.agent || stored.hubServer !== opts.hubServer) {
    log.info('dropping a stored CSR key made for another cluster, agent or hub');
    return undefined;
  }
  const mine = csrs.filter((c) => requestMatchesKey(c, stored.keyPem));
  const byName = mine.find((c) => c.metadata?.name === stored.csrName);
  const found = byName ?? mine[0];
  if (!found) {
    log.info('the stored CSR is no longer on the hub; filing a new one', { csr: stored.csrName });
    return undefined;
  }
  const resumed = { ...stored, csrName: found.metadata!.name! };
  if (resumed.csrName !== stored.csrName) await opts.store.save(resumed);
  log.info('resuming the certificate signing request filed before a restart', { csr: resumed.csrName });
  return resumed;
}

/** Waits for the CSR to appear in the watch; after a while asks the hub directly. */
async function existsOnHub(hub: KubeClient, name: string, changes: Changes, since: number, signal: AbortSignal): Promise<boolean> {
  if (await changes.after(since, signal, APPEAR_TIMEOUT_MS)) return true; // look at the cache again
  if (signal.aborted) return true;
  try {
    await hub.get(resourcePath({ ...CSRS, name }));
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    return true; // unknown: keep waiting on the watch
  }
}
