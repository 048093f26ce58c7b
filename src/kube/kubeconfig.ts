/**
 * The one kubeconfig model of ocmadm: every kubeconfig it reads and every one it writes goes
 * through here. Same shape and methods as client-node's KubeConfig (the subset ocmadm uses),
 * without loading client-node: importing client-node costs ~450 ms of start-up (its generated API
 * models), most of a CLI run. Credentials it handles itself: CA, client certificates (data or
 * files), tokens, token files, basic auth, impersonation; the connection settings tls-server-name
 * and proxy-url reach the client (client.ts). Exec plugins and auth providers are delegated to
 * client-node, loaded only for the users that need it.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type https from 'node:https';
import yaml from 'js-yaml';

export interface Cluster {
  name: string;
  server: string;
  caData?: string;
  caFile?: string;
  skipTLSVerify?: boolean;
  tlsServerName?: string;
  proxyUrl?: string;
}

export interface User {
  name: string;
  certData?: string | null;
  certFile?: string | null;
  keyData?: string | null;
  keyFile?: string | null;
  token?: string;
  /** Read at each use, so a rotated token (projected ServiceAccount tokens) is picked up. */
  tokenFile?: string;
  username?: string | null;
  password?: string | null;
  impersonateUser?: string | null;
  exec?: unknown;
  authProvider?: { name?: string; config?: Record<string, string> } | null;
}

export interface Context {
  name: string;
  cluster: string;
  user: string;
  namespace?: string;
}

interface Options {
  clusters: Cluster[];
  users: User[];
  contexts: Context[];
  currentContext: string;
}

type RawNamed<T> = { name?: string } & T;
interface RawConfig {
  clusters?: RawNamed<{ cluster?: Record<string, unknown> }>[];
  users?: RawNamed<{ user?: Record<string, unknown> }>[];
  contexts?: RawNamed<{ context?: Record<string, unknown> }>[];
  'current-context'?: string;
}

const SERVICEACCOUNT_ROOT = '/var/run/secrets/kubernetes.io/serviceaccount';
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function parseClusters(raw: RawConfig['clusters']): Cluster[] {
  return (raw ?? []).map((e, i) => {
    const c = e.cluster;
    // "" is a name: kubeadm's cluster-info kubeconfig has one cluster so named.
    if (typeof e.name !== 'string') throw new Error(`clusters[${i}].name is missing`);
    if (!c || !str(c.server)) throw new Error(`clusters[${i}].cluster.server is missing`);
    return {
      name: e.name as string,
      server: str(c.server)!.replace(/\/$/, ''),
      caData: str(c['certificate-authority-data']),
      caFile: str(c['certificate-authority']),
      skipTLSVerify: c['insecure-skip-tls-verify'] === true,
      tlsServerName: str(c['tls-server-name']),
      proxyUrl: str(c['proxy-url']),
    };
  });
}

function parseUsers(raw: RawConfig['users']): User[] {
  return (raw ?? []).map((e, i) => {
    if (!e.name) throw new Error(`users[${i}].name is missing`);
    const u = e.user ?? {};
    return {
      name: e.name,
      certData: str(u['client-certificate-data']),
      certFile: str(u['client-certificate']),
      keyData: str(u['client-key-data']),
      keyFile: str(u['client-key']),
      token: str(u.token),
      tokenFile: str(u.tokenFile) ?? str(u['token-file']),
      username: str(u.username),
      password: str(u.password),
      impersonateUser: str(u.as),
      exec: u.exec ?? undefined,
      authProvider: (u['auth-provider'] as User['authProvider']) ?? undefined,
    };
  });
}

function parseContexts(raw: RawConfig['contexts']): Context[] {
  return (raw ?? []).map((e, i) => {
    if (!e.name) throw new Error(`contexts[${i}].name is missing`);
    if (!e.context) throw new Error(`contexts[${i}].context is missing`);
    return { name: e.name, cluster: String(e.context.cluster ?? ''), user: String(e.context.user ?? ''), namespace: str(e.context.namespace) };
  });
}

const fromFileOrData = (file?: string | null, data?: string | null): Buffer | undefined =>
  file ? fs.readFileSync(file) : data ? Buffer.from(data, 'base64') : undefined;

/** base64 of a PEM text, as `certificate-authority-data` and `client-*-data` hold it. */
export const pemData = (pem: string): string => Buffer.from(pem, 'utf8').toString('base64');

