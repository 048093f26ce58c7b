/**
 * The hub controller as ocmadm ships it, on a cluster with a real node and no flags beyond the
 * kubeconfig: init --wait brings its pods (the bundle from a ConfigMap, on node:24-bookworm-slim)
 * to Ready with one leading; an image that cannot be pulled ends --wait with the pod's own reason,
 * and a bundle whose hash does not match ends it with CrashLoopBackOff and the loader's line.
 * Prints the pods' start-to-Ready times and their RSS (ps on this machine).
 * Then a spoke with a real node joins with the klusterlet in a pod (it reaches the hub at the
 * hub's node IP, relayed on the spoke's node), is accepted, and runs examples/hello from a
 * ManifestWork applied by the in-cluster work agent; `get hub-info` and `get klusterlet-info` then
 * report both runtimes from their pods, Deployments and Lease.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { KubeClient } from '../../src/kube/client.js';
import type { LocalCluster } from '../../src/sandbox/cluster.js';
import type { Registry } from '../../src/sandbox/images/index.js';
import { VERSION } from '../../src/version.js';
import { clientOf, deploymentAvailable, hubAtNodeIp, startNodeClusters, startRegistryWithImages, tearDownNodeSuite, waitFor } from '../nodes/support.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const execFileP = promisify(execFile);
type Cond = { type: string; status: string; lastTransitionTime?: string };
type Pod = { metadata: { name: string; creationTimestamp: string; annotations?: Record<string, string> }; spec: { containers: { image: string }[] }; status?: { phase?: string; conditions?: Cond[]; startTime?: string } };
const ready = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const startToReady = (p: Pod) => (Date.parse(p.status!.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime!) - Date.parse(p.status!.startTime!)) / 1000;

async function ocmadm(args: string[], kubeconfig: string, env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await execFileP(process.execPath, [path.join(ROOT, 'bin/ocmadm'), ...args, '--kubeconfig', kubeconfig], { maxBuffer: 16 << 20, env: { ...process.env, ...env } });
  return stdout;
}

async function pods(client: KubeClient, namespace: string, selector: string): Promise<Pod[]> {
  return (await client.list<Pod & { metadata: { name: string } }>(`/api/v1/namespaces/${namespace}/pods`, { labelSelector: selector })).items as Pod[];
}

/** RSS in MiB of the runtime processes on this machine (a container's processes are ours to see). */
async function runtimeRss(argContaining = ''): Promise<number[]> {
  const { stdout } = await execFileP('ps', ['-eo', 'rss=,args=']);
  return stdout
    .split('\n')
    .filter((l) => l.includes(' -e const fs=require') && l.includes(argContaining))
    .map((l) => Math.round(Number(l.trim().split(/\s+/)[0]) / 1024));
}

