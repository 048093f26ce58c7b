/**
 * The runtimes as ocmadm ships them, on clusters with real nodes: no flags beyond the kubeconfig
 * (the hub's address for join, as a pod on the spoke sees it). init --wait brings the hub
 * controller's pods (the bundle from a ConfigMap on node:24-bookworm-slim) to Ready with one
 * leading; join --wait brings the klusterlet's pod up with its CSR pending; accept --wait makes the
 * cluster Joined and Available; deploy of examples/hello is applied by the in-cluster work agent
 * and its pods run. Prints the pods' start-to-Ready times and their RSS (ps on this machine).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { KubeClient } from '../../src/kube/client.js';
import type { LocalCluster } from '../../src/sandbox/cluster.js';
import type { Registry } from '../../src/sandbox/images/index.js';
import { clientOf, deploymentAvailable, startNodeClusters, startRegistryWithImages, waitFor } from '../nodes/support.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const execFileP = promisify(execFile);
type Cond = { type: string; status: string; lastTransitionTime?: string };
type Pod = { metadata: { name: string; creationTimestamp: string; annotations?: Record<string, string> }; spec: { containers: { image: string }[] }; status?: { phase?: string; conditions?: Cond[]; startTime?: string } };
const ready = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const startToReady = (p: Pod) => (Date.parse(p.status!.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime!) - Date.parse(p.status!.startTime!)) / 1000;

async function ocmadm(args: string[], kubeconfig: string): Promise<string> {
  const { stdout } = await execFileP(process.execPath, [path.join(ROOT, 'bin/ocmadm'), ...args, '--kubeconfig', kubeconfig], { maxBuffer: 16 << 20 });
  return stdout;
}

async function pods(client: KubeClient, namespace: string, selector: string): Promise<Pod[]> {
  return (await client.list<Pod & { metadata: { name: string } }>(`/api/v1/namespaces/${namespace}/pods`, { labelSelector: selector })).items as Pod[];
}

/** RSS in MiB of the runtime processes on this machine (a container's processes are ours to see). */
async function runtimeRss(): Promise<number[]> {
  const { stdout } = await execFileP('ps', ['-eo', 'rss=,args=']);
  return stdout.split('\n').filter((l) => l.includes(' -e const fs=require')).map((l) => Math.round(Number(l.trim().split(/\s+/)[0]) / 1024));
}

describe('runtimes from the CLI on real pods', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocmadm-embedded-'));
  let registry: Registry | undefined;
  let hub: LocalCluster, spoke: LocalCluster;
  let hc: KubeClient, sc: KubeClient;

  beforeAll(async () => {
    registry = await startRegistryWithImages(dir);
    [hub, spoke] = (await startNodeClusters(['emb-hub', 'emb-spoke'], dir, registry)) as [LocalCluster, LocalCluster];
    [hc, sc] = await Promise.all([clientOf(hub), clientOf(spoke)]);
  }, 600_000);

  afterAll(async () => {
    await Promise.all([hc?.close(), sc?.close()]);
    await Promise.all([hub?.stop(), spoke?.stop()]);
    await registry?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('init, join, accept and deploy with the runtimes in pods', async () => {
    const init = JSON.parse(await ocmadm(['init', '--wait', '-o', 'json'], hub.adminKubeconfigPath)) as { 'hub-token': string };
    const hubPods = await pods(hc, 'open-cluster-management-hub', 'app=ocmadm-hub-controller');
    expect(hubPods).toHaveLength(2);
    expect(hubPods.every(ready)).toBe(true);
    expect(hubPods.map((p) => p.spec.containers[0]!.image)).toEqual(['node:24-bookworm-slim', 'node:24-bookworm-slim']);
    const lease = await hc.get<{ spec: { holderIdentity: string } }>('/apis/coordination.k8s.io/v1/namespaces/open-cluster-management-hub/leases/ocmadm-hub-controller');
    expect(hubPods.map((p) => p.metadata.name)).toContain(lease.spec.holderIdentity);
    const cm = await hc.get<{ metadata: { annotations: Record<string, string> } }>('/api/v1/namespaces/open-cluster-management-hub/configmaps/ocmadm-hub-controller-runtime');
    expect(hubPods[0]!.metadata.annotations?.['ocmadm.io/runtime-sha256']).toBe(cm.metadata.annotations['ocmadm.io/runtime-sha256']);

    // The hub as a pod on the spoke's node reaches it: its node address (a relay to its apiserver).
    const hubForPods = `https://${hub.node!.ip}:${new URL(hub.server).port}`;
    await ocmadm(['join', '--hub-token', init['hub-token'], '--hub-apiserver', hubForPods, '--cluster-name', 'c1', '--wait'], spoke.adminKubeconfigPath);
    const agent = await pods(sc, 'open-cluster-management-agent', 'app.kubernetes.io/name=klusterlet-agent');
    expect(agent.map((p) => p.status?.phase)).toEqual(['Running']);
    const csrs = await hc.list<{ status?: { conditions?: Cond[] } }>('/apis/certificates.k8s.io/v1/certificatesigningrequests', { labelSelector: 'open-cluster-management.io/cluster-name=c1' });
    expect(csrs.items.filter((c) => !c.status?.conditions?.length).length).toBeGreaterThanOrEqual(1);

    await ocmadm(['accept', '--clusters', 'c1', '--wait'], hub.adminKubeconfigPath);
    const mc = await waitFor(hc, { group: 'cluster.open-cluster-management.io', version: 'v1', resource: 'managedclusters', name: 'c1' }, (o) =>
      ['ManagedClusterJoined', 'ManagedClusterConditionAvailable'].every((t) => (o?.status?.conditions as Cond[] | undefined)?.some((c) => c.type === t && c.status === 'True')), 'c1 Joined and Available');
    expect(mc).toBeDefined();

    await ocmadm(['deploy', 'hello', '-f', path.join(ROOT, 'examples/hello'), '--clusters', 'c1'], hub.adminKubeconfigPath);
    const helloNs = (fs.readFileSync(path.join(ROOT, 'examples/hello/00-namespace.yaml'), 'utf8').match(/name:\s*(\S+)/) ?? [])[1]!;
    const helloName = (fs.readFileSync(path.join(ROOT, 'examples/hello/20-deployment.yaml'), 'utf8').match(/name:\s*(\S+)/) ?? [])[1]!;
    await waitFor(sc, { group: 'apps', version: 'v1', resource: 'deployments', namespace: helloNs, name: helloName }, deploymentAvailable, `hello Available on c1`, 300_000);

    // Figures for the README (this machine, shared: see the README for its load).
    const all = [...(await pods(hc, 'open-cluster-management-hub', 'app=ocmadm-hub-controller')), ...(await pods(sc, 'open-cluster-management-agent', 'app.kubernetes.io/name=klusterlet-agent'))];
    process.stdout.write(`start->Ready s: ${all.map((p) => `${p.metadata.name} ${startToReady(p)}`).join(', ')}; runtime RSS MiB: ${(await runtimeRss()).join(', ')}\n`);
  }, 1_200_000);
});
