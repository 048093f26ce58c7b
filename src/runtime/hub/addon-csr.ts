/**
 * Approval of add-on agents' client CSRs, as OCM's template add-on manager approves them (the
 * addon-framework's default approver): the CSR carries the cluster-name and addon-name labels;
 * that add-on is enabled on that cluster and its template registers a KubeClient; the subject is
 * exactly OCM's add-on subject (CN `system:open-cluster-management:cluster:<c>:addon:<a>:agent:<a>-agent`,
 * O the two add-on groups, optionally system:authenticated); and the requester is an identity of
 * that cluster (`system:open-cluster-management:<c>:…`, the klusterlet). Anything else is left alone.
 */
import { resourcePath } from '../../kube/resources.js';
import { ADDON, IDENTITY, LABEL, REASON, SIGNER } from '../../api/names.js';
import type { AddOnTemplate } from '../../api/index.js';
import type { Reconciler } from '../core/types.js';
import { findConfig, TEMPLATE_GR, type ConfigRef } from './addon-configs.js';
import { CSRS, type CertificateSigningRequest } from '../../kube/certificates.js';
import { approvedCsr, isTerminal, subjectOf } from './csr-approval.js';
import { nsKey, type HubDeps, type HubInformers } from './deps.js';

/** The template an enabled add-on uses on a cluster, from its status (as OCM reads it). */
export function templateInUse(inf: HubInformers, cluster: string, addon: string): AddOnTemplate | undefined {
  const mca = inf.addons.get(nsKey(cluster, addon));
  if (!mca || mca.metadata.deletionTimestamp) return undefined;
  const ref = findConfig((mca.status?.configReferences ?? []) as ConfigRef[], TEMPLATE_GR) as { desiredConfig?: { name?: string } } | undefined;
  return ref?.desiredConfig?.name ? inf.addonTemplates.get(ref.desiredConfig.name) : undefined;
}

export type AddonCsrVerdict = { ok: true; cluster: string; addon: string } | { ok: false; why: string };

/** The shape rules, given the template the add-on uses on that cluster (undefined: not enabled). */
export function qualifyAddonCsr(csr: CertificateSigningRequest, templateOf: (cluster: string, addon: string) => AddOnTemplate | undefined): AddonCsrVerdict {
  const cluster = csr.metadata?.labels?.[LABEL.clusterName];
  const addon = csr.metadata?.labels?.[LABEL.addonName];
  if (!cluster || !addon) return { ok: false, why: 'no cluster-name or addon-name label' };
  if (csr.spec?.signerName !== SIGNER.kubeApiserverClient) return { ok: false, why: `signer ${csr.spec?.signerName}` };
  const template = templateOf(cluster, addon);
  if (!template) return { ok: false, why: `add-on ${addon} is not a template add-on enabled on ${cluster}` };
  if (!(template.spec.registration ?? []).some((r) => r.type === 'KubeClient')) return { ok: false, why: 'the template registers no kube client' };
  const parsed = subjectOf(csr);
  if ('why' in parsed) return { ok: false, why: parsed.why };
  const { subject } = parsed;
  const orgs = new Set(subject.organizations);
  if (orgs.size !== subject.organizations.length) return { ok: false, why: 'repeated organizations' };
  orgs.delete('system:authenticated');
  const groups = ADDON.groups(cluster, addon);
  if (orgs.size !== groups.length || !groups.every((g) => orgs.has(g))) return { ok: false, why: `organizations ${subject.organizations.join(',')} are not the add-on groups` };
  const user = ADDON.user(cluster, addon, ADDON.agentName(addon));
  if (subject.commonName !== user) return { ok: false, why: `common name ${subject.commonName ?? '<none>'} is not ${user}` };
  if (!csr.spec.username?.startsWith(`${IDENTITY.commonNamePrefix}${cluster}:`)) return { ok: false, why: `requester ${csr.spec.username} is not an agent of ${cluster}` };
  return { ok: true, cluster, addon };
}

export class AddonCsrReconciler implements Reconciler {
  readonly name = 'addon-csr-approval';

  constructor(private readonly deps: HubDeps) {}

  private templateOf = (cluster: string, addon: string) => templateInUse(this.deps.informers, cluster, addon);

  async reconcile(name: string): Promise<void> {
    const { client, log, informers, now } = this.deps;
    const csr = informers.csrs.get(name) as CertificateSigningRequest | undefined;
    if (!csr || isTerminal(csr) || !csr.metadata?.labels?.[LABEL.addonName]) return;
    const v = qualifyAddonCsr(csr, this.templateOf);
    if (!v.ok) {
      log.debug('add-on CSR not approved', { csr: name, why: v.why });
      return;
    }
    const body = approvedCsr(csr, now());
    const last = body.status!.conditions!.at(-1)!;
    last.reason = REASON.csr.autoApproved;
    last.message = 'Auto approving addon agent certificate.';
    await client.replace(resourcePath({ ...CSRS, name, subresource: 'approval' }), body);
    log.info('approved add-on CSR', { csr: name, cluster: v.cluster, addon: v.addon });
  }
}
