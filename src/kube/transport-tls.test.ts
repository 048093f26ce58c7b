/**
 * TLS trust of both transports against a real https server: the cluster's CA and only it, the
 * server's name, and the client certificate, for every connection of a client (the node transport
 * shares one secure context between its connections).
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { KubeClient } from './client.js';
import { KubeConfig } from './kubeconfig.js';
import type { TransportKind } from './transport.js';
import { createCertificateAuthority, issueCertificate, type CertificateAuthority } from '../sandbox/pki.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
let clusterCa: CertificateAuthority;
let otherCa: CertificateAuthority;
let server: https.Server;
let url: string;
const clientNames: string[] = [];
let connections = 0;
let resumed = 0;

beforeAll(async () => {
  [clusterCa, otherCa] = await Promise.all([createCertificateAuthority('cluster-ca'), createCertificateAuthority('other-ca')]);
  const serving = await issueCertificate(clusterCa, { commonName: 'apiserver', usages: ['server'], ipAddresses: ['127.0.0.1'], dnsNames: ['apiserver.test'] });
  server = https.createServer({ cert: serving.certPem, key: serving.keyPem, ca: clusterCa.certPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    clientNames.push(String((req.socket as TLSSocket).getPeerCertificate().subject.CN));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ path: req.url }));
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    connections++;
    if (socket.isSessionReused()) resumed++;
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function client(transport: TransportKind, ca: CertificateAuthority, extra: { tlsServerName?: string } = {}): Promise<KubeClient> {
  // The client certificate is always one the server accepts: a refusal is the client's own.
  const user = await issueCertificate(clusterCa, { commonName: 'alice', usages: ['client'] });
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: url, caData: b64(ca.certPem), ...extra }],
    users: [{ name: 'u', certData: b64(user.certPem), keyData: b64(user.keyPem) }],
    contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
    currentContext: 'c',
  });
  return KubeClient.create(kc, 'tls-test', { transport });
}

describe.each<TransportKind>(['node', 'undici'])('TLS over the %s transport', (transport) => {
  test('the cluster CA verifies the server; parallel requests (several connections) all present the client certificate', async () => {
    const c = await client(transport, clusterCa);
    try {
      clientNames.length = 0;
      connections = 0;
      resumed = 0;
      const paths = ['/a', '/b', '/c', '/d'];
      expect(await Promise.all(paths.map((p) => c.get(p)))).toEqual(paths.map((path) => ({ path })));
      expect(clientNames).toEqual(['alice', 'alice', 'alice', 'alice']);
      expect(connections).toBeGreaterThan(1);
      // The node transport sends the others once the first has its answer: their new connections
      // resume its TLS session (verified in full once), they do not handshake in full again.
      if (transport === 'node') expect(resumed).toBe(connections - 1);
    } finally {
      await c.close();
    }
  });

  test('a server whose certificate another CA signed is refused, and the request never arrives', async () => {
    const c = await client(transport, otherCa);
    try {
      clientNames.length = 0;
      const err = await c.get('/x').catch((e: unknown) => e);
      expect(String((err as Error).message)).toMatch(/SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT/);
      expect(clientNames).toEqual([]);
    } finally {
      await c.close();
    }
  });

  test('a certificate for another name is refused (tls-server-name that the certificate does not carry)', async () => {
    const c = await client(transport, clusterCa, { tlsServerName: 'elsewhere.test' });
    try {
      clientNames.length = 0;
      const err = await c.get('/x').catch((e: unknown) => e);
      expect(String((err as Error).message)).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
      expect(clientNames).toEqual([]);
    } finally {
      await c.close();
    }
  });
});
