/**
 * Nodes through the CLI and when things go wrong: `ocmadm sandbox up --nodes 1` gives each cluster
 * a Ready node fed by the local registry; node processes killed with SIGKILL are still cleaned up
 * by `sandbox down`, which leaves no process, mount, namespace, veth, cgroup or slot; a machine
 * that cannot run nodes (simulated through an injected check) gets one line and nothing started.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { KubeConfig } from '../../src/kube/kubeconfig.js';
import { KubeClient } from '../../src/kube/client.js';
import { startCluster } from '../../src/sandbox/cluster.js';
import { readNodeRecord } from '../../src/sandbox/node/index.js';
import { claimedSlots } from '../../src/sandbox/node/slot.js';
import { podNetnses } from '../../src/sandbox/node/network.js';
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
  const up = await runCli(['sandbox', 'up', '--name', 'nodes', '--spokes', '1', '--bare', '--nodes', '1', '-o', 'json'], { env, timeoutMs: 400_000 });
  expect({ code: up.code, stderr: up.code ? up.stderr : '' }).toEqual({ code: 0, stderr: '' });
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
  const left: string[] = [];
  for (const n of nodes) left.push(...(await nodeLeftovers({ dir: n.dir, node: { slot: n.rec.slot, netns: `ocmadm-n${n.rec.slot}` } })));
  for (const p of pods) if (fs.existsSync(`/run/netns/${p}`)) left.push(`pod network namespace ${p}`);
  const { stdout: after } = await execFileP('ps', ['-eo', 'pid=,args=']);
  for (const l of after.split('\n')) if (l.includes(sandboxDir)) left.push(`process ${l.trim()}`);
  expect(left).toEqual([]);
  expect(fs.existsSync(sandboxDir)).toBe(false);
});

describe('a machine that cannot run nodes (simulated through an injected check)', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ocmadm-e2e-nodes-bad-'));
  afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

  test.each([
    ['not root', { platform: 'linux' as const, uid: 1000, has: () => true }, /^cluster bad-input: nodes need root \(.*\): run as root$/],
    ['socat missing, no apt-get', { platform: 'linux' as const, uid: 0, has: (f: string) => f !== 'socat' && f !== 'apt-get' }, /^cluster bad-input: nodes need the packages socat; install them .*apt-get install -y socat\)$/],
  ])('%s: one line, and nothing started or claimed', async (_what, probe, line) => {
    const slots = claimedSlots();
    const err = await startCluster({ name: 'bad-input', baseDir: base, nodes: 1, nodePrereqs: { probe, log: () => undefined } }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(line);
    expect(err?.message.includes('\n')).toBe(false);
    expect(fs.readdirSync(base)).toEqual([]);
    expect(claimedSlots()).toEqual(slots);
    const { stdout: ps } = await execFileP('ps', ['-eo', 'args=']);
    expect(ps.split('\n').filter((l) => l.includes(base))).toEqual([]);
  });

  test('sandbox up --nodes 2 is a usage error (exit 2) naming the choices, and nothing is created', async () => {
    const r = await runCli(['sandbox', 'up', '--name', 'badnodes', '--nodes', '2'], { env });
    expect({ code: r.code, stderr: r.stderr.trim() }).toEqual({ code: 2, stderr: expect.stringMatching(/--nodes must be 0 \(control planes only\) or 1/) });
    expect(fs.existsSync(path.join(stateDir, 'sandboxes', 'badnodes'))).toBe(false);
  });
});
