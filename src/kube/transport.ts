/**
 * How KubeClient's requests reach the wire. Two interchangeable transports:
 * - 'undici': a pooled undici Agent; the long-running runtimes' choice (throughput under load).
 * - 'node': Node's own http/https modules, already inside the node binary; the CLI's choice, since
 *   a one-shot command would spend more time loading undici (~700 KB of JavaScript) than talking.
 * A proxy-url always goes through undici's ProxyAgent (HTTP CONNECT tunnels, as kubectl).
 */
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { Cluster } from './kubeconfig.js';
import { KubeConfigError } from './errors.js';

export type TransportKind = 'undici' | 'node';

/**
 * The transport of clients created without one (KubeClient.defaultTransport reads and writes it).
 * Kept here, not on KubeClient, so the CLI's entry point can set it without loading the client.
 */
export const transportDefaults: { kind: TransportKind } = { kind: 'undici' };

/** TLS settings for the connections to one API server. */
export interface TlsOptions {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  rejectUnauthorized: boolean;
  servername?: string;
}

export interface TransportRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

export interface TransportResponse {
  status: number;
  header(name: string): string | null;
  /** The whole body as text; rejects when the connection fails or the signal aborts meanwhile. */
  text(): Promise<string>;
  /** The body as a byte stream (watches). */
  stream(): Readable;
}

export interface Transport {
  send(req: TransportRequest): Promise<TransportResponse>;
  /** Releases pooled connections. */
  close(): Promise<void>;
}

const POOL = { keepAliveTimeout: 30_000, connections: 64 };

/**
 * Loads node:tls now. Loading it makes Node parse its bundled root certificates and those of
 * NODE_EXTRA_CA_CERTS on a second thread (on Node 24 about 90 M instructions with this machine's
 * extra CAs), and the first secure context of a run waits for that. The CLI calls this as soon as
 * it knows its command talks to a cluster, so the parsing overlaps the command's own start-up
 * instead of delaying its first request. Trust is untouched: this is the module every https
 * request loads anyway, only sooner.
 */
export function preloadTls(): void {
  process.getBuiltinModule('node:tls');
}

export async function createTransport(kind: TransportKind, cluster: Cluster, tls: TlsOptions): Promise<Transport> {
  if (kind === 'node' && !cluster.proxyUrl) return nodeTransport(cluster.server, tls);
  return undiciTransport(await dispatcherFor(cluster, tls));
}

/**
 * Node's http(s).request over a keep-alive Agent. Built-ins are taken with getBuiltinModule, not
 * imported: no cost for processes that never pick this transport, and no ESM namespace of
 * node:http (building one reads its lazy WebSocket getters, which load Node's internal undici).
 */
function nodeTransport(server: string, tls: TlsOptions): Transport {
  const secure = server.startsWith('https:');
  const mod = secure ? process.getBuiltinModule('node:https') : process.getBuiltinModule('node:http');
  const agent = new mod.Agent({ keepAlive: true, maxSockets: POOL.connections, ...(secure ? withSecureContext(tls) : {}) });
  const send = (r: TransportRequest) =>
    new Promise<TransportResponse>((resolve, reject) => {
      // As Go's client (and so kubectl, clusteradm): ask for gzip, which the API server uses for big answers.
      const headers = { ...r.headers, 'Accept-Encoding': 'gzip', ...(r.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(r.body)) } : {}) };
      // fetch rejects with the signal's reason (a TimeoutError from KubeClient's deadline): same here.
      const req = mod.request(r.url, { method: r.method, headers, agent, signal: r.signal }, (res) =>
        resolve(bodyResponse(res.statusCode ?? 0, (name) => res.headers[name.toLowerCase()], res, r.signal)),
      );
      req.on('error', (err) => reject(r.signal.aborted ? (r.signal.reason ?? err) : err));
      req.end(r.body);
    });
  // Requests wait for the answer (headers) to the client's first one: by then its connection has
  // a TLS session, and the agent resumes it on the connections that parallel requests open
  // (no certificate chain to verify, no client signature), instead of each doing a full handshake.
  let first: Promise<unknown> | undefined;
  return {
    send(r) {
      if (!secure) return send(r);
      if (!first) return (first = send(r));
      return first.then(
        () => send(r),
        () => send(r),
      );
    },
    close: async () => agent.destroy(),
  };
}

