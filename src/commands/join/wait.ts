/**
 * join --wait: watch (with the bootstrap identity, as the agent does) until the ManagedCluster
 * exists on the hub, then until either a pending CSR of this cluster appears (the admin must run
 * accept) or the agent on the spoke already holds hub credentials (nothing left to accept).
 */
import type { KubeClient } from '../../kube/client.js';
import { resourcePath } from '../../kube/resources.js';
import { waitForObject } from '../../kube/wait.js';
import { InterruptedError } from '../../cli/errors.js';
import { MANAGED_CLUSTERS, type ManagedCluster } from '../../api/index.js';
import { HUB_KUBECONFIG_KEYS, LABEL, SECRET } from '../../api/names.js';
import { CSRS, viewCsr, type Csr, type CsrView } from '../../handshake/csr.js';
import { KLUSTERLET } from '../../handshake/klusterlet.js';
import type { Secret } from '../../handshake/spoke-state.js';
import { waitForList } from '../../handshake/watch.js';

export type JoinWaitResult =
  | { state: 'pending-csr'; csrs: CsrView[]; accepted: boolean }
  | { state: 'has-credentials'; accepted: boolean };

const pendingOf = (csrs: Csr[], cluster: string) =>
  csrs.map((c) => viewCsr(c, cluster)).filter((v) => !v.invalid && v.state === 'pending');

export async function waitForRegistration(
  hub: KubeClient,
  spoke: KubeClient,
  cluster: string,
  deadline: number,
  signal?: AbortSignal,
): Promise<JoinWaitResult> {
  const mc = await waitForObject<ManagedCluster>(hub, { ...MANAGED_CLUSTERS, name: cluster }, (o) => !!o, {
    deadline,
    signal,
    what: `ManagedCluster ${cluster} to appear on the hub (is the klusterlet running? see its log)`,
  });
  const accepted = mc?.spec?.hubAcceptsClient === true;
  const ctrl = new AbortController();
  const both = signal ? AbortSignal.any([signal, ctrl.signal]) : ctrl.signal;
  const csr = waitForList<Csr>(hub, resourcePath(CSRS), (items) => pendingOf(items, cluster).length > 0, {
    labelSelector: `${LABEL.clusterName}=${cluster},!${LABEL.addonName}`,
    deadline,
    signal: both,
    what: `a CSR of ${cluster} on the hub`,
  }).then((items): JoinWaitResult => ({ state: 'pending-csr', csrs: pendingOf(items, cluster), accepted }));
  const creds = waitForObject<Secret>(
    spoke,
    { group: '', version: 'v1', resource: 'secrets', namespace: KLUSTERLET.namespace, name: SECRET.hubKubeconfig },
    (s) => !!s?.data?.[HUB_KUBECONFIG_KEYS.cert] && Buffer.from(s.data[HUB_KUBECONFIG_KEYS.clusterName] ?? '', 'base64').toString() === cluster,
    { deadline, signal: both, what: `the agent's hub credentials` },
  ).then((): JoinWaitResult => ({ state: 'has-credentials', accepted }));
  // The first to finish wins; the other is aborted and its interruption ignored.
  const settle = (p: Promise<JoinWaitResult>) => p.catch((err: unknown) => (err instanceof InterruptedError && ctrl.signal.aborted && !signal?.aborted ? new Promise<JoinWaitResult>(() => undefined) : Promise.reject(err)));
  try {
    return await Promise.race([settle(csr), settle(creds)]);
  } finally {
    ctrl.abort();
  }
}
