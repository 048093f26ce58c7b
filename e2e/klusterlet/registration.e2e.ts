/**
 * The klusterlet registration agent end to end on the shared hub and spoke1: the built agent
 * (dist/runtime/klusterlet/main.js) as a child process with an admin spoke kubeconfig, the built
 * hub controller as another; bootstrap RBAC, token and bootstrap secret set up as init/join would.
 */
import fs from 'node:fs';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { CLUSTER_CLAIMS, TYPE, type ManagedCluster } from '../../src/api/index.js';
import { SECRET } from '../../src/api/names.js';
import { sumNodeResources, type NodeLike } from '../../src/runtime/klusterlet/node-resources.js';
import { adminClient, loadClusters, uniqueName } from '../support/clusters.js';
import { CSRS, type CertificateSigningRequest } from '../../src/kube/certificates.js';
import { Cleanup, csrBody } from '../hub/identities.js';
import { agentSubject, makeKeyAndCsr } from '../hub/csr-kit.js';
import { LEASES, NAMESPACES, clusterRef, conditionOf, forceDelete, probe, setAccepted, startHubProcess, until, type HubProcess } from '../hub/support.js';
import {
  applyBootstrapRbac,
  applyCrds,
  approveCsr,
  bootstrapKubeconfigYaml,
  bootstrapToken,
  clusterCsrs,
  decodeData,
  deleteIfExists,
  prepareSpoke,
  startAgentProcess,
  writeBootstrapSecret,
  type AgentProcess,
} from './support.js';

const { hub, spoke1 } = loadClusters();
let hubAdmin: KubeClient;
let spokeAdmin: KubeClient;
let ctl: HubProcess;
const cleanup = new Cleanup();
const agents: AgentProcess[] = [];

