import http from 'node:http';
import { startHealthServer, type HealthServer } from './health.js';

function get(port: number, path: string, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('health server', () => {
  let srv: HealthServer | undefined;
  afterEach(async () => {
    await srv?.close();
    srv = undefined;
  });

  test('serves healthz/readyz/livez on a picked port', async () => {
    let ready: boolean | string = 'informers not synced';
    srv = await startHealthServer({ port: 0, checks: { healthz: () => true, readyz: () => ready } });
    expect(srv.port).toBeGreaterThan(0);
    expect(await get(srv.port, '/healthz')).toEqual({ status: 200, body: 'ok\n' });
    expect(await get(srv.port, '/livez')).toEqual({ status: 200, body: 'ok\n' });
    expect(await get(srv.port, '/readyz')).toEqual({ status: 503, body: 'informers not synced\n' });
    ready = true;
    expect((await get(srv.port, '/readyz/')).status).toBe(200);
    expect((await get(srv.port, '/readyz', 'HEAD')).status).toBe(200);
    expect((await get(srv.port, '/metrics')).status).toBe(404);
    expect((await get(srv.port, '/healthz', 'POST')).status).toBe(405);
  });

  test('/metrics answers with the given exposition text when there is one', async () => {
    srv = await startHealthServer({ port: 0, checks: { healthz: () => true, readyz: () => true }, metrics: () => 'up 1\n' });
    expect(await get(srv.port, '/metrics')).toEqual({ status: 200, body: 'up 1\n' });
    expect((await get(srv.port, '/metrics', 'POST')).status).toBe(405);
  });

  test('false, a throw or a rejected promise are unhealthy', async () => {
    srv = await startHealthServer({
      port: 0,
      checks: {
        healthz: () => false,
        readyz: async () => {
          throw new Error('lease lost');
        },
        livez: () => {
          throw new Error('wedged');
        },
      },
    });
    expect(await get(srv.port, '/healthz')).toEqual({ status: 503, body: 'not ok\n' });
    expect(await get(srv.port, '/readyz')).toEqual({ status: 503, body: 'lease lost\n' });
    expect(await get(srv.port, '/livez')).toEqual({ status: 503, body: 'wedged\n' });
  });

  test('close frees the port', async () => {
    const s = await startHealthServer({ port: 0, checks: { healthz: () => true, readyz: () => true } });
    await s.close();
    await expect(get(s.port, '/healthz')).rejects.toThrow();
  });
});
