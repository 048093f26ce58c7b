/**
 * Health endpoints on plain node:http: /healthz, /readyz, /livez (livez falls back to healthz), and
 * /metrics (Prometheus text) when given.
 * A check returns true when healthy; false or a string (the reason) when not; throwing counts as
 * unhealthy. Bound to 127.0.0.1 unless told otherwise; port 0 picks a free port.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type HealthCheck = () => boolean | string | Promise<boolean | string>;

export interface HealthServerOptions {
  port: number;
  host?: string;
  checks: { healthz: HealthCheck; readyz: HealthCheck; livez?: HealthCheck };
  /** The /metrics body (metrics.ts); no /metrics without it. */
  metrics?: () => string;
}

export interface HealthServer {
  /** The bound port (the real one when 0 was asked). */
  readonly port: number;
  close(): Promise<void>;
}

async function evaluate(check: HealthCheck): Promise<{ ok: boolean; reason: string }> {
  try {
    const r = await check();
    if (r === true) return { ok: true, reason: 'ok' };
    return { ok: false, reason: typeof r === 'string' && r ? r : 'not ok' };
  } catch (err) {
    return { ok: false, reason: (err as Error)?.message || String(err) };
  }
}

export async function startHealthServer(opts: HealthServerOptions): Promise<HealthServer> {
  const checks: Record<string, HealthCheck> = {
    '/healthz': opts.checks.healthz,
    '/readyz': opts.checks.readyz,
    '/livez': opts.checks.livez ?? opts.checks.healthz,
  };
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/\/+$/, '');
    if (path === '/metrics' && opts.metrics) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { 'Content-Type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
        return;
      }
      const body = opts.metrics();
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    const check = checks[path];
    if (!check || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(check ? 405 : 404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(check ? 'method not allowed\n' : 'not found\n');
      return;
    }
    void evaluate(check).then(({ ok, reason }) => {
      res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : `${reason}\n`);
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // probes keep connections alive; do not wait for them
      })),
  };
}
