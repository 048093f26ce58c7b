/**
 * join --wait: watch (with the bootstrap identity, as the agent does) until the ManagedCluster
 * exists on the hub, then until either THIS agent's CSR is pending on the hub (the admin must run
 * accept) or the agent on the spoke already holds hub credentials (nothing left to accept). The
 * agent's CSR is the one its csr-key secret on the spoke names: another spoke asking for the same
 * name files CSRs with the same label, and those are reported as competitors, never as ours.
 */
import { waitForList, waitForObject } from '../../cli/wait.js';
import type { KubeClient } from '../../kube/client.js';
import { resourcePath } from '../../kube/resources.js';
import { SECRETS, type Secret } from '../../kube/core.js';
import { InterruptedError } from '../../cli/errors.js';
import { MANAGED_CLUSTERS, type ManagedCluster } from '../../api/index.js';
import { HUB_KUBECONFIG_KEYS, LABEL, SECRET } from '../../api/names.js';
import { CSRS, type CertificateSigningRequest } from '../../kube/certificates.js';
import { viewCsr, type CsrView } from '../../api/csr.js';
import { KLUSTERLET } from '../../install/klusterlet/klusterlet.js';
import { CSR_KEY_FIELDS } from '../../runtime/klusterlet/csr-key-store.js';

export type JoinWaitResult =
  | { state: 'pending-csr'; csrs: CsrView[]; accepted: boolean; competing: CsrView[] }
  | { state: 'has-credentials'; accepted: boolean };

const pendingOf = (csrs: CertificateSigningRequest[], cluster: string) =>
  csrs.map((c) => viewCsr(c, cluster)).filter((v) => !v.invalid && v.state === 'pending');

const unb64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');

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
  // Our CSR's name, from the agent's csr-key secret on the spoke; then that CSR, pending, on the hub.
  const secretRef = (name: string) => ({ ...SECRETS, namespace: KLUSTERLET.namespace, name });
  const ours = (s: Secret | undefined) => (unb64(s?.data?.[CSR_KEY_FIELDS.cluster]) === cluster ? unb64(s?.data?.[CSR_KEY_FIELDS.csrName]) || undefined : undefined);
  const csr = waitForObject<Secret>(spoke, secretRef(SECRET.csrKey), (s) => !!ours(s), { deadline, signal: both, what: `the agent's CSR of ${cluster}` })
    .then((s) => ours(s)!)
    .then((name) =>
      waitForList<CertificateSigningRequest>(hub, resourcePath(CSRS), (items) => pendingOf(items, cluster).some((v) => v.name === name), {
        labelSelector: `${LABEL.clusterName}=${cluster},!${LABEL.addonName}`,
        deadline,
        signal: both,
        what: `CSR ${name} of ${cluster} on the hub`,
      }).then((items): JoinWaitResult => {
        const pending = pendingOf(items, cluster);
        return { state: 'pending-csr', csrs: pending.filter((v) => v.name === name), competing: pending.filter((v) => v.name !== name && v.agent !== pending.find((p) => p.name === name)?.agent), accepted };
      }),
    );
  const creds = waitForObject<Secret>(
    spoke,
    secretRef(SECRET.hubKubeconfig),
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