/**
 * The TLS options with one secure context built from them, shared by every connection of the
 * client: without it tls.connect builds a context per connection (parsing the CA, certificate and
 * key again), and a command's parallel requests open several. Trust is
 * the same: the context holds exactly the CA it is given (Node's default roots when none), and
 * rejectUnauthorized and the server name are still checked per connection.
 */
function withSecureContext(tls: TlsOptions): TlsOptions & { secureContext: import('node:tls').SecureContext } {
  const { createSecureContext } = process.getBuiltinModule('node:tls');
  return { ...tls, secureContext: createSecureContext({ ca: tls.ca, cert: tls.cert, key: tls.key }) };
}

/** A response whose body is a Node stream, gzipped when the server chose so (both transports ask for it). */
function bodyResponse(status: number, rawHeader: (name: string) => string | string[] | undefined, body: Readable, signal: AbortSignal): TransportResponse {
  const header = (name: string) => {
    const v = rawHeader(name);
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
  };
  const stream = (): Readable => {
    if (header('content-encoding') !== 'gzip') return body;
    const zlib = process.getBuiltinModule('node:zlib');
    const gunzip = zlib.createGunzip();
    body.on('error', (err) => gunzip.destroy(err));
    return body.pipe(gunzip);
  };
  return {
    status,
    header,
    async text() {
      let text = '';
      try {
        const s = stream();
        s.setEncoding('utf8');
        for await (const chunk of s) text += chunk as string;
      } catch (err) {
        throw signal.aborted ? (signal.reason ?? err) : err;
      }
      if (signal.aborted) throw signal.reason;
      return text;
    },
    stream,
  };
}

// undici is loaded on the first client that uses it, not at start-up.
// In the CLI's split bundle (scripts/build-cli.mjs) a CommonJS package's namespace is only its default.
let undici: Promise<typeof import('undici')> | undefined;
const loadUndici = () => (undici ??= import('undici').then((m) => ('Agent' in m ? m : (m as { default: typeof m }).default)));

/**
 * undici's request(), not its fetch(): the body is a Node stream from the start, where fetch's
 * WHATWG stream (and the conversion back for a watch) cost the hub about a tenth of its CPU at
 * steady state. As fetch did, it rejects with the signal's reason when the signal aborts.
 */
function undiciTransport(dispatcher: Dispatcher): Transport {
  return {
    async send(r) {
      const { request } = await loadUndici();
      const headers = { ...r.headers, 'accept-encoding': 'gzip' };
      let res;
      try {
        res = await request(r.url, { method: r.method as Dispatcher.HttpMethod, headers, body: r.body, dispatcher, signal: r.signal });
      } catch (err) {
        throw r.signal.aborted ? (r.signal.reason ?? err) : err;
      }
      return bodyResponse(res.statusCode, (name) => res.headers[name.toLowerCase()], res.body, r.signal);
    },
    close: () => dispatcher.close().catch(() => undefined),
  };
}

/**
 * One pooled connection owner per client. TLS: the CA, client certificate and key, and the name
 * the server's certificate must carry (tls-server-name, else the URL's host). With proxy-url the
 * connections are tunnelled through the proxy with HTTP CONNECT, as kubectl does; an https proxy
 * is verified with the same CA bundle (clusteradm's join appends the proxy CA to it).
 */
async function dispatcherFor(cluster: Cluster, tls: TlsOptions): Promise<Dispatcher> {
  const { Agent, ProxyAgent } = await loadUndici();
  if (!cluster.proxyUrl) return new Agent({ connect: tls, ...POOL });
  const proxy = proxyUrl(cluster);
  return new ProxyAgent({ uri: proxy.href, requestTls: tls, proxyTls: { ca: tls.ca, rejectUnauthorized: tls.rejectUnauthorized }, ...POOL });
}

function proxyUrl(cluster: Cluster): URL {
  let url: URL;
  try {
    url = new URL(cluster.proxyUrl!);
  } catch {
    throw new KubeConfigError(`cluster "${cluster.name}" has a proxy-url that is not a URL: ${cluster.proxyUrl}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new KubeConfigError(`cluster "${cluster.name}" has proxy-url scheme ${url.protocol.replace(/:$/, '')}: only http and https proxies are supported`);
  }
  return url;
}
