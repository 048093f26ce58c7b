/**
 * The two transports (src/kube/transport.ts) give KubeClient the same answers: JSON bodies
 * (gzipped or not), Status errors, Retry-After, watch lines, and transport failures.
 */
import http from 'node:http';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { KubeClient, type WatchEvent } from './client.js';
import { KubeApiError, isUnreachable } from './errors.js';
import { KubeConfig } from './kubeconfig.js';
import { transportDefaults, type TransportKind } from './transport.js';

let server: http.Server;
let base: string;
const seen: { method: string; url: string; auth?: string; accept?: string; body: string }[] = [];
let busyOnce = true;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, accept: req.headers.accept, body });
      if (req.url!.startsWith('/meta')) {
        // What an API server answers a metadata-only list that matches nothing.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1","metadata":{},"items":null}');
      } else if (req.url!.startsWith('/big')) {
        const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
        const text = JSON.stringify({ items: Array.from({ length: 2000 }, (_, i) => ({ name: `n${i}` })) });
        res.writeHead(200, { 'content-type': 'application/json', ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
        res.end(gzip ? zlib.gzipSync(text) : text);
      } else if (req.url!.startsWith('/missing')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', message: 'things "x" not found', reason: 'NotFound', code: 404 }));
      } else if (req.url!.startsWith('/busy')) {
        if (busyOnce) {
          busyOnce = false;
          res.writeHead(429, { 'retry-after': '0' });
          res.end('slow down');
        } else {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"ok":true}');
        }
      } else if (req.url!.includes('watch=true')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(`${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a' } } })}\n`);
        res.end(`${JSON.stringify({ type: 'MODIFIED', object: { metadata: { name: 'a' } } })}\n`);
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ method: req.method, body: body ? JSON.parse(body) : null }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function config(server_: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: 'c', server: server_ }], users: [{ name: 'u', token: 'tok' }], contexts: [{ name: 'c', cluster: 'c', user: 'u' }], currentContext: 'c' });
  return kc;
}

describe.each<TransportKind>(['undici', 'node'])('over the %s transport', (transport) => {
  let client: KubeClient;
  beforeAll(async () => {
    client = await KubeClient.create(config(base), 'transport-test', { transport });
  });
  afterAll(() => client.close());

  test('a JSON body goes out with its token and comes back parsed', async () => {
    expect(await client.patch('/things/a', { spec: { n: 1 } })).toEqual({ method: 'PATCH', body: { spec: { n: 1 } } });
    expect(seen.at(-1)).toMatchObject({ method: 'PATCH', url: '/things/a', auth: 'Bearer tok' });
  });

  test('listMetadata asks for PartialObjectMetadataList (JSON as the fallback) and reads an empty one as no items', async () => {
    expect((await client.listMetadata('/meta')).items).toEqual([]);
    expect(seen.at(-1)?.accept).toBe('application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json');
  });

  test('a gzipped answer is read whole', async () => {
    const list = await client.get<{ items: { name: string }[] }>('/big');
    expect(list.items).toHaveLength(2000);
    expect(list.items[1999]!.name).toBe('n1999');
  });

  test('a Status answer becomes a KubeApiError with its reason', async () => {
    const err = await client.get('/missing').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect(err).toMatchObject({ status: 404, reason: 'NotFound', message: 'things "x" not found' });
  });

  test('a 429 is sent again after Retry-After', async () => {
    busyOnce = true;
    expect(await client.get('/busy')).toEqual({ ok: true });
  });

  test('a watch delivers each line as an event, then ends with the stream', async () => {
    const events: WatchEvent[] = [];
    await client.watch('/things', {}, (ev) => events.push(ev));
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED']);
  });

  test('a server that is not there is Unreachable, with the cause', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const gone = await KubeClient.create(config(`http://127.0.0.1:${port}`), 'transport-test', { transport });
    try {
      const err = await gone.get('/x').catch((e: unknown) => e);
      expect(isUnreachable(err)).toBe(true);
      expect((err as KubeApiError).message).toBe(`cannot reach http://127.0.0.1:${port}: ECONNREFUSED`);
    } finally {
      await gone.close();
    }
  });
});

// src/main.ts sets the default on transportDefaults so that a run that never talks to a cluster
// does not load the client; clients and the runtimes read and write it as KubeClient.defaultTransport.
test('KubeClient.defaultTransport is the default the CLI entry point sets, both ways', () => {
  const before = transportDefaults.kind;
  try {
    transportDefaults.kind = 'node';
    expect(KubeClient.defaultTransport).toBe('node');
    KubeClient.defaultTransport = 'undici';
    expect(transportDefaults.kind).toBe('undici');
  } finally {
    transportDefaults.kind = before;
  }
});