beforeAll(async () => {
  hubAdmin = await adminClient(hub);
  spokeAdmin = await adminClient(spoke1);
  await applyCrds(hubAdmin, 'hub');
  await applyCrds(spokeAdmin, 'spoke');
  await applyBootstrapRbac(hubAdmin);
  const ns = uniqueName('hubctl');
  await hubAdmin.create(resourcePath(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  cleanup.add(() => hubAdmin.delete(resourcePath({ ...NAMESPACES, name: ns })));
  ctl = await startHubProcess({ kubeconfigFile: hub.adminKubeconfigPath, namespace: ns, id: `${ns}-a` });
});

afterAll(async () => {
  for (const a of agents) await a.stop();
  await ctl?.stop();
  await cleanup.run();
  await hubAdmin?.close();
  await spokeAdmin?.close();
});

const secretRef = (namespace: string, name: string) => ({ group: '', version: 'v1', resource: 'secrets', namespace, name });
const isTrueCond = (o: KubeObject | undefined, type: string) => conditionOf(o, type)?.status === 'True';

/** A cluster name, an agent namespace with a bootstrap secret, and their cleanup. */
async function setUpJoin(): Promise<{ cluster: string; ns: string }> {
  const cluster = uniqueName('kl');
  const ns = uniqueName('agent');
  await prepareSpoke(spokeAdmin, ns, bootstrapKubeconfigYaml(hub, await bootstrapToken(hubAdmin)));
  cleanup.add(() => spokeAdmin.delete(resourcePath({ ...NAMESPACES, name: ns })));
  cleanup.add(async () => {
    for (const c of await clusterCsrs(hubAdmin, cluster)) await deleteIfExists(hubAdmin, resourcePath({ ...CSRS, name: c.metadata!.name! }));
  });
  cleanup.add(() => forceDelete(hubAdmin, clusterRef(cluster)));
  cleanup.add(() => deleteIfExists(hubAdmin, resourcePath({ ...NAMESPACES, name: cluster })));
  return { cluster, ns };
}

async function startAgent(cluster: string, ns: string, extra: string[] = []): Promise<AgentProcess> {
  const a = await startAgentProcess(`${cluster}-${agents.length}`, ['--kubeconfig', spoke1.adminKubeconfigPath, '--cluster-name', cluster, '--agent-namespace', ns, ...extra]);
  agents.push(a);
  return a;
}

const filed = (l: { msg?: string }) => l.msg === 'certificate signing request filed';

describe('first join, acceptance, status and lease', () => {
  let cluster: string;
  let ns: string;
  let agent: AgentProcess;
  let agentId: string;
  /** A claim the agent applies from --cluster-claims at start. */
  const flagClaim = uniqueName('flag').concat('.e2e.example');

  test('the agent creates its ManagedCluster and files exactly one CSR with OCM subject, label, signer and usages', async () => {
    ({ cluster, ns } = await setUpJoin());
    cleanup.add(() => deleteIfExists(spokeAdmin, resourcePath({ ...CLUSTER_CLAIMS, name: flagClaim })));
    agent = await startAgent(cluster, ns, ['--cluster-claims', `${flagClaim}=from-flag`, '--client-cert-expiration-seconds', '3600']);
    const mc = await until<ManagedCluster>(hubAdmin, clusterRef(cluster), (o) => !!o, `ManagedCluster ${cluster}`);
    expect(mc!.spec?.managedClusterClientConfigs).toEqual([{ url: spoke1.server, caBundle: fs.readFileSync(spoke1.caFile).toString('base64') }]);
    expect(mc!.spec).not.toHaveProperty('hubAcceptsClient'); // never sent by the agent
    await agent.waitForLog(filed);
    const csrs = await clusterCsrs(hubAdmin, cluster);
    expect(csrs).toHaveLength(1);
    const csr = csrs[0]!;
    expect(csr.metadata!.name).toMatch(new RegExp(`^${cluster}-[a-z0-9]+$`));
    expect(csr.metadata!.labels).toEqual({ 'open-cluster-management.io/cluster-name': cluster });
    expect(csr.spec.signerName).toBe('kubernetes.io/kube-apiserver-client');
    expect(csr.spec.usages).toEqual(['digital signature', 'key encipherment', 'client auth']);
    expect(csr.spec.expirationSeconds).toBe(3600);
    expect(csr.spec.username).toBe('system:serviceaccount:open-cluster-management:agent-registration-bootstrap');
    const req = new x509.Pkcs10CertificateRequest(Buffer.from(csr.spec.request as string, 'base64').toString());
    const cn = req.subjectName.getField('CN');
    expect(cn).toHaveLength(1);
    agentId = cn[0]!.split(':').at(-1)!;
    expect(cn[0]).toBe(`system:open-cluster-management:${cluster}:${agentId}`);
    expect(agentId).toMatch(/^[a-z0-9]{5}$/);
    expect(req.subjectName.getField('O').sort()).toEqual([`system:open-cluster-management:${cluster}`, 'system:open-cluster-management:managed-clusters']);
    expect(req.extensions.some((e) => e.type === '2.5.29.17')).toBe(false);
    // The key of the pending CSR stays on the spoke; no hub kubeconfig yet.
    const keySecret = decodeData(await spokeAdmin.get(resourcePath(secretRef(ns, SECRET.csrKey))));
    expect(keySecret['tls.key']).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    expect(keySecret['csr-name']).toBe(csr.metadata!.name);
  });

  test('after approval the hub-kubeconfig-secret has the five keys and the kubeconfig OCM writes', async () => {
    const [csr] = await clusterCsrs(hubAdmin, cluster);
    const t0 = Date.now();
    await approveCsr(hubAdmin, csr!.metadata!.name!);
    const secret = await until(spokeAdmin, secretRef(ns, SECRET.hubKubeconfig), (o) => !!o, 'hub-kubeconfig-secret');
    const approvalToSecretMs = Date.now() - t0;
    process.stderr.write(`klusterlet e2e: CSR approval → hub-kubeconfig-secret written: ${approvalToSecretMs} ms\n`);
    const data = decodeData(secret);
    expect(Object.keys(data).sort()).toEqual(['agent-name', 'cluster-name', 'kubeconfig', 'tls.crt', 'tls.key']);
    expect(data['cluster-name']).toBe(cluster);
    expect(data['agent-name']).toBe(agentId);
    expect(data['tls.key']).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    const cert = new x509.X509Certificate(data['tls.crt']!);
    expect(cert.subjectName.getField('CN')).toEqual([`system:open-cluster-management:${cluster}:${agentId}`]);
    // expirationSeconds was honoured (kube-controller-manager backdates notBefore by 5 min).
    expect(Math.abs(cert.notAfter.getTime() - t0 - 3600_000)).toBeLessThan(60_000);
    const kc = (await import('js-yaml')).default.load(data.kubeconfig!) as Record<string, unknown>;
    expect(kc).toMatchObject({
      clusters: [{ name: 'hub', cluster: { server: hub.server, 'certificate-authority-data': fs.readFileSync(hub.caFile).toString('base64') } }],
      contexts: [{ name: 'default-context', context: { cluster: 'hub', user: 'default-auth', namespace: 'configuration' } }],
      'current-context': 'default-context',
      users: [{ name: 'default-auth', user: { 'client-certificate': 'tls.crt', 'client-key': 'tls.key' } }],
    });
    await until(spokeAdmin, secretRef(ns, SECRET.csrKey), (o) => o === undefined, 'the stored CSR key removed');
    expect(JSON.stringify(agent.logs)).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE|eyJ/);
    expect(await clusterCsrs(hubAdmin, cluster)).toHaveLength(1);
  });

  test('after accept: Joined, Available, version, capacity from Nodes, claims with id.k8s.io, certificate condition', async () => {
    const t0 = Date.now();
    await setAccepted(hubAdmin, cluster, true);
    const mc = await until<ManagedCluster>(
      hubAdmin,
      clusterRef(cluster),
      (o) => isTrueCond(o, 'ManagedClusterJoined') && isTrueCond(o, 'ManagedClusterConditionAvailable') && !!o?.status?.clusterClaims?.length,
      `${cluster} Joined and Available`,
    );
    process.stderr.write(`klusterlet e2e: accept → Joined+Available: ${Date.now() - t0} ms\n`);
    expect(conditionOf(mc, 'ManagedClusterJoined')).toMatchObject({ reason: 'ManagedClusterJoined', message: 'Managed cluster joined' });
    expect(conditionOf(mc, 'ManagedClusterConditionAvailable')).toMatchObject({ reason: 'ManagedClusterAvailable' });
    expect(conditionOf(mc, 'ClusterCertificateRotated')).toMatchObject({ status: 'True', reason: 'ClientCertificateUpdated' });
    expect(mc!.status!.version).toEqual({ kubernetes: spoke1.version });
    const nodes = (await spokeAdmin.list<NodeLike>('/api/v1/nodes')).items;
    expect(mc!.status!.capacity).toEqual(sumNodeResources(nodes).capacity);
    expect(mc!.status!.allocatable).toEqual(sumNodeResources(nodes).allocatable);
    if (nodes.length === 1) expect(mc!.status!.capacity).toEqual({ cpu: '4', memory: '8Gi', pods: '110' });
    const kubeSystem = await spokeAdmin.get<KubeObject>('/api/v1/namespaces/kube-system');
    expect(mc!.status!.clusterClaims![0]).toEqual({ name: 'id.k8s.io', value: kubeSystem.metadata!.uid });
    expect(mc!.status!.clusterClaims).toContainEqual({ name: flagClaim, value: 'from-flag' });
  });

  test('Node and ClusterClaim changes reach the status by watch, spoke-only claims stay on the spoke', async () => {
    const node = uniqueName('extra-node');
    await spokeAdmin.create('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: node }, spec: { unschedulable: true } });
    cleanup.add(() => deleteIfExists(spokeAdmin, `/api/v1/nodes/${node}`));
    await spokeAdmin.patch(`/api/v1/nodes/${node}/status`, { status: { capacity: { cpu: '2', memory: '1Gi', pods: '10' }, allocatable: { cpu: '2', memory: '1Gi', pods: '10' } } });
    const claim = uniqueName('region').concat('.e2e.example');
    const hidden = uniqueName('hidden').concat('.e2e.example');
    for (const [name, labels] of [[claim, {}], [hidden, { 'open-cluster-management.io/spoke-only': '' }]] as const) {
      await spokeAdmin.create(resourcePath(CLUSTER_CLAIMS), { ...TYPE.clusterClaim, metadata: { name, labels }, spec: { value: 'eu' } });
      cleanup.add(() => deleteIfExists(spokeAdmin, resourcePath({ ...CLUSTER_CLAIMS, name })));
    }
    const t0 = Date.now();
    const nodes = (await spokeAdmin.list<NodeLike>('/api/v1/nodes')).items;
    const want = sumNodeResources(nodes);
    const mc = await until<ManagedCluster>(
      hubAdmin,
      clusterRef(cluster),
      (o) => JSON.stringify(o?.status?.capacity) === JSON.stringify(want.capacity) && !!o?.status?.clusterClaims?.some((c) => c.name === claim),
      'capacity and claims updated',
      30_000,
    );
    process.stderr.write(`klusterlet e2e: Node/ClusterClaim change → status: ${Date.now() - t0} ms\n`);
    expect(mc!.status!.allocatable).toEqual(want.allocatable); // the new node is unschedulable
    expect(mc!.status!.clusterClaims!.map((c) => c.name)).not.toContain(hidden);
    await deleteIfExists(spokeAdmin, `/api/v1/nodes/${node}`);
  });

  test('the lease is renewed every leaseDurationSeconds (+ up to 25 %)', async () => {
    await hubAdmin.patch(resourcePath(clusterRef(cluster)), { spec: { leaseDurationSeconds: 2 } }, 'merge');
    const leaseRef = { ...LEASES, namespace: cluster, name: 'managed-cluster-lease' };
    const seen: number[] = [];
    await until<KubeObject & { spec?: { renewTime?: string } }>(
      hubAdmin,
      leaseRef,
      (o) => {
        const t = o?.spec?.renewTime ? Date.parse(o.spec.renewTime) : undefined;
        if (t !== undefined && !seen.includes(t)) seen.push(t);
        return seen.length >= 4;
      },
      'three lease renewals',
      30_000,
    );
    const gaps = seen.slice(2).map((t, i) => t - seen[i + 1]!);
    process.stderr.write(`klusterlet e2e: lease renewal gaps at leaseDurationSeconds=2: ${gaps.join(', ')} ms\n`);
    for (const g of gaps) {
      expect(g).toBeGreaterThanOrEqual(2000);
      expect(g).toBeLessThan(2500 + 1000);
    }
    const lease = await hubAdmin.get<KubeObject & { spec: { renewTime: string } }>(resourcePath(leaseRef));
    expect(lease.spec.renewTime).toMatch(/\.\d{6}Z$/);
  });

  test('a restarted agent reuses the hub-kubeconfig-secret: no new CSR, same agent', async () => {
    expect(await agent.stop()).toBe(0);
    agent = await startAgent(cluster, ns);
    const line = await agent.waitForLog((l) => l.msg === 'hub identity in use');
    expect(line.how).toBe('reused the hub kubeconfig secret');
    expect(line.agent).toBe(agentId);
    await agent.waitForLog((l) => l.msg === 'lease updates started');
    expect(await clusterCsrs(hubAdmin, cluster)).toHaveLength(1);
    expect(agent.logs.some(filed)).toBe(false);
  });

  test('a changed bootstrap secret restarts the agent in-process; for the same hub the secret is kept', async () => {
    const mark = agent.logs.length;
    await writeBootstrapSecret(spokeAdmin, ns, bootstrapKubeconfigYaml(hub, await bootstrapToken(hubAdmin)));
    await agent.waitForLog((l) => l.msg === 'restarting the agents with the new bootstrap kubeconfig' && agent.logs.indexOf(l) >= mark);
    const line = await agent.waitForLog((l) => l.msg === 'hub identity in use' && agent.logs.indexOf(l) >= mark);
    expect(line.how).toBe('reused the hub kubeconfig secret');
    expect(line.agent).toBe(agentId);
    expect(agent.proc.exitCode).toBeNull();
    expect(await probe(agent.healthPort, 'healthz')).toBe(200);
    expect(await clusterCsrs(hubAdmin, cluster)).toHaveLength(1);
    // Its controllers report on /metrics, the restarted ones under the same names.
    const metrics = await (await fetch(`http://127.0.0.1:${agent.healthPort}/metrics`)).text();
    expect(metrics).toMatch(/^workqueue_adds_total\{name="managed-cluster-status"\} [1-9]/m);
  });

  test('without a bootstrap secret a restarted agent keeps using a good hub-kubeconfig-secret', async () => {
    const bootstrapYaml = decodeData(await spokeAdmin.get(resourcePath(secretRef(ns, SECRET.bootstrapHubKubeconfig)))).kubeconfig!;
    await agent.stop();
    await spokeAdmin.delete(resourcePath(secretRef(ns, SECRET.bootstrapHubKubeconfig)));
    agent = await startAgent(cluster, ns);
    await agent.waitForLog((l) => l.msg === 'no bootstrap secret: using the hub kubeconfig secret as it is');
    expect((await agent.waitForLog((l) => l.msg === 'hub identity in use')).how).toBe('reused the hub kubeconfig secret');
    await agent.waitForLog((l) => l.msg === 'lease updates started');
    // A bootstrap secret that appears later restarts registration with it.
    const mark = agent.logs.length;
    await writeBootstrapSecret(spokeAdmin, ns, bootstrapYaml);
    await agent.waitForLog((l) => l.msg === 'restarting the agents with the new bootstrap kubeconfig' && agent.logs.indexOf(l) >= mark);
    await agent.waitForLog((l) => l.msg === 'hub identity in use' && agent.logs.indexOf(l) >= mark);
    expect(await clusterCsrs(hubAdmin, cluster)).toHaveLength(1);
  });
});

describe('crash while the CSR is pending', () => {
  test('the restarted agent resumes the same CSR and files no second one', async () => {
    const { cluster, ns } = await setUpJoin();
    let agent = await startAgent(cluster, ns);
    const first = await agent.waitForLog(filed);
    await agent.kill();
    agent = await startAgent(cluster, ns);
    const resumed = await agent.waitForLog((l) => l.msg === 'resuming the certificate signing request filed before a restart');
    expect(resumed.csr).toBe(first.csr);
    expect(agent.logs.some(filed)).toBe(false);
    const csrs = await clusterCsrs(hubAdmin, cluster);
    expect(csrs.map((c) => c.metadata!.name)).toEqual([first.csr]);
    await approveCsr(hubAdmin, first.csr as string);
    const secret = await until(spokeAdmin, secretRef(ns, SECRET.hubKubeconfig), (o) => !!o, 'hub-kubeconfig-secret');
    expect(decodeData(secret)['agent-name']).toBe(first.agent);
    expect(await clusterCsrs(hubAdmin, cluster)).toHaveLength(1);
  });
});

describe('crash at the other handshake steps', () => {
  test('killed before its first CSR: the restarted agent files at most one in all', async () => {
    const { cluster, ns } = await setUpJoin();
    let agent = await startAgent(cluster, ns);
    await agent.waitForLog((l) => l.msg === 'no usable hub kubeconfig secret; bootstrapping');
    await agent.kill(); // the CSR may or may not be out yet: either way, only one may ever exist
    expect((await clusterCsrs(hubAdmin, cluster)).length).toBeLessThanOrEqual(1);
    agent = await startAgent(cluster, ns);
    const line = await agent.waitForLog((l) => filed(l) || l.msg === 'resuming the certificate signing request filed before a restart');
    const csrs = await clusterCsrs(hubAdmin, cluster);
    expect(csrs.map((c) => c.metadata!.name)).toEqual([line.csr]);
    await approveCsr(hubAdmin, line.csr as string);
    await until(spokeAdmin, secretRef(ns, SECRET.hubKubeconfig), (o) => !!o, 'hub-kubeconfig-secret');
    expect(await clusterCsrs(hubAdmin, cluster)).toHaveLength(1);
  });

  test('killed after the certificate was issued but before the secret was written: the restart uses that certificate', async () => {
    const { cluster, ns } = await setUpJoin();
    let agent = await startAgent(cluster, ns);
    const first = await agent.waitForLog(filed);
    await agent.kill();
    await approveCsr(hubAdmin, first.csr as string); // issued while the agent is down
    await until(hubAdmin, { ...CSRS, name: first.csr as string }, (o) => !!(o?.status as { certificate?: string } | undefined)?.certificate, 'certificate issued');
    expect(await spokeAdmin.get(resourcePath(secretRef(ns, SECRET.hubKubeconfig))).catch(() => undefined)).toBeUndefined();
    agent = await startAgent(cluster, ns);
    const used = await agent.waitForLog((l) => l.msg === 'hub identity in use');
    expect(used.csr).toBe(first.csr);
    const secret = await until(spokeAdmin, secretRef(ns, SECRET.hubKubeconfig), (o) => !!o, 'hub-kubeconfig-secret');
    expect(decodeData(secret)['agent-name']).toBe(first.agent);
    expect(await clusterCsrs(hubAdmin, cluster)).toHaveLength(1);
  });
});

describe('the CSR limit', () => {
  test('no CSR while 10 of the cluster exist (add-on CSRs not counted); exactly one once there are fewer', async () => {
    const { cluster, ns } = await setUpJoin();
    const s = agentSubject(cluster, 'other');
    const names: string[] = [];
    for (let i = 0; i < 10; i++) {
      const created = await hubAdmin.create<CertificateSigningRequest>(resourcePath(CSRS), csrBody(cluster, (await makeKeyAndCsr(s.cn, s.orgs)).csrPem));
      names.push(created.metadata!.name!);
    }
    const addon = csrBody(cluster, (await makeKeyAndCsr(s.cn, s.orgs)).csrPem) as { metadata: { labels: Record<string, string> } };
    addon.metadata.labels['open-cluster-management.io/addon-name'] = 'some-addon';
    const addonCsr = await hubAdmin.create<CertificateSigningRequest>(resourcePath(CSRS), addon);
    cleanup.add(() => deleteIfExists(hubAdmin, resourcePath({ ...CSRS, name: addonCsr.metadata!.name! })));
    const agent = await startAgent(cluster, ns);
    await agent.waitForLog((l) => l.msg === 'Stop creating csr since there are too many csr created already on hub');
    expect(agent.logs.some(filed)).toBe(false);
    await hubAdmin.delete(resourcePath({ ...CSRS, name: names[0]! }));
    const line = await agent.waitForLog(filed);
    const csrs = await clusterCsrs(hubAdmin, cluster);
    expect(csrs).toHaveLength(10);
    expect(csrs.filter((c) => c.metadata!.name === line.csr)).toHaveLength(1);
    expect(agent.logs.filter(filed)).toHaveLength(1);
  });
});
