/**
 * The harness itself: the shared clusters answer as described, stop() of a cluster leaves no
 * process and no temporary directory behind, and runCli drives the built CLI.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCluster } from '../../src/sandbox/cluster.js';
import { findBinaries } from '../../src/sandbox/binaries.js';
import { adminClient, E2E_CLUSTER_NAMES, loadClusters, runCli } from '../support/clusters.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('the shared clusters are distinct, report the pinned version and have a Node with capacity', async () => {
  const clusters = loadClusters();
  const servers = new Set(E2E_CLUSTER_NAMES.map((n) => clusters[n].server));
  expect(servers.size).toBe(3);
  for (const name of E2E_CLUSTER_NAMES) {
    const c = clusters[name];
    const client = await adminClient(c);
    try {
      expect((await client.get<{ gitVersion: string }>('/version')).gitVersion).toBe('v1.36.3');
      expect(c.version).toBe('v1.36.3');
      const node = await client.get<{ status: { capacity: Record<string, string> } }>(`/api/v1/nodes/${c.nodeName}`);
      expect(node.status.capacity).toEqual({ cpu: '4', memory: '8Gi', pods: '110' });
    } finally {
      await client.close();
    }
  }
});

test('stop() kills every component process group and removes the cluster directory', async () => {
  const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocmadm-harness-'));
  try {
    const c = await startCluster({ name: 'throwaway', baseDir, binaries: await findBinaries(), node: false });
    const pids = Object.values(c.pids).filter((p): p is number => typeof p === 'number');
    expect(pids).toHaveLength(3);
    for (const pid of pids) expect(alive(pid)).toBe(true);
    expect(fs.existsSync(c.dir)).toBe(true);
    expect(fs.existsSync(c.adminKubeconfigPath)).toBe(true);

    await c.stop();

    for (const pid of pids) expect(alive(pid)).toBe(false);
    // Nothing else in their process groups either (kill(-pgid, 0) fails when the group is empty).
    for (const pid of pids) expect(() => process.kill(-pid, 0)).toThrow();
    expect(fs.existsSync(c.dir)).toBe(false);
    expect(fs.readdirSync(baseDir)).toEqual([]);
    await c.stop(); // idempotent
  } finally {
    fs.rmSync(baseDir, { recursive: true, force: true });
  }
});

test('runCli runs the built CLI and reports exit code, stdout and stderr', async () => {
  const ok = await runCli(['--version']);
  expect(ok).toEqual({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+/), stderr: '' });
  const usage = await runCli(['no-such-command'], { input: 'ignored\n' });
  expect(usage.code).toBe(2);
  expect(usage.stderr).toContain('no-such-command');
});
