import { setTimeout as delay } from 'node:timers/promises';
import type https from 'node:https';
import type { KubeConfig } from './kubeconfig.js';
import { KubeApiError, rootCauseCode } from './errors.js';
import { createTransport, transportDefaults, type Transport, type TransportKind } from './transport.js';
import { readLines } from './lines.js';

/** The minimal shape every Kubernetes object has. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [key: string]: unknown;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  [key: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface KubeList<T> {
  items: T[];
  metadata: { resourceVersion?: string; continue?: string };
}

export interface WatchEvent<T = KubeObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** Per-request deadline in ms (default 30 s); watches use their own inactivity timer. */
  timeoutMs?: number;
  /** Return the body as text (pod logs), not parsed JSON. */
  raw?: boolean;
  /** The Accept header (default application/json). */
  accept?: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const METADATA_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';

export interface ClientOptions {
  /** How requests reach the wire (src/kube/transport.ts); default KubeClient.defaultTransport. */
  transport?: TransportKind;
}

/**
 * A small REST client over one kubeconfig context: one pool of connections, JSON in and out,
 * Status errors turned into KubeApiError, and line-delimited watch streams.
 * The KubeConfig handles every credential type; this class only moves bytes.
 */
export class KubeClient {
  /**
   * The transport of clients created without one: undici's pool, for long-running processes.
   * The CLI's entry point (src/main.ts) sets 'node': a one-shot command should not load undici.
   */
  static get defaultTransport(): TransportKind {
    return transportDefaults.kind;
  }

  static set defaultTransport(kind: TransportKind) {
    transportDefaults.kind = kind;
  }

  readonly server: string;
  private headers: Record<string, string> = {};
  private headersAt = 0;

  private constructor(
    readonly kc: KubeConfig,
    server: string,
    private readonly transport: Transport,
    readonly userAgent: string,
  ) {
    this.server = server.replace(/\/+$/, '');
  }

  static async create(kc: KubeConfig, userAgent = 'ocmadm', options: ClientOptions = {}): Promise<KubeClient> {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const opts: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    const tls = {
      ca: opts.ca as string | Buffer | undefined,
      cert: opts.cert as string | Buffer | undefined,
      key: opts.key as string | Buffer | undefined,
      rejectUnauthorized: !cluster.skipTLSVerify,
      ...(opts.servername ? { servername: opts.servername } : {}),
    };
    const transport = await createTransport(options.transport ?? KubeClient.defaultTransport, cluster, tls);
    const client = new KubeClient(kc, cluster.server, transport, userAgent);
    client.headers = toHeaderRecord(opts.headers);
    client.headersAt = Date.now();
    return client;
  }

  /** Releases pooled connections. */
  async close(): Promise<void> {
    await this.transport.close();
  }

