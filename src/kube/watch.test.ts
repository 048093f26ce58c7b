/**
 * Watch streams: lines split across and within chunks (readLines), and the idle deadline, which
 * counts from the last byte and not from the start (over both transports, on a real local server).
 */
import http from 'node:http';
import { PassThrough } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { KubeClient, type WatchEvent } from './client.js';
import { readLines } from './lines.js';
import { KubeApiError } from './errors.js';
import { KubeConfig } from './kubeconfig.js';
import type { TransportKind } from './transport.js';

describe('readLines', () => {
  const collect = async (chunks: (string | Buffer)[]) => {
    const s = new PassThrough();
    const lines: string[] = [];
    let chunkCount = 0;
    const done = readLines(s, (l) => lines.push(l), () => chunkCount++);
    for (const c of chunks) s.write(c);
    s.end();
    await done;
    return { lines, chunkCount };
  };

  test('a line split over chunks, several lines in one chunk, CRLF and a last line without newline', async () => {
    const { lines, chunkCount } = await collect(['{"a":', '1}\n{"b":2}\n{"c"', ':3}\r\n\n', '{"d":4}']);
    expect(lines.map((l) => JSON.parse(l))).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }, { d: 4 }]);
    expect(chunkCount).toBe(4);
  });

  test('a multi-byte character cut between two chunks arrives whole', async () => {
    const bytes = Buffer.from('{"name":"café"}\n');
    const cut = bytes.indexOf(0xc3) + 1;
    const { lines } = await collect([bytes.subarray(0, cut), bytes.subarray(cut)]);
    expect(JSON.parse(lines[0]!)).toEqual({ name: 'café' });
  });

  test('a handler that throws ends the read with its error and destroys the stream', async () => {
    const s = new PassThrough();
    const done = readLines(s, (l) => {
      if (l === 'bad') throw new Error('bad line');
    });
    s.write('good\nbad\nnever\n');
    await expect(done).rejects.toThrow('bad line');
    expect(s.destroyed).toBe(true);
  });

  test('a stream destroyed before its end rejects instead of hanging', async () => {
    const s = new PassThrough();
    const done = readLines(s, () => undefined);
    s.write('x\n');
    s.destroy();
    await expect(done).rejects.toThrow('closed before its end');
  });
});

// /silent sends one event and then nothing; /trickle sends an event every 100 ms for 1 s.
let server: http.Server;
let kc: KubeConfig;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const event = (i: number) => `${JSON.stringify({ type: 'MODIFIED', object: { metadata: { name: `n${i}` } } })}\n`;
    res.write(event(0));
    if (req.url!.startsWith('/trickle')) {
      let i = 1;
      const timer = setInterval(() => {
        if (i > 10) {
          clearInterval(timer);
          res.end();
        } else res.write(event(i++));
      }, 100);
      res.on('close', () => clearInterval(timer));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  kc = new KubeConfig();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  kc.loadFromOptions({ clusters: [{ name: 'c', server: url }], users: [{ name: 'u', token: 't' }], contexts: [{ name: 'c', cluster: 'c', user: 'u' }], currentContext: 'c' });
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe.each<TransportKind>(['undici', 'node'])('a watch over the %s transport', (transport) => {
  let client: KubeClient;
  beforeAll(async () => {
    client = await KubeClient.create(kc, 'watch-test', { transport });
  });
  afterAll(() => client.close());

  test('a stream that goes silent ends after idleMs as a Timeout KubeApiError, with the events before it delivered', async () => {
    const events: WatchEvent[] = [];
    const started = performance.now();
    const err = await client.watch('/silent', {}, (e) => events.push(e), { idleMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect(err).toMatchObject({ reason: 'Timeout', message: 'watch on /silent went silent for 300 ms' });
    expect(events.map((e) => e.object.metadata?.name)).toEqual(['n0']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  test('a stream that keeps sending is not idle, however long it lasts', async () => {
    const events: WatchEvent[] = [];
    await client.watch('/trickle', {}, (e) => events.push(e), { idleMs: 300 });
    expect(events).toHaveLength(11);
  });

  test('the caller signal ends a watch quietly', async () => {
    const ctrl = new AbortController();
    const events: WatchEvent[] = [];
    const done = client.watch('/silent', {}, (e) => {
      events.push(e);
      ctrl.abort();
    }, { signal: ctrl.signal, idleMs: 60_000 });
    await expect(done).resolves.toBeUndefined();
    expect(events).toHaveLength(1);
  });
});
