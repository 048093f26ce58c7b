/**
 * Nodes through the CLI and when things go wrong: `ocmadm sandbox up --nodes 1` gives each cluster
 * a Ready node fed by the local registry; node processes killed with SIGKILL are still cleaned up
 * by `sandbox down`, which leaves no process, mount, namespace, veth, cgroup, slot or host iptables
 * chain; `--nodes 0` starts no node; on a machine that cannot run nodes (the CLI run as a user
 * without root) `sandbox up` says why in one line and starts control planes only, and `--nodes 1`
 * is refused with one line and nothing started; a cluster start and a `sandbox up` that fail
 * half-way are torn down whole. Every "nothing left" is src/sandbox/node/leftovers.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { KubeConfig } from '../../src/kube/kubeconfig.js';
import { KubeClient } from '../../src/kube/client.js';
import { startCluster } from '../../src/sandbox/cluster.js';
import { findBinaries } from '../../src/sandbox/binaries.js';
import { readNodeRecord } from '../../src/sandbox/node/index.js';
import { claimedSlots, readSlotOwner } from '../../src/sandbox/node/slot.js';
import { podNetnses } from '../../src/sandbox/node/network.js';
import { hostSnapshot, leftovers, type HostSnapshot } from '../../src/sandbox/node/leftovers.js';
import type { SandboxRecord } from '../../src/commands/sandbox/state.js';
import { runCli } from '../support/clusters.js';
import { nodeLeftovers, waitFor } from './support.js';

const execFileP = promisify(execFile);
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocmadm-e2e-nodes-sandbox-'));
const env = { OCMADM_STATE_DIR: stateDir };
const sandboxDir = path.join(stateDir, 'sandboxes', 'nodes');

afterAll(async () => {
  if (fs.existsSync(sandboxDir)) await runCli(['sandbox', 'down', '--name', 'nodes'], { env, timeoutMs: 120_000 });
  fs.rmSync(stateDir, { recursive: true, force: true });
});

test('sandbox up --nodes 1: a Ready node per cluster; down after SIGKILLed node processes leaves nothing behind', async () => {
  const before = await hostSnapshot();
  const up = await runCli(['sandbox', 'up', '--name', 'nodes', '--spokes', '1', '--bare', '--nodes', '1', '-o', 'json'], { env, timeoutMs: 400_000 });
  // stderr is shown whenever stdout holds no result (once seen under heavy load: exit 0, empty stdout).
  expect({ code: up.code, stderr: up.code || !up.stdout.trim() ? up.stderr : '' }).toEqual({ code: 0, stderr: '' });
  const out = JSON.parse(up.stdout) as { nodes: number; spokes: { context: string }[] };
  expect(out.nodes).toBe(1);
  const rec = JSON.parse(fs.readFileSync(path.join(sandboxDir, 'sandbox.json'), 'utf8')) as SandboxRecord;
  const clusterDirs = fs.readdirSync(path.join(sandboxDir, 'clusters')).map((d) => path.join(sandboxDir, 'clusters', d));
  const nodes = clusterDirs.map((d) => ({ dir: d, rec: readNodeRecord(d)! }));
  expect(nodes.map((n) => !!n.rec)).toEqual([true, true]);

  // The spoke's Node is Ready, seen through the sandbox's kubeconfig.
  const spoke = rec.clusters.find((c) => c.role === 'spoke')!;
  const kc = new KubeConfig();
  kc.loadFromFile(spoke.adminKubeconfig!);
  const client = await KubeClient.create(kc, 'ocmadm-e2e-nodes');
  try {
    const ready = (o: { status?: Record<string, unknown> } | undefined) => !!(o?.status?.conditions as { type: string; status: string }[] | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True');
    await waitFor(client, { group: '', version: 'v1', resource: 'nodes', name: `${spoke.context}-node` }, ready, 'the spoke Node Ready');
    // A running pod, so its sandbox (pause from the registry), shim and pod network namespace must go too.
    await client.create('/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'idle' }, spec: { containers: [{ name: 'idle', image: 'registry.k8s.io/pause:3.10.2' }] } });
    await waitFor(client, { group: '', version: 'v1', resource: 'pods', namespace: 'default', name: 'idle' }, (o) => o?.status?.phase === 'Running', 'pod idle Running');
  } finally {
    await client.close();
  }

  // A crash: the spoke node's kubelet and containerd die by SIGKILL (shims and the pod live on).
  const spokeNode = nodes.find((n) => n.dir.includes(spoke.context))!;
  const pods = await podNetnses(`ocmadm-n${spokeNode.rec.slot}`);
  expect(pods.length).toBeGreaterThan(0);
  const { stdout: ps } = await execFileP('ps', ['-eo', 'pid=,args=']);
  const victims = ps.split('\n').filter((l) => l.includes(spokeNode.dir) && /\/(kubelet|containerd) |^\s*\d+ containerd /.test(l)).map((l) => Number(l.trim().split(/\s+/)[0]));
  expect(victims.length).toBe(2);
  for (const pid of victims) process.kill(pid, 'SIGKILL');

  const down = await runCli(['sandbox', 'down', '--name', 'nodes'], { env, timeoutMs: 120_000 });
  expect({ code: down.code, stderr: down.code ? down.stderr : '' }).toEqual({ code: 0, stderr: '' });
  const slots = nodes.map((n) => ({ slot: n.rec.slot, dir: n.dir }));
  expect(await leftovers({ dirs: [sandboxDir], slots, podNetns: pods, before })).toEqual([]);
  expect(fs.existsSync(sandboxDir)).toBe(false);
});

test('sandbox up --nodes 1 that fails half-way (the kubelet exits at once) is torn down whole: one line, exit 1, nothing left', async () => {
  const before = await hostSnapshot();
  // The real binaries, except a kubelet that fails as soon as it runs (the node binaries sit next to kubectl).
  const bins = fs.mkdtempSync(path.join(stateDir, 'bins-'));
  const real = path.dirname((await findBinaries()).kubectl);
  for (const b of fs.readdirSync(real)) if (b !== 'kubelet') fs.symlinkSync(path.join(real, b), path.join(bins, b));
  fs.writeFileSync(path.join(bins, 'kubelet'), '#!/bin/sh\necho "kubelet: refusing to start (test)" >&2\nexit 1\n', { mode: 0o755 });
  const dir = path.join(stateDir, 'sandboxes', 'halfway');
  const r = await runCli(['sandbox', 'up', '--name', 'halfway', '--spokes', '0', '--bare', '--nodes', '1'], { env: { ...env, OCMADM_K8S_BIN: bins }, timeoutMs: 400_000 });
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('Error: '));
  expect({ code: r.code, errors }).toEqual({
    code: 1,
    errors: [expect.stringMatching(/^Error: sandbox up failed: cluster halfway-hub: kubelet of halfway-hub-node exited during startup; everything it started is stopped and removed \(details with --verbose\)$/)],
  });
  expect(fs.existsSync(dir)).toBe(false);
  expect(await leftovers({ dirs: [dir], before })).toEqual([]);
});

describe('a machine that cannot run nodes (simulated through an injected check)', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ocmadm-e2e-nodes-bad-'));
  let before: HostSnapshot;
  beforeAll(async () => {
    before = await hostSnapshot();
  });
  afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

  test.each([
    ['not root', { platform: 'linux' as const, uid: 1000, has: () => true }, /^cluster bad-input: nodes need root \(.*\): run as root$/],
    ['socat missing, no apt-get', { platform: 'linux' as const, uid: 0, has: (f: string) => f !== 'socat' && f !== 'apt-get' }, /^cluster bad-input: nodes need the packages socat; install them .*apt-get install -y socat\)$/],
  ])('%s: one line, and nothing started or claimed', async (_what, probe, line) => {
    const err = await startCluster({ name: 'bad-input', baseDir: base, nodes: 1, nodePrereqs: { probe, log: () => undefined } }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(line);
    expect(err?.message.includes('\n')).toBe(false);
    expect(fs.readdirSync(base)).toEqual([]);
    expect(await leftovers({ dirs: [base], before })).toEqual([]);
  });

  test('a start that fails half-way (the kubelet exits at once) is torn down whole: no process, namespace, mount, cgroup or slot', async () => {
    // The real binaries, except a kubelet that fails as soon as it runs.
    const real = await findBinaries();
    const bins = path.join(base, 'bins');
    fs.mkdirSync(bins);
    for (const b of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kubectl', 'kube-proxy', 'kube-scheduler']) fs.symlinkSync(path.join(path.dirname(real.kubectl), b), path.join(bins, b));
    fs.writeFileSync(path.join(bins, 'kubelet'), '#!/bin/sh\necho "kubelet: refusing to start (test)" >&2\nexit 1\n', { mode: 0o755 });
    const binaries = { etcd: path.join(bins, 'etcd'), 'kube-apiserver': path.join(bins, 'kube-apiserver'), 'kube-controller-manager': path.join(bins, 'kube-controller-manager'), kubectl: path.join(bins, 'kubectl') };
    const clusters = path.join(base, 'clusters');
    const err = await startCluster({ name: 'half-way', baseDir: clusters, nodes: 1, binaries }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/^cluster half-way: kubelet of half-way-node exited during startup/);
    expect(fs.readdirSync(clusters)).toEqual([]);
    expect(await leftovers({ dirs: [clusters], before })).toEqual([]);
  });

  test('sandbox up --nodes 2 is a usage error (exit 2) naming the choices, and nothing is created', async () => {
    const r = await runCli(['sandbox', 'up', '--name', 'badnodes', '--nodes', '2'], { env });
    expect({ code: r.code, stderr: r.stderr.trim() }).toEqual({ code: 2, stderr: expect.stringMatching(/--nodes must be 0 \(control planes only\) or 1/) });
    expect(fs.existsSync(path.join(stateDir, 'sandboxes', 'badnodes'))).toBe(false);
  });
});

describe('sandbox up on a machine that cannot run nodes: the CLI run as a user without root', () => {
  const NOBODY = { uid: 65534, gid: 65534 };
  // The user reaches only its own directory: the state and hard links to the control-plane binaries.
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ocmadm-e2e-nodes-user-'));
  const userEnv = { OCMADM_STATE_DIR: path.join(base, 'state'), OCMADM_K8S_BIN: path.join(base, 'bins'), HOME: path.join(base, 'state') };
  const asUser = (args: string[]) => runCli(['sandbox', ...args], { env: userEnv, asUser: NOBODY, timeoutMs: 240_000 });
  let before: HostSnapshot;

  beforeAll(async () => {
    before = await hostSnapshot();
    fs.chmodSync(base, 0o711);
    const real = await findBinaries();
    fs.mkdirSync(userEnv.OCMADM_K8S_BIN, { mode: 0o755 });
    for (const [name, file] of Object.entries(real)) {
      const to = path.join(userEnv.OCMADM_K8S_BIN, name);
      try {
        fs.linkSync(fs.realpathSync(file), to);
      } catch {
        fs.copyFileSync(file, to); // another file system
        fs.chmodSync(to, 0o755);
      }
    }
    fs.mkdirSync(userEnv.OCMADM_STATE_DIR, { mode: 0o700 });
    fs.chownSync(userEnv.OCMADM_STATE_DIR, NOBODY.uid, NOBODY.gid);
  });
  afterAll(async () => {
    if (fs.existsSync(path.join(userEnv.OCMADM_STATE_DIR, 'sandboxes', 'fallback'))) await asUser(['down', '--name', 'fallback']);
    fs.rmSync(base, { recursive: true, force: true });
  });

  test('without --nodes: one line says why and that it falls back to control planes only; the sandbox comes up without nodes', async () => {
    const up = await asUser(['up', '--name', 'fallback', '--spokes', '0', '--bare', '-o', 'json']);
    expect({ code: up.code, stderr: up.code || !up.stdout.trim() ? up.stderr : '' }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(up.stdout)).toMatchObject({ name: 'fallback', nodes: 0 });
    const about = up.stderr.split('\n').filter((l) => /nodes|root/.test(l) && !/control planes ready/.test(l));
    expect(about).toEqual([expect.stringMatching(/^warning: no nodes: nodes need root \(.*\): run as root; starting control planes only \(--nodes 0\)$/)]);
    const dir = path.join(userEnv.OCMADM_STATE_DIR, 'sandboxes', 'fallback');
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'sandbox.json'), 'utf8'))).toMatchObject({ nodes: 0 });
    const clusterDirs = fs.readdirSync(path.join(dir, 'clusters')).map((d) => path.join(dir, 'clusters', d));
    expect(clusterDirs.map((d) => readNodeRecord(d))).toEqual([undefined]);
    const down = await asUser(['down', '--name', 'fallback']);
    expect({ code: down.code, stderr: down.code ? down.stderr : '' }).toEqual({ code: 0, stderr: '' });
    expect(await leftovers({ dirs: [base], before })).toEqual([]);
  });

  test('--nodes 1: refused in one line (exit 1), nothing started and no directory left', async () => {
    const r = await asUser(['up', '--name', 'refused', '--nodes', '1']);
    expect({ code: r.code, stderr: r.stderr.trim() }).toEqual({ code: 1, stderr: expect.stringMatching(/^Error: --nodes 1: nodes need root \(.*\): run as root$/) });
    expect(fs.existsSync(path.join(userEnv.OCMADM_STATE_DIR, 'sandboxes', 'refused'))).toBe(false);
    expect(await leftovers({ dirs: [base], before })).toEqual([]);
  });
});

test('sandbox up --nodes 0 on a machine that can run nodes starts none', async () => {
  const before = await hostSnapshot();
  const dir = path.join(stateDir, 'sandboxes', 'nonodes');
  try {
    const up = await runCli(['sandbox', 'up', '--name', 'nonodes', '--spokes', '0', '--bare', '--nodes', '0', '-o', 'json'], { env, timeoutMs: 240_000 });
    expect({ code: up.code, stderr: up.code || !up.stdout.trim() ? up.stderr : '' }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(up.stdout)).toMatchObject({ nodes: 0 });
    expect(up.stderr).not.toMatch(/no nodes|registry/);
    const clusterDirs = fs.readdirSync(path.join(dir, 'clusters')).map((d) => path.join(dir, 'clusters', d));
    expect(clusterDirs.map((d) => readNodeRecord(d))).toEqual([undefined]);
    expect(claimedSlots().filter((s) => readSlotOwner(s)?.dir.startsWith(dir))).toEqual([]);
    const { stdout: ps } = await execFileP('ps', ['-eo', 'args=']);
    const nodePrograms = ['nsenter', 'containerd', 'kubelet', 'kube-proxy', 'kube-scheduler', 'socat', 'registry'];
    expect(ps.split('\n').filter((l) => l.includes(dir) && nodePrograms.includes(path.basename(l.trim().split(' ')[0]!)))).toEqual([]);
  } finally {
    if (fs.existsSync(dir)) await runCli(['sandbox', 'down', '--name', 'nonodes'], { env, timeoutMs: 120_000 });
  }
  expect(await leftovers({ dirs: [dir], before })).toEqual([]);
});