  async request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const url = this.url(path, opts.query);
    // A timer cleared when the request ends, not AbortSignal.timeout: that one stays armed for
    // the whole period and fires into the finished fetch (thousands per minute at scale).
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout.signal]) : timeout.signal;
    try {
      return await this.send<T>(method, url, opts, signal);
    } finally {
      clearTimeout(timer);
    }
  }

  private async send<T>(method: string, url: string, opts: RequestOptions, signal: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { ...(await this.authHeaders()), Accept: opts.accept ?? 'application/json', 'User-Agent': this.userAgent };
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    }
    // As client-go: a 429 (or a 5xx carrying Retry-After) was not processed, so it is sent again
    // after the delay the server asks for, a bounded number of times.
    for (let attempt = 1; ; attempt++) {
      let res;
      try {
        res = await this.transport.send({ method, url, headers, body, signal });
      } catch (err) {
        throw transportError(err, method, url, this.server);
      }
      let text: string;
      try {
        text = await res.text();
      } catch (err) {
        // The deadline can also pass while the body is still arriving.
        throw transportError(err, method, url, this.server);
      }
      if (res.status >= 200 && res.status < 300) return (opts.raw ? text : text ? JSON.parse(text) : undefined) as T;
      const retryAfter = retryDelayMs(res.status, res.header('retry-after'));
      if (retryAfter === undefined || attempt >= MAX_RETRIES) throw statusError(res.status, text, method, url);
      try {
        await delay(retryAfter, undefined, { signal });
      } catch (err) {
        throw transportError(err, method, url, this.server);
      }
    }
  }

  get<T = KubeObject>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, { query });
  }

  list<T = KubeObject>(path: string, query?: Query): Promise<KubeList<T>> {
    return this.request<KubeList<T>>('GET', path, { query });
  }

  /**
   * The objects' metadata only (a PartialObjectMetadataList, as kubectl asks for when it needs
   * names): a CRD list without the schemas is a few KB instead of megabytes. A server that cannot
   * answer so sends the full list, which reads the same. An empty one comes as `items: null`.
   */
  async listMetadata(path: string, opts: Pick<RequestOptions, 'query' | 'timeoutMs' | 'signal'> = {}): Promise<KubeList<KubeObject>> {
    const list = await this.request<KubeList<KubeObject>>('GET', path, { ...opts, accept: METADATA_LIST });
    return { ...list, items: list.items ?? [] };
  }

  create<T = KubeObject>(path: string, body: unknown, query?: Query): Promise<T> {
    return this.request<T>('POST', path, { body, query });
  }

  replace<T = KubeObject>(path: string, body: unknown, query?: Query): Promise<T> {
    return this.request<T>('PUT', path, { body, query });
  }

  patch<T = KubeObject>(path: string, body: unknown, type: PatchType = 'merge', query?: Query): Promise<T> {
    return this.request<T>('PATCH', path, { body, contentType: PATCH_CONTENT_TYPES[type], query });
  }

  delete<T = KubeObject>(path: string, body?: unknown, query?: Query): Promise<T> {
    return this.request<T>('DELETE', path, { body, query });
  }

  /**
   * Streams watch events until the server closes the stream, the signal aborts, or no byte
   * arrives for `idleMs` (a hung connection). Resolves on a clean close; rejects on errors.
   */
  async watch<T = KubeObject>(
    path: string,
    query: Query,
    onEvent: (ev: WatchEvent<T>) => void,
    opts: { signal?: AbortSignal; idleMs?: number } = {},
  ): Promise<void> {
    // A signal aborted before the call would never fire its listener: end at once.
    if (opts.signal?.aborted) return;
    const url = this.url(path, { ...query, watch: true, allowWatchBookmarks: true });
    const ctrl = new AbortController();
    const abort = () => ctrl.abort();
    opts.signal?.addEventListener('abort', abort, { once: true });
    const idleMs = opts.idleMs ?? 90_000;
    // A stream is idle when no byte came for idleMs. Each chunk only stamps the time: re-arming a
    // timer per event cost the hub about 2 % of its CPU at steady state (one lease renewal each).
    let lastByteAt = performance.now();
    const checkIdle = () => {
      const quietMs = performance.now() - lastByteAt;
      if (quietMs >= idleMs) abort();
      else idle = setTimeout(checkIdle, idleMs - quietMs);
    };
    let idle = setTimeout(checkIdle, idleMs);
    try {
      let res;
      try {
        res = await this.transport.send({
          method: 'GET',
          url,
          headers: { ...(await this.authHeaders()), Accept: 'application/json', 'User-Agent': this.userAgent },
          signal: ctrl.signal,
        });
      } catch (err) {
        if (opts.signal?.aborted) return;
        throw transportError(err, 'GET', url, this.server);
      }
      if (res.status !== 200) throw statusError(res.status, await res.text(), 'GET', url);
      try {
        await readLines(res.stream(), (line) => {
          const ev = JSON.parse(line) as WatchEvent<T>;
          if (ev.type === 'ERROR') {
            const st = ev.object as unknown as { code?: number; reason?: string; message?: string };
            throw new KubeApiError(st.message ?? 'watch error', st.code ?? 500, st.reason ?? 'Unknown', 'GET', url);
          }
          onEvent(ev);
        }, () => (lastByteAt = performance.now()));
      } catch (err) {
        if (err instanceof KubeApiError) throw err;
        if (opts.signal?.aborted) return;
        if (ctrl.signal.aborted) throw new KubeApiError(`watch on ${path} went silent for ${idleMs} ms`, 0, 'Timeout', 'GET', url);
        throw transportError(err, 'GET', url, this.server);
      }
    } finally {
      clearTimeout(idle);
      opts.signal?.removeEventListener('abort', abort);
      ctrl.abort();
    }
  }

  /**
   * Uses `token` from now on, here and in the KubeConfig (so the per-minute header refresh keeps
   * it), e.g. after a ServiceAccount token was re-minted through TokenRequest.
   */
  setBearerToken(token: string): void {
    const user = this.kc.getCurrentUser();
    if (user) this.kc.users = this.kc.users.map((u) => (u.name === user.name ? { ...u, token } : u));
    this.headers = { ...this.headers, Authorization: `Bearer ${token}` };
    this.headersAt = Date.now();
  }

  private url(path: string, query?: Query): string {
    const u = new URL(this.server + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  /** Credentials that live in headers (tokens, exec plugins); refreshed each minute. */
  private async authHeaders(): Promise<Record<string, string>> {
    if (Date.now() - this.headersAt > 60_000) {
      const opts: https.RequestOptions = {};
      await this.kc.applyToHTTPSOptions(opts);
      this.headers = toHeaderRecord(opts.headers);
      this.headersAt = Date.now();
    }
    return this.headers;
  }
}

function toHeaderRecord(h: https.RequestOptions['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) if (v !== undefined) out[k] = String(v);
  return out;
}

const MAX_RETRIES = 10;

/** The delay before sending again, or undefined when the answer is final. */
export function retryDelayMs(status: number, retryAfter: string | null): number | undefined {
  const seconds = retryAfter !== null && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter) : undefined;
  if (status === 429) return Math.min(seconds ?? 1, 10) * 1000;
  if (status >= 500 && seconds !== undefined) return Math.min(seconds, 10) * 1000;
  return undefined;
}

function statusError(status: number, text: string, method: string, url: string): KubeApiError {
  let message = text.trim() || `HTTP ${status}`;
  let reason = 'Unknown';
  let causes: string[] = [];
  try {
    const st = JSON.parse(text) as { message?: string; reason?: string; details?: { causes?: { reason?: string }[] } };
    if (st.message) message = st.message;
    if (st.reason) reason = st.reason;
    causes = (st.details?.causes ?? []).map((c) => c.reason ?? '').filter(Boolean);
  } catch {
    /* not a Status object */
  }
  if (reason === 'Unknown') reason = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 410: 'Gone' }[status] ?? 'Unknown';
  return new KubeApiError(message, status, reason, method, url, undefined, causes);
}

function transportError(err: unknown, method: string, url: string, server: string): KubeApiError {
  const code = rootCauseCode(err);
  const name = (err as { name?: string })?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new KubeApiError(`request to ${server} timed out`, 0, 'Timeout', method, url, code ?? 'ETIMEDOUT');
  }
  // fetch's own message is "fetch failed"; the cause says why (e.g. "bad port").
  const cause = (err as { cause?: Error })?.cause;
  const detail = code ?? (cause?.message || (err as Error)?.message || String(err));
  return new KubeApiError(`cannot reach ${server}: ${detail}`, 0, 'Unreachable', method, url, code ?? cause?.message);
}
