/**
 * Add-on registration on the spoke (OCM's klusterlet add-on registration controller), keyed by
 * add-on name. For each registration in a ManagedClusterAddOn's status (the kube client, custom
 * signers): a fresh key and a CSR with the subject and signer the hub registered (labels
 * cluster-name and addon-name), then the secret in the add-on's install namespace once the CSR is
 * issued (`<addon>-hub-kubeconfig`, or `<addon>-<signer>-client-cert`), renewed at 20–25 % of
 * remaining life (ClusterCertificateRotated for the kube client). Secrets go when the add-on is
 * disabled or stops registering; they move when the install namespace changes.
 * The private key stays in memory until it is written to the secret on this spoke; a CSR pending
 * when the klusterlet restarts is abandoned and a new one filed (OCM does the same).
 */
import type { KubeClient, KubeObject } from '../../../kube/client.js';
import { describeError, isAlreadyExists } from '../../../kube/errors.js';
import { resourcePath } from '../../../kube/resources.js';
import { LEASES, NAMESPACES, SECRETS, type Secret } from '../../../kube/core.js';
import { MANAGED_CLUSTER_ADDONS_V1BETA1, type ManagedClusterAddOn } from '../../../api/index.js';
import { ADDON_COND, ADDON_REASON, FIELD_MANAGER, LABEL, MANAGED_BY, SIGNER } from '../../../api/names.js';
import { setCondition, type Condition } from '../../core/conditions.js';
import { Controller } from '../../core/controller.js';
import { createInformer, type ListWatchInformer } from '../../core/informer.js';
import { patchStatus } from '../../core/patch.js';
import type { Logger, Reconciler, ReconcileResult } from '../../core/types.js';
import { CSRS, csrState, type CertificateSigningRequest } from '../../../kube/certificates.js';
import { issuedCertificate, parseCertificate, rotationThreshold, rotationTime } from '../csr.js';
import type { HubCluster } from '../hub-kubeconfig.js';
import { startOnIdentity, type AgentStarter } from '../agent-starter.js';
import type { HubIdentity } from '../registration.js';
import { followingClient } from '../work/agent.js';
import { addonCsrObject, addonKeyAndRequest, addonSecret, customSignerSecret, installNamespace, registrationsOf, type AddonRegistration, type AddonSubject } from './credentials.js';
import { AddonLeaseReporter } from './lease.js';

export interface AddonAgentOptions {
  cluster: string;
  hub: () => KubeClient;
  /** The hub as the agent's own kubeconfig names it (server and CA for the add-on kubeconfigs). */
  hubCluster: () => HubCluster;
  spoke: KubeClient;
  log: Logger;
  expirationSeconds?: number;
}

interface Pending {
  keyPem: string;
  csrName: string;
  subject: AddonSubject;
  filedAt: number;
}

/** A CSR filed this long ago and still not seen is taken as lost (deleted), and filed again. */
const CSR_LOST_MS = 60_000;

const rotatedMessage = (certPem: string) => {
  const c = parseCertificate(certPem);
  return `client certificate rotated starting from ${c.notBefore.toISOString()} to ${c.notAfter.toISOString()}`;
};

class AddonRegistrationReconciler implements Reconciler {
  readonly name = 'addon-registration';
  private readonly pending = new Map<string, Pending>();
  private readonly threshold = rotationThreshold();
  private readonly namespaces = new Set<string>();

  constructor(
    private readonly o: AddonAgentOptions,
    private readonly addons: ListWatchInformer<ManagedClusterAddOn>,
    private readonly csrs: ListWatchInformer<CertificateSigningRequest>,
    private readonly secrets: ListWatchInformer<Secret>,
  ) {}

