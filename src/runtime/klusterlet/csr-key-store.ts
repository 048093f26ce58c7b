/**
 * The CSR in flight, kept on the spoke (Secret `hub-kubeconfig-secret-csr-key` in the agent
 * namespace): its private key, the CSR's name once known, and for whom and which hub it was made.
 * OCM holds this in memory only and files a new CSR after every restart; keeping it lets a
 * restarted agent resume the same CSR, so an agent never has more than one pending. The key
 * stays on the spoke: it is written only to this Secret and never logged. This store is the one
 * reader of the Secret (direct GETs: a store must read its own writes, which a cache may not yet
 * hold); the registration owns the one instance and hands it to the CSR request.
 */
import type { KubeClient } from '../../kube/client.js';
import { SECRETS, type Secret } from '../../kube/core.js';
import { isAlreadyExists, isNotFound } from '../../kube/errors.js';
import { resourcePath } from '../../kube/resources.js';
import { LABEL, MANAGED_BY, SECRET } from '../../api/names.js';

export interface PendingCsr {
  /** PEM EC PRIVATE KEY of the request. */
  keyPem: string;
  /** Name of the filed CSR; unset between "key saved" and "CSR created". */
  csrName?: string;
  cluster: string;
  agent: string;
  /** The hub server the CSR was filed on (exactly as in the bootstrap kubeconfig). */
  hubServer: string;
  purpose: 'bootstrap' | 'rotation';
}

/** Keys of the csr-key secret (join --wait reads cluster-name and csr-name to find its agent's CSR). */
export const CSR_KEY_FIELDS = { key: 'tls.key', csrName: 'csr-name', cluster: 'cluster-name', agent: 'agent-name', hub: 'hub-server', purpose: 'purpose' } as const;

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string | undefined) => (s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8'));

export class CsrKeyStore {
  private readonly path: string;

  constructor(
    private readonly spoke: KubeClient,
    private readonly namespace: string,
    readonly name: string = SECRET.csrKey,
  ) {
    this.path = resourcePath({ ...SECRETS, namespace, name });
  }

  /** The stored CSR state, or undefined when there is none (or it is unreadable). */
  async load(): Promise<PendingCsr | undefined> {
    let s: Secret;
    try {
      s = await this.spoke.get<Secret>(this.path);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    const d = s.data ?? {};
    const keyPem = unb64(d[CSR_KEY_FIELDS.key]);
    const cluster = unb64(d[CSR_KEY_FIELDS.cluster]);
    const agent = unb64(d[CSR_KEY_FIELDS.agent]);
    const hubServer = unb64(d[CSR_KEY_FIELDS.hub]);
    const purpose = unb64(d[CSR_KEY_FIELDS.purpose]);
    if (!keyPem || !cluster || !agent || !hubServer || (purpose !== 'bootstrap' && purpose !== 'rotation')) return undefined;
    const csrName = unb64(d[CSR_KEY_FIELDS.csrName]) || undefined;
    return { keyPem, csrName, cluster, agent, hubServer, purpose };
  }

  async save(p: PendingCsr): Promise<void> {
    const data: Record<string, string> = {
      [CSR_KEY_FIELDS.key]: b64(p.keyPem),
      [CSR_KEY_FIELDS.cluster]: b64(p.cluster),
      [CSR_KEY_FIELDS.agent]: b64(p.agent),
      [CSR_KEY_FIELDS.hub]: b64(p.hubServer),
      [CSR_KEY_FIELDS.purpose]: b64(p.purpose),
    };
    if (p.csrName) data[CSR_KEY_FIELDS.csrName] = b64(p.csrName);
    const body: Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: this.name, namespace: this.namespace, labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.clusterName]: p.cluster } },
      data,
    };
    const collection = resourcePath({ ...SECRETS, namespace: this.namespace });
    try {
      await this.spoke.create(collection, body);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      // Only this agent writes the secret: replacing without a resourceVersion is safe.
      await this.spoke.replace(this.path, body);
    }
  }

  async clear(): Promise<void> {
    try {
      await this.spoke.delete(this.path);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