/** The PEM bundle that verifies a cluster (its `certificate-authority-data` or file), if any. */
export function clusterCaPem(cluster: Pick<Cluster, 'caData' | 'caFile'>): string | undefined {
  // kubectl refuses a cluster with both; of the two, data is what the file would have been copied to.
  return fromFileOrData(cluster.caData ? undefined : cluster.caFile, cluster.caData)?.toString('utf8');
}

/** Two PEM bundles as one (the hub CA and a proxy CA, as clusteradm's join merges them). */
export function mergeCaPem(a: string, b: string): string {
  const end = (s: string) => (s.endsWith('\n') ? s : `${s}\n`);
  return end(a) + end(b);
}

/** What a kubeconfig with one context (the only kind ocmadm writes) is made of. */
export interface SingleContext {
  cluster: Cluster;
  user: User;
  context: { name: string; namespace?: string };
}

/** A kubeconfig with one cluster, one user and one context, made current. */
export function singleContextConfig(spec: SingleContext): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [spec.cluster],
    users: [spec.user],
    contexts: [{ name: spec.context.name, cluster: spec.cluster.name, user: spec.user.name, namespace: spec.context.namespace }],
    currentContext: spec.context.name,
  });
  return kc;
}

export class KubeConfig {
  clusters: Cluster[] = [];
  users: User[] = [];
  contexts: Context[] = [];
  currentContext = '';

  /** Parses kubeconfig text; each error is one line that names `what`. */
  static fromText(text: string, what = 'kubeconfig'): KubeConfig {
    let doc: unknown;
    try {
      doc = yaml.load(text);
    } catch (err) {
      throw new Error(`${what} is not YAML: ${(err as Error).message.split('\n')[0]}`);
    }
    if (!doc || typeof doc !== 'object') throw new Error(`${what} is empty`);
    const kc = new KubeConfig();
    try {
      kc.loadFromString(text);
    } catch (err) {
      throw new Error(`${what}: ${(err as Error).message}`);
    }
    return kc;
  }

  loadFromString(text: string): void {
    const doc = (yaml.load(text) ?? {}) as RawConfig;
    if (typeof doc !== 'object') throw new Error('the kubeconfig is not a YAML mapping');
    this.clusters = parseClusters(doc.clusters);
    this.users = parseUsers(doc.users);
    this.contexts = parseContexts(doc.contexts);
    this.currentContext = doc['current-context'] ?? '';
  }

  /** Relative certificate and key paths are relative to the file, as in kubectl. */
  loadFromFile(file: string): void {
    this.loadFromString(fs.readFileSync(file, 'utf8'));
    const dir = path.dirname(file);
    const abs = (p?: string | null) => (p && !path.isAbsolute(p) ? path.join(dir, p) : (p ?? undefined));
    for (const c of this.clusters) c.caFile = abs(c.caFile);
    for (const u of this.users) {
      u.certFile = abs(u.certFile);
      u.keyFile = abs(u.keyFile);
      u.tokenFile = abs(u.tokenFile);
    }
  }

  loadFromOptions(opts: Partial<Options>): void {
    this.clusters = opts.clusters ?? [];
    this.users = opts.users ?? [];
    this.contexts = opts.contexts ?? [];
    this.currentContext = opts.currentContext ?? '';
  }

