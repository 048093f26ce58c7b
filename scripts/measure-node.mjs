// Measures a node's footprint (README "How a node is built"): starts one cluster with a node
// (registry and images as the e2e suite makes them), runs a 2-replica Deployment of pause, and
// prints the node's start time and the RSS of each of its processes, just started and after
// 60 s idle. Root on Linux; run after `npm run build`: node scripts/measure-node.mjs
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as wait } from 'node:timers/promises';
import { execFileSync } from 'node:child_process';
import { startCluster } from '../dist/sandbox/cluster.js';
import { findBinaries } from '../dist/sandbox/binaries.js';
import { PAUSE_IMAGE, pushSandboxImages, startRegistry } from '../dist/sandbox/images/index.js';
import { netnsPids } from '../dist/sandbox/node/network.js';

const rssKb = (pid) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
};
const comm = (pid) => fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();

async function sample(c, label) {
  const byName = {};
  for (const pid of await netnsPids(c.node.netns)) byName[comm(pid)] = (byName[comm(pid)] ?? 0) + rssKb(pid);
  // Host side of the node: the apiserver relay (socat and its per-connection forks) and kube-scheduler.
  const hostSocat = execFileSync('pgrep', ['-f', `UNIX-LISTEN:/run/ocmadm/n${c.node.slot}/`]).toString().split('\n').filter(Boolean).map(Number);
  byName['socat (host side)'] = hostSocat.reduce((s, p) => s + rssKb(p), 0);
  byName['kube-scheduler (host)'] = rssKb(c.node.pids()['kube-scheduler']);
  const mb = (kb) => `${(kb / 1024).toFixed(0)} MB`;
  const total = Object.entries(byName).filter(([n]) => n !== 'kube-scheduler (host)' && n !== 'pause' && n !== 'containerd-shim').reduce((s, [, v]) => s + v, 0);
  console.log(`${label}: ${Object.entries(byName).map(([n, v]) => `${n} ${mb(v)}`).join(', ')}; node total (kubelet+containerd+kube-proxy+relays) ${mb(total)}`);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocmadm-measure-'));
const registry = await startRegistry({ dir: path.join(dir, 'registry') });
let c;
try {
  await pushSandboxImages(registry.address);
  const t0 = Date.now();
  c = await startCluster({ name: 'measure', baseDir: dir, nodes: 1, registry: registry.address });
  console.log(`cluster with a node ready in ${Date.now() - t0} ms (control plane ${c.startupMs - c.node.startupMs} ms, node ${c.node.startupMs} ms: network, certificates, containerd, kubelet until Ready); load ${os.loadavg()[0].toFixed(1)}`);
  await sample(c, 'just started');
  const bin = await findBinaries();
  execFileSync(bin.kubectl, ['--kubeconfig', c.adminKubeconfigPath, 'create', 'deployment', 'idle', `--image=${PAUSE_IMAGE}`, '--replicas=2']);
  execFileSync(bin.kubectl, ['--kubeconfig', c.adminKubeconfigPath, 'wait', '--for=condition=Available', 'deployment/idle', '--timeout=180s']);
  await sample(c, 'with 2 pods');
  await wait(60_000);
  await sample(c, 'after 60 s idle');
} finally {
  await c?.stop();
  await registry.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
