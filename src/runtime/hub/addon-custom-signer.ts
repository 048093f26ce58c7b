/**
 * CustomSigner registrations of template add-ons (OCM's template manager): a CSR for a signer the
 * add-on's template declares, labelled with its cluster and add-on and filed by an agent of that
 * cluster, is approved, then signed with the CA in the template's `signingCA` secret (namespace
 * default: the hub controller's). The rights this needs (approve and sign for that signer, read
 * that one secret) are granted per add-on by `ocmadm addon create`, not held by the controller.
 */
import { resourcePath } from '../../kube/resources.js';
import { SECRETS, type Secret } from '../../kube/core.js';
import { IDENTITY, LABEL, NS, REASON } from '../../api/names.js';
import type { Reconciler } from '../core/types.js';
import { templateInUse } from './addon-csr.js';
import { CSRS, type CertificateSigningRequest } from '../../kube/certificates.js';
import { approvedCsr, isTerminal } from './csr-approval.js';
import type { HubDeps } from './deps.js';

const unb64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');
const approved = (csr: CertificateSigningRequest) => (csr.status?.conditions ?? []).some((c) => c.type === 'Approved' && c.status !== 'False');
const refused = (csr: CertificateSigningRequest) => (csr.status?.conditions ?? []).some((c) => (c.type === 'Denied' || c.type === 'Failed') && c.status !== 'False');

export class AddonCustomSignerReconciler implements Reconciler {
  readonly name = 'addon-custom-signer';

  constructor(private readonly deps: HubDeps) {}

  async reconcile(name: string): Promise<void> {
    const { client, log, informers, now } = this.deps;
    const csr = informers.addonSignerCsrs.get(name) as CertificateSigningRequest | undefined;
    if (!csr || refused(csr) || csr.status?.certificate) return;
    const cluster = csr.metadata?.labels?.[LABEL.clusterName];
    const addon = csr.metadata?.labels?.[LABEL.addonName];
    if (!cluster || !addon || !csr.spec.username?.startsWith(`${IDENTITY.commonNamePrefix}${cluster}:`)) return;
    const reg = (templateInUse(informers, cluster, addon)?.spec.registration ?? []).find((r) => r.type === 'CustomSigner' && r.customSigner?.signerName === csr.spec.signerName);
    if (!reg?.customSigner) return;
    if (!approved(csr) && !isTerminal(csr)) {
      const body = approvedCsr(csr, now());
      const last = body.status!.conditions!.at(-1)!;
      last.reason = REASON.csr.autoApproved;
      last.message = 'Auto approving addon agent certificate.';
      await client.replace(resourcePath({ ...CSRS, name, subresource: 'approval' }), body);
      log.info('approved add-on custom-signer CSR', { csr: name, cluster, addon, signer: csr.spec.signerName });
      return;
    }
    const ca = reg.customSigner.signingCA;
    const secret = await client.get<Secret>(resourcePath({ ...SECRETS, namespace: ca.namespace || NS.hubRuntime, name: ca.name }));
    // The X.509 library (about 20 MiB of memory) is loaded on the first custom-signer CSR only.
    const { signWithCa } = await import('./addon-signer.js');
    const cert = await signWithCa(unb64(secret.data?.['tls.crt']), unb64(secret.data?.['tls.key']), unb64(csr.spec.request), now());
    await client.replace(resourcePath({ ...CSRS, name, subresource: 'status' }), {
      ...csr,
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      status: { ...csr.status, certificate: Buffer.from(cert).toString('base64') },
    });
    log.info('signed add-on custom-signer CSR', { csr: name, cluster, addon, signer: csr.spec.signerName });
  }
}
