/**
 * The `hub-kubeconfig-secret` (ocm-protocol.md §1 "hub-kubeconfig secret"): its five keys, the
 * kubeconfig OCM writes there (the bootstrap current-context's cluster entry under the same name,
 * context `default-context`, user `default-auth` with relative `tls.crt`/`tls.key` paths), and
 * the rules that decide whether an existing secret can be reused or the agent bootstraps again.
 * Pure: inputs are strings and Secret `data` maps (base64 values), outputs the same.
 */
import { KubeConfig, pemData, singleContextConfig, type Cluster } from '../../kube/kubeconfig.js';
import { HUB_KUBECONFIG_KEYS as K } from '../../api/names.js';
import { certMatchesKey, parseCertificate, type CertInfo } from './csr.js';

export const DEFAULT_CONTEXT = 'default-context';
export const DEFAULT_AUTH = 'default-auth';
export const DEFAULT_NAMESPACE = 'configuration';

/** The hub as the bootstrap kubeconfig's current context names it. */
export type HubCluster = Pick<Cluster, 'name' | 'server' | 'caData' | 'caFile' | 'proxyUrl' | 'tlsServerName'>;

/** The current context's cluster of a kubeconfig; throws a readable error when there is none. */
export function currentHubCluster(kubeconfigText: string, what = 'kubeconfig'): HubCluster {
  const c = KubeConfig.fromText(kubeconfigText, what).requireCurrentCluster(what);
  const out: HubCluster = { name: c.name, server: c.server };
  if (c.caData) out.caData = c.caData;
  if (c.caFile) out.caFile = c.caFile;
  if (c.proxyUrl) out.proxyUrl = c.proxyUrl;
  if (c.tlsServerName) out.tlsServerName = c.tlsServerName;
  return out;
}

const decodeB64 = (s: string | undefined): Buffer | undefined => (s === undefined ? undefined : Buffer.from(s, 'base64'));

/** OCM's rule: server, proxy-url, CA (path and data) and the cluster entry name are all the same. */
export function sameHub(a: HubCluster, b: HubCluster): boolean {
  const da = decodeB64(a.caData);
  const db = decodeB64(b.caData);
  const sameData = da === undefined || db === undefined ? da === db : da.equals(db);
  return a.name === b.name && a.server === b.server && a.proxyUrl === b.proxyUrl && a.caFile === b.caFile && sameData;
}

/** The `kubeconfig` key of the secret: the hub entry from bootstrap, relative cert and key paths. */
export function hubKubeconfigYaml(hub: HubCluster): string {
  return singleContextConfig({
    cluster: { ...hub },
    user: { name: DEFAULT_AUTH, certFile: K.cert, keyFile: K.key },
    context: { name: DEFAULT_CONTEXT, namespace: DEFAULT_NAMESPACE },
  }).toYaml();
}

export interface HubCredentials {
  certPem: string;
  keyPem: string;
}

const b64 = pemData;
const unb64 = (s: string | undefined) => (s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8'));

/** The secret's `data` (base64 values): kubeconfig, tls.crt, tls.key, cluster-name, agent-name. */
export function hubKubeconfigSecretData(hub: HubCluster, creds: HubCredentials, clusterName: string, agentName: string): Record<string, string> {
  return {
    [K.kubeconfig]: b64(hubKubeconfigYaml(hub)),
    [K.cert]: b64(creds.certPem),
    [K.key]: b64(creds.keyPem),
    [K.clusterName]: b64(clusterName),
    [K.agentName]: b64(agentName),
  };
}

export type SecretCheck =
  | {
      valid: true;
      creds: HubCredentials;
      cert: CertInfo;
      /** Keys whose content differs from what the agent would write (repaired in place). */
      drift: string[];
    }
  | { valid: false; reason: string };

/**
 * Whether an existing hub-kubeconfig-secret can be used as is (OCM's rules): its kubeconfig names
 * the bootstrap's hub (server, proxy-url, CA, cluster entry name); its certificate chain has not
 * expired, names this cluster and agent, and belongs to its key.
 */
export function checkHubKubeconfigSecret(
  data: Record<string, string> | undefined,
  bootstrap: HubCluster,
  clusterName: string,
  agentName: string,
  now: Date,
): SecretCheck {
  if (!data) return { valid: false, reason: 'the secret does not exist' };
  const kubeconfig = unb64(data[K.kubeconfig]);
  const certPem = unb64(data[K.cert]);
  const keyPem = unb64(data[K.key]);
  if (!kubeconfig) return { valid: false, reason: `no ${K.kubeconfig} key` };
  if (!certPem || !keyPem) return { valid: false, reason: `no ${K.cert} or ${K.key} key` };
  let hub: HubCluster;
  try {
    hub = currentHubCluster(kubeconfig, `the ${K.kubeconfig} key`);
  } catch (err) {
    return { valid: false, reason: (err as Error).message };
  }
  if (!sameHub(hub, bootstrap)) return { valid: false, reason: 'it names another hub than the bootstrap kubeconfig (server, proxy, CA or cluster name differ)' };
  let cert: CertInfo;
  try {
    cert = parseCertificate(certPem);
  } catch (err) {
    return { valid: false, reason: `unreadable certificate: ${(err as Error).message}` };
  }
  if (now.getTime() >= cert.notAfter.getTime()) return { valid: false, reason: `the certificate expired at ${cert.notAfter.toISOString()}` };
  if (cert.cluster !== clusterName || cert.agent !== agentName) {
    return { valid: false, reason: `the certificate is for ${cert.cluster ?? '?'}:${cert.agent ?? '?'}, not ${clusterName}:${agentName}` };
  }
  if (!certMatchesKey(certPem, keyPem)) return { valid: false, reason: 'the certificate does not belong to the key' };
  const drift: string[] = [];
  if (kubeconfig !== hubKubeconfigYaml(bootstrap)) drift.push(K.kubeconfig);
  if (unb64(data[K.clusterName]) !== clusterName) drift.push(K.clusterName);
  if (unb64(data[K.agentName]) !== agentName) drift.push(K.agentName);
  return { valid: true, creds: { certPem, keyPem }, cert, drift };
}

/** The agent's own client config for the hub: the same entry, with the cert and key inline. */
export function hubKubeConfig(hub: HubCluster, creds: HubCredentials): KubeConfig {
  return singleContextConfig({
    cluster: { ...hub, skipTLSVerify: false },
    user: { name: DEFAULT_AUTH, certData: pemData(creds.certPem), keyData: pemData(creds.keyPem) },
    context: { name: DEFAULT_CONTEXT, namespace: DEFAULT_NAMESPACE },
  });
}

/** The bootstrap kubeconfig as a client config (its own credentials: token or certificate). */
export function bootstrapKubeConfig(text: string): KubeConfig {
  const kc = KubeConfig.fromText(text, 'the bootstrap kubeconfig');
  kc.requireCurrentCluster('the bootstrap kubeconfig'); // readable errors first
  return kc;
}
