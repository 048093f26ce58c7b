/**
 * Loopback stand-ins for what sits between a client and its API server in the field: an HTTP
 * CONNECT forward proxy that records each tunnel it opens, and a TLS front that serves a chosen
 * certificate and passes the decrypted bytes on to the real API server over its own TLS.
 */
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';

export interface ConnectProxy {
  /** http://127.0.0.1:<port> */
  url: string;
  /** The host:port of each CONNECT, in order. */
  connects: string[];
  close(): Promise<void>;
}

/** A forward proxy that answers CONNECT only (what a client tunnelling https needs). */
export async function startConnectProxy(): Promise<ConnectProxy> {
  const connects: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => res.writeHead(405).end('CONNECT only\n'));
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = req.url ?? '';
    connects.push(target);
    const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
    const upstream = net.connect(port, host.replace(/^\[|\]$/g, ''), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connects,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface TlsFront {
  port: number;
  close(): Promise<void>;
}

/**
 * Terminates TLS with `cert`/`key` on 127.0.0.1 and forwards the plain bytes to `upstream`
 * (an https URL) over a new TLS connection verified with `upstreamCa`. Bearer tokens pass
 * through; client certificates cannot (the front holds the TLS session).
 */
export async function startTlsFront(opts: { certPem: string; keyPem: string; upstream: string; upstreamCa: string }): Promise<TlsFront> {
  const up = new URL(opts.upstream);
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ cert: opts.certPem, key: opts.keyPem, ALPNProtocols: ['http/1.1'] }, (front) => {
    const back = tls.connect({ host: up.hostname, port: Number(up.port), ca: opts.upstreamCa, ALPNProtocols: ['http/1.1'] });
    for (const s of [front, back]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    front.pipe(back);
    back.pipe(front);
    back.on('error', () => front.destroy());
    front.on('error', () => back.destroy());
  });
  server.on('tlsClientError', () => undefined); // a client that refuses the certificate: expected in one test
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
