/**
 * The README's first command, `npm run demo`, as CI runs it: the same script (scripts/demo.mjs,
 * which checks its own result), in a private state directory, then `sandbox down`, which must
 * leave no process and no file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { ROOT, runCli } from '../support/clusters.js';
import { isAlive } from '../../src/runtime/host/index.js';

function runDemo(env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'demo.mjs')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, out }));
  });
}

test('npm run demo: a sandbox with two spokes, hello deployed to both through a placement, hello-addon enabled on both (with nodes), then torn down without a trace', async () => {
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'ocmadm-demo-'));
  const env = { ...process.env, OCMADM_STATE_DIR: state, OCMADM_DEMO_NAME: 'cidemo', NO_COLOR: '1' };
  let pids: number[] = [];
  try {
    const t0 = Date.now();
    const r = await runDemo(env);
    process.stderr.write(`e2e: npm run demo took ${Date.now() - t0} ms\n`);
    expect({ code: r.code, tail: r.code ? r.out.slice(-2000) : '' }).toEqual({ code: 0, tail: '' });
    expect(r.out).toMatch(/^spoke1\s+true\s+True\s+True/m);
    expect(r.out).toMatch(/^spoke2\s+true\s+True\s+True/m);
    expect(r.out).toMatch(/default\s+hello\s+2\s+True\s+AllDecisionsScheduled/);
    // hello's Deployment on each spoke, from the works' status feedback (<none> without nodes).
    expect(r.out).toMatch(/^CLUSTER\s+DEPLOYMENT\s+READY\s+REPLICAS\s+AVAILABLE$/m);
    // With nodes (root on Linux) the demo waits for the pods: both replicas ready on each spoke.
    const ready = r.out.includes('waiting until every replica is ready') ? '2\\s+2\\s+2' : '<none>\\s+<none>\\s+<none>';
    for (const spoke of ['spoke1', 'spoke2']) expect(r.out).toMatch(new RegExp(`^${spoke}\\s+hello/hello\\s+${ready}$`, 'm'));
    // With nodes the demo enables examples/addons/hello-addon on both spokes: Available, and each
    // agent pod wrote into its own cluster namespace on the hub and was refused in default.
    if (r.out.includes('waiting until every replica is ready')) {
      for (const spoke of ['spoke1', 'spoke2']) {
        expect(r.out).toMatch(new RegExp(`^${spoke}\\s+hello-addon\\s+True\\s`, 'm'));
        expect(r.out).toMatch(new RegExp(`^${spoke}/hello-addon: hello from pod hello-addon-agent-\\S+; a write in default was refused \\(403\\)$`, 'm'));
      }
    } else {
      expect(r.out).toContain('(no nodes: the example add-on examples/addons/hello-addon runs its agent as pods, so the demo leaves it out)');
    }
    expect(r.out).toContain('npm run demo:down');

    const status = await runCli(['sandbox', 'status', '-o', 'json'], { env });
    pids = JSON.stringify(JSON.parse(status.stdout)).match(/"pid":\s*\d+/g)?.map((p) => Number(p.split(':')[1])) ?? [];
    expect(pids.length).toBeGreaterThanOrEqual(9 + 3); // 3 control planes × 3 components, 3 local runtimes
  } finally {
    const down = await runCli(['sandbox', 'down', '--name', 'cidemo'], { env });
    expect(down.code).toBe(0);
  }
  expect(pids.filter(isAlive)).toEqual([]);
  expect(fs.existsSync(path.join(state, 'sandboxes', 'cidemo'))).toBe(false);
  expect(fs.readdirSync(state).flatMap((d) => fs.readdirSync(path.join(state, d)))).toEqual([]);
  fs.rmSync(state, { recursive: true, force: true });
  // With nodes the demo waits for real pods: minutes on a loaded 2-core machine.
}, 900_000);
