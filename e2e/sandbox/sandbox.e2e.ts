/**
 * `ocmadm sandbox` end to end: real control planes started by the CLI outlive it, the spokes end
 * up Joined and Available on the hub as seen through the written kubeconfig, a second up is
 * refused with a hint, down leaves no process and no file, a crashed sandbox comes down cleanly,
 * and --bare starts control planes only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '../../src/kube/kubeconfig.js';
import { KubeClient, type KubeObject } from '../../src/kube/client.js';
import { isNotFound } from '../../src/kube/errors.js';
import { waitForObject } from '../../src/kube/wait.js';
import { isAlive } from '../../src/runtime/host/index.js';
import { eventually, runCli } from '../support/clusters.js';
import { errorLines } from '../cli/support.js';
import { COND, NS, SECRET } from '../../src/api/names.js';
import type { SandboxRecord } from '../../src/commands/sandbox/state.js';

const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocmadm-e2e-sandbox-'));
const env = { OCMADM_STATE_DIR: stateDir };
const sandbox = (args: string[]) => runCli(['sandbox', ...args], { env, timeoutMs: 240_000 });
const dirOf = (name: string) => path.join(stateDir, 'sandboxes', name);
const record = (name: string) => JSON.parse(fs.readFileSync(path.join(dirOf(name), 'sandbox.json'), 'utf8')) as SandboxRecord;

/** Every pid of a sandbox: control-plane components and the local runtimes' pid files. */
function allPids(name: string): number[] {
  const pids = record(name).clusters.flatMap((c) => c.processes.map((p) => p.pid));
  const state = path.join(dirOf(name), 'state');
  for (const kind of ['hub-controller', 'klusterlet']) {
    const root = path.join(state, kind);
    if (!fs.existsSync(root)) continue;
    for (const inst of fs.readdirSync(root)) {
      const pidFile = path.join(root, inst, 'pid.json');
      if (fs.existsSync(pidFile)) pids.push((JSON.parse(fs.readFileSync(pidFile, 'utf8')) as { pid: number }).pid);
    }
  }
  return pids;
}

const clients: KubeClient[] = [];
async function contextClient(kubeconfig: string, context: string): Promise<KubeClient> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  kc.setCurrentContext(context);
  const c = await KubeClient.create(kc, 'ocmadm-e2e');
  clients.push(c);
  return c;
}

const condition = (o: KubeObject, type: string) => ((o.status as { conditions?: { type: string; status: string }[] })?.conditions ?? []).find((c) => c.type === type)?.status;

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  // A failed test must not leave control planes behind.
  for (const name of fs.existsSync(path.join(stateDir, 'sandboxes')) ? fs.readdirSync(path.join(stateDir, 'sandboxes')) : []) await sandbox(['down', '--name', name]);
  fs.rmSync(stateDir, { recursive: true, force: true });
});

