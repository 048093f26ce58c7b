/**
 * The pure parts of add-on registration on the spoke: which registration an enabled add-on asks
 * for (its kube-client subject from the ManagedClusterAddOn status, either API version's shape),
 * where its agent runs, the CSR it files (OCM's labels, the subject as given), and the
 * `<addon>-hub-kubeconfig` secret it gets (kubeconfig, tls.crt, tls.key, cluster-name, addon-name).
 */
import type { ManagedClusterAddOn } from '../../../api/index.js';
import { ADDON, CSR_USAGES, LABEL, MANAGED_BY, SIGNER } from '../../../api/names.js';
import type { CertificateSigningRequest } from '../../../kube/certificates.js';
import { createCertificateRequest, newP256Key } from '../../../kube/pkcs10.js';
import { hubKubeconfigYaml, type HubCluster } from '../hub-kubeconfig.js';

export interface AddonSubject {
  user: string;
  groups: string[];
  organizationUnits?: string[];
}

/** One certificate an add-on asks for: its signer, subject and the spoke secret it lands in. */
export interface AddonRegistration {
  signerName: string;
  subject: AddonSubject;
  secretName: string;
}

/** OCM's secret names: `<addon>-hub-kubeconfig` for the kube client, `<addon>-<signer, / as ->-client-cert` for custom signers. */
export const registrationSecretName = (addon: string, signerName: string) =>
  signerName === SIGNER.kubeApiserverClient ? ADDON.hubKubeconfigSecret(addon) : `${addon}-${signerName.replaceAll('/', '-')}-client-cert`;

/** Every registration in the add-on's status (either API version's shape), kube client first. */
export function registrationsOf(mca: ManagedClusterAddOn | undefined): AddonRegistration[] {
  const out = new Map<string, AddonRegistration>();
  const kube = kubeClientSubject(mca);
  if (mca && kube) out.set(SIGNER.kubeApiserverClient, { signerName: SIGNER.kubeApiserverClient, subject: kube, secretName: registrationSecretName(mca.metadata.name!, SIGNER.kubeApiserverClient) });
  for (const r of (mca?.status?.registrations ?? []) as Array<Record<string, unknown>>) {
    const beta = r.type === 'customSigner' ? (r.customSigner as { signerName?: string; subject?: Record<string, unknown> } | undefined) : undefined;
    const signerName = beta?.signerName ?? (r.type === undefined ? (r.signerName as string | undefined) : undefined);
    if (!signerName || signerName === SIGNER.kubeApiserverClient || out.has(signerName)) continue;
    const s = (beta?.subject ?? r.subject ?? {}) as { user?: string; groups?: string[]; organizationUnits?: string[]; organizationUnit?: string[] };
    if (!s.user) continue;
    const subject = { user: s.user, groups: s.groups ?? [], organizationUnits: s.organizationUnits ?? s.organizationUnit ?? [] };
    out.set(signerName, { signerName, subject, secretName: registrationSecretName(mca!.metadata.name!, signerName) });
  }
  return [...out.values()];
}

/** The kube-client subject the hub registered for this add-on, if any. */
export function kubeClientSubject(mca: ManagedClusterAddOn | undefined): AddonSubject | undefined {
  for (const r of (mca?.status?.registrations ?? []) as Array<Record<string, unknown>>) {
    const beta = r.type === 'kubeClient' ? ((r.kubeClient as { subject?: Partial<AddonSubject> } | undefined)?.subject) : undefined;
    const alpha = r.signerName === SIGNER.kubeApiserverClient ? (r.subject as Partial<AddonSubject> | undefined) : undefined;
    const s = beta?.user ? beta : alpha;
    if (s?.user) return { user: s.user, groups: s.groups ?? [] };
  }
  return undefined;
}

/** Where the add-on agent runs: status.namespace, else v1alpha1 spec.installNamespace, else its annotation, else OCM's default. */
export function installNamespace(mca: ManagedClusterAddOn): string {
  return mca.status?.namespace || mca.spec?.installNamespace || mca.metadata.annotations?.[ADDON.installNamespaceAnnotation] || ADDON.defaultInstallNamespace;
}

export async function addonKeyAndRequest(subject: AddonSubject): Promise<{ keyPem: string; csrPem: string }> {
  const { privateKey } = await newP256Key();
  const subjectName = { commonName: subject.user, organizations: subject.groups, organizationalUnits: subject.organizationUnits ?? [] };
  const csrPem = createCertificateRequest(subjectName, privateKey);
  return { keyPem: privateKey.export({ type: 'sec1', format: 'pem' }).toString(), csrPem };
}

export function addonCsrObject(cluster: string, addon: string, csrPem: string, expirationSeconds?: number, signerName: string = SIGNER.kubeApiserverClient): CertificateSigningRequest {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { generateName: `addon-${cluster}-${addon}-`, labels: { [LABEL.clusterName]: cluster, [LABEL.addonName]: addon } },
    spec: {
      request: Buffer.from(csrPem).toString('base64'),
      signerName,
      usages: [...CSR_USAGES],
      ...(expirationSeconds ? { expirationSeconds } : {}),
    },
  };
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

export function addonSecret(namespace: string, cluster: string, addon: string, hub: HubCluster, certPem: string, keyPem: string) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: { name: ADDON.hubKubeconfigSecret(addon), namespace, labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.clusterName]: cluster, [LABEL.addonName]: addon } },
    data: { kubeconfig: b64(hubKubeconfigYaml(hub)), 'tls.crt': b64(certPem), 'tls.key': b64(keyPem), 'cluster-name': b64(cluster), 'addon-name': b64(addon) },
  };
}

/** A custom signer's certificate on the spoke: tls.crt, tls.key (no kubeconfig: it is not for the hub API). */
export function customSignerSecret(namespace: string, cluster: string, addon: string, name: string, certPem: string, keyPem: string) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: { name, namespace, labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.clusterName]: cluster, [LABEL.addonName]: addon } },
    data: { 'tls.crt': b64(certPem), 'tls.key': b64(keyPem) },
  };
}
