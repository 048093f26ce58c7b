/**
 * The kubeconfig's connection settings reach the wire, as kubectl honours them: proxy-url
 * tunnels every request through an HTTP CONNECT proxy (the CLI's clients and the klusterlet's
 * hub connection alike), and tls-server-name is the name the server's certificate is checked
 * against when the URL names the server by IP.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeClient } from '../../src/kube/client.js';
import { isTlsError, isUnreachable } from '../../src/kube/errors.js';
import { KubeConfig, pemData, singleContextConfig } from '../../src/kube/kubeconfig.js';
import { resourcePath } from '../../src/kube/resources.js';
import { SECRET } from '../../src/api/names.js';
import { bootstrapKubeconfigYaml } from '../../src/install/klusterlet/bootstrap-kubeconfig.js';
import { createLogger } from '../../src/runtime/core/log.js';
import { startRegistrationAgent, type HubIdentity, type RegistrationAgent } from '../../src/runtime/klusterlet/main.js';
import { createCertificateAuthority, issueCertificate } from '../../src/sandbox/pki.js';
import { adminClient, adminKubeConfig, loadClusters, uniqueName, whoAmI } from '../support/clusters.js';
import { CSRS } from '../../src/kube/certificates.js';
import { Cleanup, serviceAccountToken } from '../hub/identities.js';
import { NAMESPACES, clusterRef, forceDelete } from '../hub/support.js';
import { applyBootstrapRbac, applyCrds, approveCsr, bootstrapToken, clusterCsrs, decodeData, deleteIfExists, firstCsr, prepareSpoke } from '../klusterlet/support.js';
import { startConnectProxy, startTlsFront, type ConnectProxy } from './support.js';

const { hub, spoke2 } = loadClusters();
const hubHostPort = new URL(hub.server).host;
let hubAdmin: KubeClient;
let spokeAdmin: KubeClient;
let proxy: ConnectProxy;
const cleanup = new Cleanup();

beforeAll(async () => {
  hubAdmin = await adminClient(hub);
  spokeAdmin = await adminClient(spoke2);
  proxy = await startConnectProxy();
});

afterAll(async () => {
  await cleanup.run();
  await proxy?.close();
  await hubAdmin?.close();
  await spokeAdmin?.close();
});

/** The admin's kubeconfig for the hub with one cluster field changed. */
function adminVia(change: { proxyUrl?: string }): KubeConfig {
  const kc = adminKubeConfig(hub);
  kc.clusters = kc.clusters.map((c) => ({ ...c, ...change }));
  return kc;
}