describe('sandbox up with 2 spokes, status, up again, down', () => {
  let up: { name: string; nodes: number; kubeconfig: string; hub: { context: string; server: string }; spokes: { context: string; server: string; clusterName: string }[] };
  let upMs: number;

  beforeAll(async () => {
    const t0 = Date.now();
    const r = await sandbox(['up', '--name', 'e2e', '--nodes', '0', '-o', 'json']);
    upMs = Date.now() - t0;
    if (r.code !== 0) throw new Error(`sandbox up failed (${r.code}):\n${r.stderr}`);
    up = JSON.parse(r.stdout);
    process.stderr.write(`e2e sandbox: up with 2 spokes took ${(upMs / 1000).toFixed(1)} s (CLI wall time)\n`);
  });

  test('-o json has exactly name, kubeconfig, hub, spokes and nodes', () => {
    expect(Object.keys(up).sort()).toEqual(['hub', 'kubeconfig', 'name', 'nodes', 'spokes']);
    expect(up.name).toBe('e2e');
    expect(up.nodes).toBe(0);
    expect(up.kubeconfig).toBe(path.join(dirOf('e2e'), 'kubeconfig'));
    expect(Object.keys(up.hub).sort()).toEqual(['context', 'server']);
    expect(up.hub.context).toBe('e2e-hub');
    expect(up.spokes.map((s) => [Object.keys(s).sort(), s.context, s.clusterName])).toEqual([
      [['clusterName', 'context', 'server'], 'e2e-spoke1', 'spoke1'],
      [['clusterName', 'context', 'server'], 'e2e-spoke2', 'spoke2'],
    ]);
    for (const s of [up.hub, ...up.spokes]) expect(s.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  test('the kubeconfig is private and every context reaches its own cluster', async () => {
    expect(fs.statSync(up.kubeconfig).mode & 0o777).toBe(0o600);
    for (const s of [up.hub, ...up.spokes]) {
      const c = await contextClient(up.kubeconfig, s.context);
      expect(c.server).toBe(s.server);
      expect((await c.get<{ gitVersion: string }>('/version')).gitVersion).toMatch(/^v1\.\d+\.\d+/);
    }
  });

  test('both spokes are accepted, Joined and Available on the hub; their agents run on the spokes', async () => {
    const hub = await contextClient(up.kubeconfig, up.hub.context);
    for (const s of up.spokes) {
      const mc = await hub.get<KubeObject>(`/apis/cluster.open-cluster-management.io/v1/managedclusters/${s.clusterName}`);
      expect({ name: s.clusterName, accepted: (mc.spec as { hubAcceptsClient?: boolean }).hubAcceptsClient, joined: condition(mc, COND.cluster.joined), available: condition(mc, COND.cluster.available) }).toEqual({
        name: s.clusterName,
        accepted: true,
        joined: 'True',
        available: 'True',
      });
      const spoke = await contextClient(up.kubeconfig, s.context);
      await spoke.get(`/api/v1/namespaces/${NS.agent}/secrets/${SECRET.hubKubeconfig}`); // the agent's accepted credentials
    }
  });

  test('status lists it healthy, with every process running and /readyz ok', async () => {
    const r = await sandbox(['status', '-o', 'json']);
    expect(r.code).toBe(0);
    const { sandboxes } = JSON.parse(r.stdout) as { sandboxes: { name: string; health: string; clusters: { readyz: string; processes: { running: boolean }[] }[]; runtimes: { running: boolean }[] }[] };
    expect(sandboxes.map((s) => [s.name, s.health])).toEqual([['e2e', 'healthy']]);
    expect(sandboxes[0]!.clusters.map((c) => c.readyz)).toEqual(['ok', 'ok', 'ok']);
    expect(sandboxes[0]!.clusters.flatMap((c) => c.processes).length).toBeGreaterThanOrEqual(9);
    expect(sandboxes[0]!.runtimes.map((x) => x.running)).toEqual([true, true, true]);
    const text = await sandbox(['status']);
    expect(text.stdout).toMatch(/^Sandbox e2e: healthy/m);
  });

  test('up again with the same name: exit 1, one line saying to run sandbox down, the sandbox untouched', async () => {
    const before = fs.readFileSync(path.join(dirOf('e2e'), 'sandbox.json'), 'utf8');
    const r = await sandbox(['up', '--name', 'e2e', '--nodes', '0']);
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain('ocmadm sandbox down --name e2e');
    expect(fs.readFileSync(path.join(dirOf('e2e'), 'sandbox.json'), 'utf8')).toBe(before);
    expect(allPids('e2e').every(isAlive)).toBe(true);
  });

  test('down stops every process (control planes and runtimes) and removes every file', async () => {
    const pids = allPids('e2e');
    expect(pids.length).toBeGreaterThanOrEqual(12);
    const t0 = Date.now();
    const r = await sandbox(['down', '--name', 'e2e']);
    process.stderr.write(`e2e sandbox: down took ${((Date.now() - t0) / 1000).toFixed(1)} s (CLI wall time)\n`);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Sandbox "e2e" is down/);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(fs.existsSync(dirOf('e2e'))).toBe(false);
    expect((await sandbox(['status', '-o', 'json'])).stdout).toContain('"sandboxes": []');
  });
});

describe('--bare, then a crash', () => {
  let up: { kubeconfig: string; hub: { context: string }; spokes: { context: string }[] };
  let handStarted: number;

  beforeAll(async () => {
    const r = await sandbox(['up', '--name', 'bare', '--bare', '--spokes', '1', '--nodes', '0', '-o', 'json']);
    if (r.code !== 0) throw new Error(`sandbox up --bare failed (${r.code}):\n${r.stderr}`);
    up = JSON.parse(r.stdout);
  });

  test('--bare starts control planes only: no OCM CRDs, no runtimes, contexts for hub and spoke', async () => {
    expect([up.hub.context, ...up.spokes.map((s) => s.context)]).toEqual(['bare-hub', 'bare-spoke1']);
    const hub = await contextClient(up.kubeconfig, up.hub.context);
    const crd = await hub.get('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/managedclusters.cluster.open-cluster-management.io').catch((e: unknown) => e);
    expect(isNotFound(crd)).toBe(true);
    // The controller manager runs: it makes the default ServiceAccount.
    await waitForObject(hub, { group: '', version: 'v1', resource: 'serviceaccounts', namespace: 'default', name: 'default' }, (o) => !!o, { deadline: Date.now() + 30_000, what: 'default SA' });
    expect(fs.existsSync(path.join(dirOf('bare'), 'state', 'hub-controller'))).toBe(false);
    expect(fs.existsSync(path.join(dirOf('bare'), 'state', 'klusterlet'))).toBe(false);
  });

  test('a hub controller started by hand on the bare hub (outside the sandbox) is stopped and removed by down too', async () => {
    const r = await runCli(['init', '--runtime', 'local', '--wait', '--kubeconfig', up.kubeconfig, '--context', up.hub.context], { env });
    expect(r.code).toBe(0);
    const list = JSON.parse((await runCli(['runtime', 'list', '-o', 'json'], { env })).stdout) as { items: { kind: string; pid: number; status: string }[] };
    expect(list.items.map((i) => [i.kind, i.status])).toEqual([['hub-controller', 'running']]);
    handStarted = list.items[0]!.pid;
  });

  test('a crashed sandbox (its hub apiserver SIGKILLed) shows degraded, and down brings it down cleanly', async () => {
    const pids = [...allPids('bare'), handStarted];
    const hubApi = record('bare').clusters[0]!.processes.find((p) => p.component === 'kube-apiserver')!;
    process.kill(hubApi.pid, 'SIGKILL');
    await eventually(async () => !isAlive(hubApi.pid), { ms: 10_000, firstDelayMs: 10, maxDelayMs: 200, describe: () => `the hub's kube-apiserver (pid ${hubApi.pid}) is still alive` });

    const status = await sandbox(['status', '--name', 'bare', '-o', 'json']);
    const s = (JSON.parse(status.stdout) as { sandboxes: { health: string; clusters: { readyz: string }[] }[] }).sandboxes[0]!;
    expect(s.health).toBe('degraded');
    expect(s.clusters[0]!.readyz).toBe('unreachable');

    const r = await sandbox(['down', '--name', 'bare']);
    expect(r.code).toBe(0);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(fs.existsSync(dirOf('bare'))).toBe(false);
    expect(fs.readdirSync(path.join(stateDir, 'hub-controller'))).toEqual([]);
  });
});

describe('bad input', () => {
  test('--spokes x: usage error, exit 2, one line, nothing created', async () => {
    const r = await sandbox(['up', '--spokes', 'x']);
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr)).toHaveLength(1);
    expect(fs.existsSync(dirOf('ocm'))).toBe(false);
  });

  test('no control-plane binaries: exit 1, one line saying what is missing, nothing left behind', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'ocmadm-e2e-nobins-'));
    const r = await runCli(['sandbox', 'up', '--name', 'nobins'], { env: { ...env, OCMADM_K8S_BIN: empty } });
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/OCMADM_K8S_BIN=.* must be a directory holding etcd, kube-apiserver/)]);
    expect(fs.existsSync(dirOf('nobins'))).toBe(false);
  });

  test('down of a sandbox that does not exist: exit 1, one line naming it', async () => {
    const r = await sandbox(['down', '--name', 'nope']);
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toEqual([expect.stringContaining('no sandbox named "nope"')]);
  });
});