  /** The pod's ServiceAccount (token re-read at each use: kubelet rotates it). */
  loadFromCluster(): void {
    const host = process.env.KUBERNETES_SERVICE_HOST ?? '';
    const port = process.env.KUBERNETES_SERVICE_PORT ?? '443';
    const server = `https://${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
    let namespace: string | undefined;
    try {
      namespace = fs.readFileSync(`${SERVICEACCOUNT_ROOT}/namespace`, 'utf8');
    } catch {
      /* outside a pod: no default namespace */
    }
    this.loadFromOptions({
      clusters: [{ name: 'inCluster', server, caFile: `${SERVICEACCOUNT_ROOT}/ca.crt`, skipTLSVerify: false }],
      users: [{ name: 'inClusterUser', tokenFile: `${SERVICEACCOUNT_ROOT}/token` }],
      contexts: [{ name: 'inClusterContext', cluster: 'inCluster', user: 'inClusterUser', namespace }],
      currentContext: 'inClusterContext',
    });
  }

  addCluster(c: Cluster): void {
    this.clusters.push(c);
  }
  addUser(u: User): void {
    this.users.push(u);
  }
  addContext(c: Context): void {
    this.contexts.push(c);
  }

  getContexts(): Context[] {
    return this.contexts;
  }
  getCurrentContext(): string {
    return this.currentContext;
  }
  setCurrentContext(name: string): void {
    this.currentContext = name;
  }
  getContextObject(name: string): Context | undefined {
    return this.contexts.find((c) => c.name === name);
  }
  getCurrentCluster(): Cluster | null {
    const ctx = this.getContextObject(this.currentContext);
    return (ctx && this.clusters.find((c) => c.name === ctx.cluster)) ?? null;
  }
  getCurrentUser(): User | null {
    const ctx = this.getContextObject(this.currentContext);
    return (ctx && this.users.find((u) => u.name === ctx.user)) ?? null;
  }

  /** The current context's cluster; a readable error (naming `what`) when there is none. */
  requireCurrentCluster(what = 'kubeconfig'): Cluster {
    if (!this.currentContext) throw new Error(`${what} has no current-context`);
    const ctx = this.getContextObject(this.currentContext);
    if (!ctx?.cluster) throw new Error(`${what}: context "${this.currentContext}" is missing or names no cluster`);
    const cluster = this.clusters.find((c) => c.name === ctx.cluster);
    if (!cluster) throw new Error(`${what}: cluster "${ctx.cluster}" of context "${this.currentContext}" is missing`);
    return cluster;
  }

  /** The kubeconfig as kubectl writes it: YAML, kubectl's field names, no line folding. */
  toYaml(): string {
    return yaml.dump(JSON.parse(this.exportConfig()), { lineWidth: -1, noRefs: true });
  }

  /** The kubeconfig as YAML-compatible JSON text (kubectl's field names). */
  exportConfig(): string {
    const drop = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));
    return JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: this.clusters.map((c) => ({
        name: c.name,
        cluster: drop({
          server: c.server,
          'certificate-authority-data': c.caData,
          'certificate-authority': c.caFile,
          'insecure-skip-tls-verify': c.skipTLSVerify || undefined,
          'tls-server-name': c.tlsServerName,
          'proxy-url': c.proxyUrl,
        }),
      })),
      users: this.users.map((u) => ({
        name: u.name,
        user: drop({
          'client-certificate-data': u.certData,
          'client-certificate': u.certFile,
          'client-key-data': u.keyData,
          'client-key': u.keyFile,
          token: u.token,
          tokenFile: u.tokenFile,
          username: u.username,
          password: u.password,
          as: u.impersonateUser,
          exec: u.exec,
          'auth-provider': u.authProvider,
        }),
      })),
      contexts: this.contexts.map((c) => ({ name: c.name, context: drop({ cluster: c.cluster, user: c.user, namespace: c.namespace }) })),
      preferences: {},
      'current-context': this.currentContext,
    });
  }

  /** TLS material and auth headers of the current context, in the shape node's https takes. */
  async applyToHTTPSOptions(opts: https.RequestOptions): Promise<void> {
    const cluster = this.getCurrentCluster();
    const user = this.getCurrentUser();
    if (cluster?.skipTLSVerify) opts.rejectUnauthorized = false;
    if (cluster?.tlsServerName) opts.servername = cluster.tlsServerName;
    const ca = cluster ? fromFileOrData(cluster.caFile, cluster.caData) : undefined;
    if (ca) opts.ca = ca;
    if (!user) return;
    const cert = fromFileOrData(user.certFile, user.certData);
    if (cert) opts.cert = cert;
    const key = fromFileOrData(user.keyFile, user.keyData);
    if (key) opts.key = key;
    const headers = (opts.headers ??= {}) as Record<string, string>;
    if (user.impersonateUser) headers['Impersonate-User'] = user.impersonateUser;
    if (user.exec || (user.authProvider && user.authProvider.name !== 'tokenFile')) {
      // Rare and slow by nature (they run programs or call identity providers): client-node does it.
      const { KubeConfig: Full } = await import('@kubernetes/client-node');
      const full = new Full();
      full.loadFromString(this.exportConfig());
      const delegated: https.RequestOptions = {};
      await full.applyToHTTPSOptions(delegated);
      Object.assign(headers, delegated.headers ?? {});
      // An exec plugin may answer with a client certificate instead of a token.
      if (delegated.cert) opts.cert = delegated.cert;
      if (delegated.key) opts.key = delegated.key;
      return;
    }
    // As kubectl: an explicit token wins over a token file.
    const tokenFile = user.tokenFile ?? user.authProvider?.config?.tokenFile;
    const token = user.token ?? (tokenFile ? fs.readFileSync(tokenFile, 'utf8').trim() : undefined);
    if (token) headers.Authorization = `Bearer ${token}`;
    else if (user.username && user.password) headers.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
  }
}