  async reconcile(addon: string): Promise<ReconcileResult | void> {
    const { cluster, spoke, log } = this.o;
    const mca = this.addons.get(`${cluster}/${addon}`);
    // A deleting add-on held by a finalizer (OCM's pre-delete hook) keeps its credentials: the hook runs with them.
    const alive = mca && (!mca.metadata.deletionTimestamp || mca.metadata.finalizers?.length) ? mca : undefined;
    const regs = registrationsOf(alive);
    const ns = mca ? installNamespace(mca) : '';
    const mine = this.secrets.list((s) => s.metadata?.labels?.[LABEL.addonName] === addon);
    for (const s of mine) {
      if (s.metadata!.namespace === ns && regs.some((r) => r.secretName === s.metadata!.name)) continue;
      await spoke.delete(resourcePath({ ...SECRETS, namespace: s.metadata!.namespace!, name: s.metadata!.name! })).catch(() => undefined);
      log.info('add-on credentials removed', { addon, namespace: s.metadata!.namespace, secret: s.metadata!.name });
    }
    for (const k of this.pending.keys()) if (k.startsWith(`${addon}|`) && !regs.some((r) => k === `${addon}|${r.signerName}`)) this.pending.delete(k);
    if (!alive) return;
    await this.ensureNamespace(ns);
    let requeue: number | undefined;
    for (const reg of regs) {
      const after = (await this.registration(alive, ns, reg, mine.find((s) => s.metadata!.namespace === ns && s.metadata!.name === reg.secretName)))?.requeueAfterMs;
      if (after !== undefined) requeue = Math.min(requeue ?? after, after);
    }
    return requeue === undefined ? undefined : { requeueAfterMs: requeue };
  }

  /** One registration: the secret is current, or its CSR is in flight, or a CSR is filed now. */
  private async registration(mca: ManagedClusterAddOn, ns: string, reg: AddonRegistration, current: Secret | undefined): Promise<ReconcileResult | void> {
    const { cluster, spoke, log } = this.o;
    const addon = mca.metadata.name!;
    const kube = reg.signerName === SIGNER.kubeApiserverClient;
    const key = `${addon}|${reg.signerName}`;
    const renewAt = current && this.renewalTime(current, reg.subject);
    if (renewAt && renewAt > Date.now()) {
      // Level-based: a condition write lost to a conflict after the secret was written is redone here.
      if (kube) await this.rotated(mca, 'True', ADDON_REASON.certUpdated, rotatedMessage(Buffer.from(current.data?.['tls.crt'] ?? '', 'base64').toString('utf8')));
      return { requeueAfterMs: Math.min(renewAt - Date.now(), 2 ** 31 - 1) };
    }
    const p = this.pending.get(key);
    if (p && p.subject.user === reg.subject.user) {
      const csr = this.csrs.get(p.csrName);
      // Not in the cache yet (its add event will come), or approved and not yet signed: wait.
      if (!csr) return Date.now() - p.filedAt < CSR_LOST_MS ? { requeueAfterMs: CSR_LOST_MS } : this.drop(key);
      const state = csrState(csr);
      const cert = issuedCertificate(csr);
      if (state === 'pending' || (state === 'approved' && !cert)) return;
      this.pending.delete(key);
      if (state !== 'approved' || !cert) {
        if (kube) await this.rotated(mca, 'False', ADDON_REASON.certUpdateFailed, `CSR ${p.csrName} is ${state}`);
        return { requeueAfterMs: 30_000 };
      }
      const secret = kube ? addonSecret(ns, cluster, addon, this.o.hubCluster(), cert, p.keyPem) : customSignerSecret(ns, cluster, addon, reg.secretName, cert, p.keyPem);
      await spoke.patch(resourcePath({ ...SECRETS, namespace: ns, name: secret.metadata.name }), secret, 'apply', { fieldManager: FIELD_MANAGER.registration, force: true });
      log.info('add-on credentials written', { addon, namespace: ns, secret: reg.secretName, csr: p.csrName });
      if (kube) await this.rotated(mca, 'True', ADDON_REASON.certUpdated, rotatedMessage(cert));
      return;
    }
    const { keyPem, csrPem } = await addonKeyAndRequest(reg.subject);
    const created = await this.o.hub().create<CertificateSigningRequest>(resourcePath(CSRS), addonCsrObject(cluster, addon, csrPem, this.o.expirationSeconds, reg.signerName));
    this.pending.set(key, { keyPem, csrName: created.metadata!.name!, subject: reg.subject, filedAt: Date.now() });
    log.info('add-on CSR filed', { addon, csr: created.metadata!.name, signer: reg.signerName, user: reg.subject.user });
  }

  private drop(key: string): ReconcileResult {
    this.pending.delete(key);
    return { requeueAfterMs: 0 };
  }