describe('proxy-url', () => {
  test('every connection to the hub is a CONNECT tunnel through the proxy', async () => {
    const before = proxy.connects.length;
    const client = await KubeClient.create(adminVia({ proxyUrl: proxy.url }), 'ocmadm-e2e-proxy');
    cleanup.add(() => client.close());
    expect((await whoAmI(client)).groups).toContain('system:masters');
    const opened = proxy.connects.slice(before);
    expect(opened.length).toBeGreaterThan(0);
    expect(new Set(opened)).toEqual(new Set([hubHostPort]));
  });

  test('a proxy that is down means the hub is unreachable: no direct fallback', async () => {
    const dead = await startConnectProxy();
    await dead.close();
    const client = await KubeClient.create(adminVia({ proxyUrl: dead.url }), 'ocmadm-e2e-proxy');
    cleanup.add(() => client.close());
    const err = await whoAmI(client).then(() => undefined, (e: unknown) => e);
    expect(isUnreachable(err)).toBe(true);
    expect(dead.connects).toEqual([]);
  });

  test("the klusterlet's bootstrap and hub connections go through the proxy of its bootstrap kubeconfig", async () => {
    await applyCrds(hubAdmin, 'hub');
    await applyCrds(spokeAdmin, 'spoke');
    await applyBootstrapRbac(hubAdmin);
    const cluster = uniqueName('proxied');
    const ns = uniqueName('agent');
    const bootstrap = bootstrapKubeconfigYaml({ server: hub.server, caPem: fs.readFileSync(hub.caFile, 'utf8'), token: await bootstrapToken(hubAdmin), proxyUrl: proxy.url });
    await prepareSpoke(spokeAdmin, ns, bootstrap);
    cleanup.add(() => spokeAdmin.delete(resourcePath({ group: '', version: 'v1', resource: 'namespaces', name: ns })));
    cleanup.add(() => forceDelete(hubAdmin, clusterRef(cluster)));
    cleanup.add(async () => {
      for (const c of await clusterCsrs(hubAdmin, cluster)) await deleteIfExists(hubAdmin, resourcePath({ ...CSRS, name: c.metadata!.name! }));
    });
    const before = proxy.connects.length;
    const logFile = path.join(process.env.OCMADM_E2E_LOG_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'kube-e2e-')), `${cluster}.log`);
    const agent: RegistrationAgent = await startRegistrationAgent({
      spoke: adminKubeConfig(spoke2),
      clusterName: cluster,
      agentNamespace: ns,
      log: createLogger({ component: 'proxied-agent', level: 'debug', stream: fs.createWriteStream(logFile) }),
    });
    cleanup.add(() => agent.stop());
    const identity = new Promise<HubIdentity>((resolve) => agent.onIdentity(resolve));

    // The bootstrap identity's CSR can only have come through the proxy.
    const csr = await firstCsr(hubAdmin, cluster);
    expect(proxy.connects.length).toBeGreaterThan(before);
    await approveCsr(hubAdmin, csr.metadata!.name!);
    const id = await identity;
    expect(id.hub.proxyUrl).toBe(proxy.url);

    // The hub-kubeconfig-secret it wrote names the proxy too, and a client from it tunnels.
    const written = decodeData(await spokeAdmin.get(resourcePath({ group: '', version: 'v1', resource: 'secrets', namespace: ns, name: SECRET.hubKubeconfig })));
    expect(KubeConfig.fromText(written.kubeconfig!).getCurrentCluster()?.proxyUrl).toBe(proxy.url);
    const beforeHub = proxy.connects.length;
    const asAgent = await KubeClient.create(id.kubeConfig, 'ocmadm-e2e-proxy');
    cleanup.add(() => asAgent.close());
    expect((await whoAmI(asAgent)).username).toBe(`system:open-cluster-management:${cluster}:${agent.agentId}`);
    expect(proxy.connects.length).toBeGreaterThan(beforeHub);
    expect(new Set(proxy.connects)).toEqual(new Set([hubHostPort]));
  });
});

describe('tls-server-name', () => {
  test('a certificate for a DNS name only, the server by IP: verified against tls-server-name', async () => {
    const NAME = 'hub.ocmadm.test';
    const ca = await createCertificateAuthority('ocmadm-e2e-front');
    const serving = await issueCertificate(ca, { commonName: NAME, usages: ['server'], dnsNames: [NAME] });
    const front = await startTlsFront({ ...serving, upstream: hub.server, upstreamCa: fs.readFileSync(hub.caFile, 'utf8') });
    cleanup.add(() => front.close());

    // A token identity: the front holds the TLS session, so only a bearer token passes through it.
    const ns = uniqueName('tls-name');
    await hubAdmin.create(resourcePath({ group: '', version: 'v1', resource: 'namespaces' }), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    cleanup.add(() => hubAdmin.delete(resourcePath({ ...NAMESPACES, name: ns })));
    await hubAdmin.create(resourcePath({ group: '', version: 'v1', resource: 'serviceaccounts', namespace: ns }), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'reader' } });
    const token = await serviceAccountToken(hubAdmin, ns, 'reader');

    const config = (tlsServerName?: string) =>
      singleContextConfig({
        cluster: { name: 'front', server: `https://127.0.0.1:${front.port}`, caData: pemData(ca.certPem), tlsServerName },
        user: { name: 'reader', token },
        context: { name: 'front' },
      });
    const byIp = await KubeClient.create(config(), 'ocmadm-e2e-tls');
    cleanup.add(() => byIp.close());
    const err = await whoAmI(byIp).then(() => undefined, (e: unknown) => e);
    expect(isTlsError(err)).toBe(true);

    const named = await KubeClient.create(config(NAME), 'ocmadm-e2e-tls');
    cleanup.add(() => named.close());
    expect((await whoAmI(named)).username).toBe(`system:serviceaccount:${ns}:reader`);
  });
});
