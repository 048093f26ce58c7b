import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeClient } from './client.js';
import { KubeApiError } from './errors.js';
import { KubeConfig } from './kubeconfig.js';
import type { TransportKind } from './transport.js';

// A real local server that answers the headers and then stalls the body.
let server: http.Server;
let kc: KubeConfig;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"partial":');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  kc = new KubeConfig();
  const server_ = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  kc.loadFromOptions({ clusters: [{ name: 'c', server: server_ }], users: [{ name: 'u', token: 't' }], contexts: [{ name: 'c', cluster: 'c', user: 'u' }], currentContext: 'c' });
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe.each<TransportKind>(['undici', 'node'])('over the %s transport', (transport) => {
  test('a body that stops arriving ends at the deadline as a Timeout KubeApiError', async () => {
    const client = await KubeClient.create(kc, 'timeout-test', { transport });
    try {
      const err = await client.request('GET', '/stall', { timeoutMs: 200 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KubeApiError);
      expect((err as KubeApiError).reason).toBe('Timeout');
    } finally {
      await client.close();
    }
  });
});