  /** When the secret's certificate should be renewed; undefined when it is unusable now. */
  private renewalTime(s: Secret, subject: AddonSubject): number | undefined {
    try {
      const cert = parseCertificate(Buffer.from(s.data?.['tls.crt'] ?? '', 'base64').toString('utf8'));
      if (cert.commonName !== subject.user) return undefined;
      return rotationTime(cert.notBefore, cert.notAfter, this.threshold).getTime();
    } catch {
      return undefined;
    }
  }

  /** OCM's klusterlet operator creates the default add-on namespace; ours makes each one an add-on names. */
  private async ensureNamespace(ns: string): Promise<void> {
    if (this.namespaces.has(ns)) return;
    try {
      await this.o.spoke.create(resourcePath(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { [LABEL.managedBy]: MANAGED_BY } } });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    this.namespaces.add(ns);
  }

  private async rotated(mca: ManagedClusterAddOn, status: 'True' | 'False', reason: string, message: string): Promise<void> {
    const conditions = setCondition(mca.status?.conditions as Condition[] | undefined, { type: ADDON_COND.certRotated, status, reason, message });
    if (conditions.changed) await patchStatus(this.o.hub(), MANAGED_CLUSTER_ADDONS_V1BETA1, mca, { conditions });
  }
}

export interface AddonAgent {
  stop(): Promise<void>;
}

export function startAddonAgent(o: AddonAgentOptions): AddonAgent {
  const log = o.log.child({ agent: 'addon', cluster: o.cluster });
  const hub = followingClient(o.hub);
  const addons = createInformer<ManagedClusterAddOn>(hub, { ref: { ...MANAGED_CLUSTER_ADDONS_V1BETA1, namespace: o.cluster } }, log.child({ informer: 'hub-addons' }));
  const csrs = createInformer<CertificateSigningRequest>(hub, { ref: CSRS, labelSelector: `${LABEL.clusterName}=${o.cluster},${LABEL.addonName}` }, log.child({ informer: 'hub-addon-csrs' }));
  const secrets = createInformer<Secret>(o.spoke, { ref: SECRETS, labelSelector: LABEL.addonName }, log.child({ informer: 'addon-secrets' }));
  const reg = new Controller({ reconciler: new AddonRegistrationReconciler({ ...o, hub: () => hub }, addons, csrs, secrets), workers: 2 }, log.child({ controller: 'addon-registration' }));
  const name = (x: KubeObject) => x.metadata?.name ?? '';
  reg.watches(addons, (a) => [name(a)]);
  reg.watches(csrs, (c) => [c.metadata?.labels?.[LABEL.addonName] ?? '']);
  reg.watches(secrets, (s) => [s.metadata?.labels?.[LABEL.addonName] ?? '']);
  const leaseInf = createInformer<KubeObject>(o.spoke, { ref: LEASES }, log.child({ informer: 'addon-leases' }));
  const leases = new AddonLeaseReporter({ cluster: o.cluster, hub: () => hub, spoke: o.spoke, addons, leases: leaseInf, log });
  const ctrl = new AbortController();
  const runs = [reg.run(ctrl.signal), leases.run(ctrl.signal)];
  for (const inf of [addons, csrs, secrets, leaseInf]) inf.start().catch((err: unknown) => log.warn('add-on informer did not start', { error: describeError(err) }));
  log.info('add-on agent started');
  return {
    stop: async () => {
      ctrl.abort();
      await Promise.all(runs);
      for (const inf of [addons, csrs, secrets, leaseInf]) inf.stop();
      log.info('add-on agent stopped');
    },
  };
}

/** The hub entry of the agent's identity, with a CA file inlined (add-on pods cannot read the host's path). */
export function portableHub(id: HubIdentity): HubCluster {
  const hub = { ...id.hub };
  if (!hub.caData && hub.caFile) {
    const ca = id.kubeConfig.getCurrentCluster()?.caData;
    if (ca) {
      hub.caData = ca;
      delete hub.caFile;
    }
  }
  return hub;
}

/** The klusterlet seam (main.ts AGENTS): starts on the first hub identity and follows rotations. */
export function addonAgentStarter(): AgentStarter {
  return async (reg, log, flags) => {
    return startOnIdentity(reg, (current) =>
      startAddonAgent({
        cluster: reg.clusterName,
        hub: () => current().client,
        hubCluster: () => portableHub(current()),
        spoke: reg.spoke,
        log,
        expirationSeconds: flags.clientCertExpirationSeconds,
      }),
    );
  };
}