describe('runtimes from the CLI on real pods', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocmadm-embedded-'));
  let registry: Registry | undefined;
  let hub: LocalCluster;
  let spoke: LocalCluster;
  let hc: KubeClient;
  let sc: KubeClient;

  beforeAll(async () => {
    registry = await startRegistryWithImages(dir);
    [hub, spoke] = (await startNodeClusters(['emb-hub', 'emb-spoke'], dir, registry)) as [LocalCluster, LocalCluster];
    hc = await clientOf(hub);
    sc = await clientOf(spoke);
  }, 600_000);

  afterAll(() => tearDownNodeSuite(dir, [hc, sc], [hub, spoke, registry]));

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

  it('init --wait with a bundle whose hash does not match: the loader refuses it in one line, and --wait reports the crash with that line', async () => {
    // The CLI's own bundle directory with the hub controller's file swapped and a recorded hash that
    // is not the file's (a tampered bundle). A new hash also gives the Deployment a new template, so
    // new pods start and load it (pods of an unchanged template would keep the bundle they loaded).
    const broken = path.join(dir, 'broken-bundles');
    fs.cpSync(path.join(ROOT, 'dist/bundles'), broken, { recursive: true });
    fs.writeFileSync(path.join(broken, 'hub-controller.mjs.gz'), gzipSync('export {};'));
    const manifestFile = path.join(broken, 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { bundles: Record<string, { sha256: string }> };
    manifest.bundles['hub-controller']!.sha256 = createHash('sha256').update('not the file').digest('hex');
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));
    const r = await ocmadm(['init', '--wait'], hub.adminKubeconfigPath, { OCMADM_RUNTIME_BUNDLES: broken }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /the hub controller pod open-cluster-management-hub\/\S+ does not start: CrashLoopBackOff; its last log line: ocmadm runtime: bundle \S+ has sha256 [0-9a-f]{64} but this Deployment expects [0-9a-f]{64}; reinstall it with ocmadm upgrade/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 600_000);

  it('join --wait, accept --wait and deploy with the klusterlet in a pod: Joined, Available, hello runs on the spoke', async () => {
    const hubKubeconfig = path.join(dir, 'hub-at-node-ip.kubeconfig');
    const hubUrl = await hubAtNodeIp(hub, [spoke], hubKubeconfig);

    const init = JSON.parse(await ocmadm(['init', '--wait', '-o', 'json'], hubKubeconfig)) as { 'hub-token': string; 'hub-apiserver': string };
    expect(init['hub-apiserver']).toBe(hubUrl);
    await ocmadm(['join', '--hub-token', init['hub-token'], '--hub-apiserver', init['hub-apiserver'], '--cluster-name', 'emb-spoke', '--wait'], spoke.adminKubeconfigPath);
    const agent = await pods(sc, 'open-cluster-management-agent', 'app.kubernetes.io/name=klusterlet-agent');
    expect(agent).toHaveLength(1);
    expect(agent[0]!.spec.containers[0]!.image).toBe('node:24-bookworm-slim');

    await ocmadm(['accept', '--clusters', 'emb-spoke', '--wait'], hubKubeconfig);
    const mc = await hc.get<{ status?: { conditions?: Cond[] } }>('/apis/cluster.open-cluster-management.io/v1/managedclusters/emb-spoke');
    for (const type of ['ManagedClusterJoined', 'ManagedClusterConditionAvailable']) {
      expect(mc.status?.conditions?.find((c) => c.type === type)?.status).toBe('True');
    }

    await ocmadm(['deploy', 'hello', '-f', path.join(ROOT, 'examples/hello'), '--clusters', 'emb-spoke', '--wait'], hubKubeconfig);
    const hello = await waitFor(sc, { group: 'apps', version: 'v1', resource: 'deployments', namespace: 'hello', name: 'hello' }, deploymentAvailable, 'hello Available on the spoke', 300_000);
    expect(hello).toBeDefined();
    const helloPods = await pods(sc, 'hello', 'app=hello');
    expect(helloPods.filter(ready).length).toBeGreaterThanOrEqual(1);
    // get hub-info and klusterlet-info on the cluster runtime: what the pods, Deployments and Lease say.
    const hubInfo = JSON.parse(await ocmadm(['get', 'hub-info', '-o', 'json'], hubKubeconfig));
    const hubPods = await pods(hc, 'open-cluster-management-hub', 'app=ocmadm-hub-controller');
    expect(hubInfo).toMatchObject({
      hub: hubUrl,
      controller: { runtime: 'cluster', version: VERSION, healthy: true, deployment: { image: 'node:24-bookworm-slim', replicas: 2, readyReplicas: 2 } },
      crds: { missing: [] },
      registration: { clusters: 1, accepted: 1, joined: 1, available: 1, pendingCsrs: 0 },
    });
    const podNames = hubPods.map((p) => p.metadata.name).sort();
    expect((hubInfo.controller.pods as { name: string; version: string; phase: string }[]).map((p) => [p.name, p.version, p.phase]).sort()).toEqual(podNames.map((n) => [n, VERSION, 'Running']));
    expect(podNames).toContain(hubInfo.controller.leader.holder);
    expect(Date.now() - Date.parse(hubInfo.controller.leader.renewTime)).toBeLessThan(60_000);
    const kl = JSON.parse(await ocmadm(['get', 'klusterlet-info', '-o', 'json'], spoke.adminKubeconfigPath));
    expect(kl).toMatchObject({
      runtime: 'cluster',
      version: VERSION,
      healthy: true,
      deployment: { image: 'node:24-bookworm-slim', replicas: 1, readyReplicas: 1 },
      pods: [{ name: agent[0]!.metadata.name, version: VERSION, phase: 'Running' }],
      clusterName: 'emb-spoke',
      hub: hubUrl,
      bootstrap: { present: true, accepted: true },
      hubCredential: { present: true, accepted: true, expired: false },
      accepted: true,
      joined: 'True',
      available: 'True',
    });
    expect(await ocmadm(['get', 'hub-info'], hubKubeconfig)).toMatch(/^health\s+Healthy$/m);

    const [klusterletRss] = await runtimeRss('emb-spoke');
    expect(klusterletRss).toBeGreaterThan(0);
    process.stdout.write(`klusterlet pod RSS MiB (Joined, Available, one work applied): ${klusterletRss}\n`);
  }, 900_000);
});
