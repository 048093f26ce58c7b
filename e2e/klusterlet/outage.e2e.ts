/**
 * The hub goes away and comes back: the agent reaches the shared hub through a TCP relay that the
 * test closes (connections cut, port refusing) and reopens on the same port. Meanwhile the hub
 * marks the cluster's availability Unknown (its lease stops); afterwards the agent renews the
 * lease and sets Available=True again, with no restart and no new CSR.
 */
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import type { ManagedCluster } from '../../src/api/index.js';
import { adminClient, loadClusters, uniqueName, type ClusterInfo } from '../support/clusters.js';
import { Relay } from '../support/relay.js';
import { CSRS } from '../../src/kube/certificates.js';
import { Cleanup } from '../hub/identities.js';
import { LEASES, NAMESPACES, clusterRef, conditionOf, forceDelete, setAccepted, startHubProcess, until, type HubProcess } from '../hub/support.js';
import {
  applyBootstrapRbac,
  applyCrds,
  approveCsr,
  bootstrapKubeconfigYaml,
  bootstrapToken,
  clusterCsrs,
  deleteIfExists,
  prepareSpoke,
  startAgentProcess,
  type AgentProcess,
} from './support.js';

const { hub, spoke2 } = loadClusters();
let hubAdmin: KubeClient;
let spokeAdmin: KubeClient;
let ctl: HubProcess;
let agent: AgentProcess | undefined;
const cleanup = new Cleanup();

beforeAll(async () => {
  hubAdmin = await adminClient(hub);
  spokeAdmin = await adminClient(spoke2);
  await applyCrds(hubAdmin, 'hub');
  await applyCrds(spokeAdmin, 'spoke');
  await applyBootstrapRbac(hubAdmin);
  const ns = uniqueName('hubctl');
  await hubAdmin.create(resourcePath(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  cleanup.add(() => hubAdmin.delete(resourcePath({ ...NAMESPACES, name: ns })));
  ctl = await startHubProcess({ kubeconfigFile: hub.adminKubeconfigPath, namespace: ns, id: `${ns}-a` });
});

afterAll(async () => {
  await agent?.stop();
  await ctl?.stop();
  await cleanup.run();
  await hubAdmin?.close();
  await spokeAdmin?.close();
});

const available = (status: string) => (o: ManagedCluster | undefined) => conditionOf(o, 'ManagedClusterConditionAvailable')?.status === status;

test('a hub outage only pauses the agent: lease and availability come back when the hub does', async () => {
  const relay = new Relay({ host: '127.0.0.1', port: Number(new URL(hub.server).port) });
  await relay.open();
  cleanup.add(() => relay.cut());
  const cluster = uniqueName('outage');
  const ns = uniqueName('agent');
  const viaRelay = { ...hub, server: `https://127.0.0.1:${relay.port}` } as ClusterInfo;
  await prepareSpoke(spokeAdmin, ns, bootstrapKubeconfigYaml(viaRelay, await bootstrapToken(hubAdmin)));
  cleanup.add(() => spokeAdmin.delete(resourcePath({ ...NAMESPACES, name: ns })));
  cleanup.add(() => forceDelete(hubAdmin, clusterRef(cluster)));
  cleanup.add(() => deleteIfExists(hubAdmin, resourcePath({ ...NAMESPACES, name: cluster })));
  cleanup.add(async () => {
    for (const c of await clusterCsrs(hubAdmin, cluster)) await deleteIfExists(hubAdmin, resourcePath({ ...CSRS, name: c.metadata!.name! }));
  });
  agent = await startAgentProcess(cluster, ['--kubeconfig', spoke2.adminKubeconfigPath, '--cluster-name', cluster, '--agent-namespace', ns]);
  const filed = await agent.waitForLog((l) => l.msg === 'certificate signing request filed');
  await approveCsr(hubAdmin, filed.csr as string);
  await setAccepted(hubAdmin, cluster, true);
  // A short lease: the hub declares the cluster Unknown after 5 × 2 s without renewal.
  await hubAdmin.patch(resourcePath(clusterRef(cluster)), { spec: { leaseDurationSeconds: 2 } }, 'merge');
  await until<ManagedCluster>(hubAdmin, clusterRef(cluster), available('True'), 'Available before the outage');

  await relay.cut();
  const cutAt = Date.now();
  await until<ManagedCluster>(hubAdmin, clusterRef(cluster), available('Unknown'), 'Available=Unknown during the outage', 60_000);
  await agent.waitForLog((l) => l.msg === 'cannot renew the cluster lease' && Date.parse(l.ts as string) > cutAt, 30_000);

  await relay.open();
  const backAt = Date.now();
  await until<KubeObject & { spec?: { renewTime?: string } }>(
    hubAdmin,
    { ...LEASES, namespace: cluster, name: 'managed-cluster-lease' },
    (o) => !!o?.spec?.renewTime && Date.parse(o.spec.renewTime) > backAt,
    'a lease renewal after the outage',
    30_000,
  );
  const leaseBackMs = Date.now() - backAt;
  const mc = await until<ManagedCluster>(hubAdmin, clusterRef(cluster), available('True'), 'Available again after the outage', 60_000);
  process.stderr.write(`klusterlet e2e: hub back → lease renewed: ${leaseBackMs} ms, → Available=True: ${Date.now() - backAt} ms\n`);
  expect(conditionOf(mc, 'ManagedClusterConditionAvailable')?.reason).toBe('ManagedClusterAvailable');
  expect(await clusterCsrs(hubAdmin, cluster)).toHaveLength(1);
  expect(agent.proc.exitCode).toBeNull();
});
