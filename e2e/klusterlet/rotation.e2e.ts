/**
 * Certificate rotation end to end: an extra hub whose kube-controller-manager signs client
 * certificates for 120 s (it backdates notBefore by 5 min, so 20–25 % of the life remains 15–36 s
 * after issue), the built hub controller approving renewals, and the built agent on spoke2. The
 * renewal CSR is filed with the agent's own certificate and approved by the hub, the secret is
 * swapped in place, and the agent keeps reporting status and renewing its lease with the new one.
 */
import path from 'node:path';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { KubeConfig } from '../../src/kube/kubeconfig.js';
import { KubeClient, type KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import type { ManagedCluster } from '../../src/api/index.js';
import { SECRET } from '../../src/api/names.js';
import { findBinaries } from '../../src/sandbox/binaries.js';
import { startCluster, type LocalCluster } from '../../src/sandbox/cluster.js';
import { adminClient, loadClusters, uniqueName, type ClusterInfo } from '../support/clusters.js';
import { CSRS } from '../../src/kube/certificates.js';
import { Cleanup } from '../hub/identities.js';
import { LEASES, NAMESPACES, clusterRef, conditionOf, probe, setAccepted, startHubProcess, until, type HubProcess } from '../hub/support.js';
import {
  applyBootstrapRbac,
  applyCrds,
  approveCsr,
  bootstrapKubeconfigYaml,
  bootstrapToken,
  clusterCsrs,
  decodeData,
  prepareSpoke,
  startAgentProcess,
  type AgentProcess,
} from './support.js';

const SIGNING_SECONDS = 120;
const { spoke2, runDir } = loadClusters();
let hubCluster: LocalCluster;
let hubAdmin: KubeClient;
let spokeAdmin: KubeClient;
let ctl: HubProcess | undefined;
let agent: AgentProcess | undefined;
/** A second agent whose cluster is never accepted: it cannot renew, so its certificate expires. */
let unaccepted: { agent: AgentProcess; cluster: string; issuedAt: number } | undefined;
const cleanup = new Cleanup();

/** An agent namespace on spoke2 with a bootstrap secret for the rotation hub; the agent started. */
async function joinAgent(cluster: string): Promise<AgentProcess> {
  const ns = uniqueName('agent');
  const hubInfo = { server: hubCluster.server, caFile: hubCluster.caFile } as ClusterInfo;
  await prepareSpoke(spokeAdmin, ns, bootstrapKubeconfigYaml(hubInfo, await bootstrapToken(hubAdmin)));
  cleanup.add(() => spokeAdmin.delete(resourcePath({ ...NAMESPACES, name: ns })));
  return startAgentProcess(cluster, ['--kubeconfig', spoke2.adminKubeconfigPath, '--cluster-name', cluster, '--agent-namespace', ns]);
}

beforeAll(async () => {
  hubCluster = await startCluster({
    name: 'hub-rotation',
    signingDurationSeconds: SIGNING_SECONDS,
    node: false,
    binaries: await findBinaries(),
    logDir: path.join(runDir, 'hub-rotation'),
  });
  const kc = new KubeConfig();
  kc.loadFromFile(hubCluster.adminKubeconfigPath);
  hubAdmin = await KubeClient.create(kc, 'ocmadm-e2e');
  spokeAdmin = await adminClient(spoke2);
  await applyCrds(hubAdmin, 'hub');
  await applyCrds(spokeAdmin, 'spoke');
  await applyBootstrapRbac(hubAdmin);
  const ns = uniqueName('hubctl');
  await hubAdmin.create(resourcePath(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  ctl = await startHubProcess({ kubeconfigFile: hubCluster.adminKubeconfigPath, namespace: ns, id: `${ns}-a` });
  // Started now so that its certificate's 120 s run while the first test runs.
  const cluster = uniqueName('expire');
  const a = await joinAgent(cluster);
  const filed = await a.waitForLog((l) => l.msg === 'certificate signing request filed');
  await approveCsr(hubAdmin, filed.csr as string);
  await a.waitForLog((l) => l.msg === 'hub identity in use');
  unaccepted = { agent: a, cluster, issuedAt: Date.now() };
}, 240_000);

afterAll(async () => {
  await agent?.stop();
  await unaccepted?.agent.stop();
  await ctl?.stop();
  await cleanup.run();
  await hubAdmin?.close();
  await spokeAdmin?.close();
  await hubCluster?.stop();
});

const certOf = (s: KubeObject | undefined) => new x509.X509Certificate(decodeData(s)['tls.crt']!);

test('the agent renews its certificate through a CSR the hub approves, swaps it in place and keeps working', async () => {
  const cluster = uniqueName('rot');
  agent = await joinAgent(cluster);

  const filed = await agent.waitForLog((l) => l.msg === 'certificate signing request filed');
  await approveCsr(hubAdmin, filed.csr as string);
  await setAccepted(hubAdmin, cluster, true);
  await hubAdmin.patch(resourcePath(clusterRef(cluster)), { spec: { leaseDurationSeconds: 2 } }, 'merge');
  const ns = agent.args[agent.args.indexOf('--agent-namespace') + 1]!;
  const secretRef = { group: '', version: 'v1', resource: 'secrets', namespace: ns, name: SECRET.hubKubeconfig };
  const first = await until(spokeAdmin, secretRef, (o) => !!o, 'hub-kubeconfig-secret');
  const firstCert = certOf(first);
  const life = (firstCert.notAfter.getTime() - firstCert.notBefore.getTime()) / 1000;
  expect(life).toBeGreaterThanOrEqual(SIGNING_SECONDS + 300 - 5);
  expect(life).toBeLessThanOrEqual(SIGNING_SECONDS + 300 + 5);
  await until<ManagedCluster>(hubAdmin, clusterRef(cluster), (o) => conditionOf(o, 'ManagedClusterConditionAvailable')?.status === 'True', 'Available');

  // The renewal: due when remaining/total ≤ 20–25 %, i.e. 15–36 s after issue here.
  const rotated = await until(spokeAdmin, secretRef, (o) => !!o && decodeData(o)['tls.crt'] !== decodeData(first)['tls.crt'], 'a rotated certificate', 90_000);
  const started = await agent.waitForLog((l) => l.msg === 'rotating the hub client certificate');
  const swapped = await agent.waitForLog((l) => l.msg === 'hub identity in use' && l.how === 'rotated');
  process.stderr.write(
    `klusterlet e2e: rotation ${((Date.parse(started.ts as string) - firstCert.notBefore.getTime()) / 1000 - 300).toFixed(1)} s after issue; ` +
      `renewal CSR → new identity in use: ${Date.parse(swapped.ts as string) - Date.parse(started.ts as string)} ms\n`,
  );
  const next = certOf(rotated);
  expect(next.subjectName.getField('CN')).toEqual(firstCert.subjectName.getField('CN'));
  expect(next.notAfter.getTime()).toBeGreaterThan(firstCert.notAfter.getTime());
  expect(decodeData(rotated)['tls.key']).not.toBe(decodeData(first)['tls.key']);
  const rotationAt = firstCert.notBefore.getTime() + life * 1000 * 0.75;
  expect(Date.parse(started.ts as string)).toBeGreaterThanOrEqual(rotationAt - 1000);

  // The renewal CSR came from the agent's own identity and was approved by the hub controller.
  const csrs = await clusterCsrs(hubAdmin, cluster);
  expect(csrs.length).toBeGreaterThanOrEqual(2);
  const renewal = csrs.find((c) => c.metadata!.name === swapped.csr)!;
  expect(renewal.spec.username).toBe(firstCert.subjectName.getField('CN')[0]);
  expect(renewal.status?.conditions?.find((c) => c.type === 'Approved')?.reason).toBe('AutoApprovedByHubCSRApprovingController');

  // Status and lease keep flowing with the new identity.
  const mc = await until<ManagedCluster>(
    hubAdmin,
    clusterRef(cluster),
    (o) => !!conditionOf(o, 'ClusterCertificateRotated')?.message?.includes(next.notAfter.toISOString()),
    'ClusterCertificateRotated for the new certificate',
  );
  expect(conditionOf(mc, 'ClusterCertificateRotated')).toMatchObject({ status: 'True', reason: 'ClientCertificateUpdated' });
  const after = Date.parse(swapped.ts as string) + 100;
  await until<KubeObject & { spec?: { renewTime?: string } }>(
    hubAdmin,
    { ...LEASES, namespace: cluster, name: 'managed-cluster-lease' },
    (o) => !!o?.spec?.renewTime && Date.parse(o.spec.renewTime) > after,
    'a lease renewal with the new certificate',
    15_000,
  );
  expect(agent.logs.filter((l) => l.level === 'error')).toEqual([]);
  cleanup.add(async () => {
    for (const c of await clusterCsrs(hubAdmin, cluster)) await hubAdmin.delete(resourcePath({ ...CSRS, name: c.metadata!.name! })).catch(() => undefined);
  });
}, 240_000);

test('a certificate that could not be renewed expires: /healthz fails and the agent bootstraps again', async () => {
  const { agent: a, cluster } = unaccepted!;
  // Not accepted: the renewal CSR is refused (403) until the certificate runs out.
  const expired = await a.waitForLog((l) => l.msg === 'the hub client certificate expired; bootstrapping again', 200_000);
  expect(await probe(a.healthPort, 'healthz')).toBe(503);
  const refiled = await a.waitForLog((l) => l.msg === 'certificate signing request filed' && a.logs.indexOf(l) > a.logs.indexOf(expired));
  const csr = (await clusterCsrs(hubAdmin, cluster)).find((c) => c.metadata!.name === refiled.csr)!;
  expect(csr.spec.username).toBe('system:serviceaccount:open-cluster-management:agent-registration-bootstrap');
  await approveCsr(hubAdmin, refiled.csr as string);
  await a.waitForLog((l) => l.msg === 'hub identity in use' && l.how === 'bootstrapped' && l.csr === refiled.csr);
  expect(await probe(a.healthPort, 'healthz')).toBe(200);
  expect(a.proc.exitCode).toBeNull();
}, 240_000);
