/**
 * The hub controller as ocmadm ships it, on a cluster with a real node and no flags beyond the
 * kubeconfig: init --wait brings its pods (the bundle from a ConfigMap, on node:24-bookworm-slim)
 * to Ready with one leading; an image that cannot be pulled ends --wait with the pod's own reason.
 * Prints the pods' start-to-Ready times and their RSS (ps on this machine).
 * (join/accept/deploy with the klusterlet in a pod need a route from a spoke's pods to the hub,
 * which the sandbox nodes do not give yet.)
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
import { clientOf, startNodeClusters, startRegistryWithImages } from '../nodes/support.js';

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
  let hub: LocalCluster;
  let hc: KubeClient;

  beforeAll(async () => {
    registry = await startRegistryWithImages(dir);
    [hub] = (await startNodeClusters(['emb-hub'], dir, registry)) as [LocalCluster];
    hc = await clientOf(hub);
  }, 600_000);

  afterAll(async () => {
    await hc?.close();
    await hub?.stop();
    await registry?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('init --wait: the hub controller from its ConfigMap on node:24-bookworm-slim, every pod Ready, one leading', async () => {
    await ocmadm(['init', '--wait', '-o', 'json'], hub.adminKubeconfigPath);
    const hubPods = await pods(hc, 'open-cluster-management-hub', 'app=ocmadm-hub-controller');
    expect(hubPods).toHaveLength(2);
    expect(hubPods.every(ready)).toBe(true);
    expect(hubPods.map((p) => p.spec.containers[0]!.image)).toEqual(['node:24-bookworm-slim', 'node:24-bookworm-slim']);
    const lease = await hc.get<{ spec: { holderIdentity: string } }>('/apis/coordination.k8s.io/v1/namespaces/open-cluster-management-hub/leases/ocmadm-hub-controller');
    expect(hubPods.map((p) => p.metadata.name)).toContain(lease.spec.holderIdentity);
    const cm = await hc.get<{ metadata: { annotations: Record<string, string> } }>('/api/v1/namespaces/open-cluster-management-hub/configmaps/ocmadm-hub-controller-runtime');
    expect(hubPods.map((p) => p.metadata.annotations?.['ocmadm.io/runtime-sha256'])).toEqual([cm.metadata.annotations['ocmadm.io/runtime-sha256'], cm.metadata.annotations['ocmadm.io/runtime-sha256']]);
    // Figures for the README (this machine, shared with other suites).
    process.stdout.write(`start->Ready s: ${hubPods.map((p) => `${p.metadata.name} ${startToReady(p)}`).join(', ')}; runtime RSS MiB: ${(await runtimeRss()).join(', ')}\n`);
  }, 600_000);

  it('init --wait with an image that cannot be pulled: the pod\'s own reason, exit 1', async () => {
    const r = await ocmadm(['init', '--wait', '--image', '127.0.0.1:9/no-such/node:24'], hub.adminKubeconfigPath).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the hub controller pod open-cluster-management-hub\/\S+ cannot pull its image: (ErrImagePull|ImagePullBackOff)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 600_000);
});
