/**
 * Jest global setup for the e2e project: starts the shared control planes `hub`, `spoke1` and
 * `spoke2` in parallel and describes them in <runDir>/clusters.json, named by
 * $OCMADM_E2E_CLUSTERS (test workers inherit the environment; read it with loadClusters()).
 *
 * Component logs: e2e/.logs/run-<timestamp>/<cluster>/{etcd,kube-apiserver,kube-controller-manager}.log.
 * Teardown deletes them after a fully passing run, keeps them after any failure (the reporter
 * prints where) or when OCMADM_KEEP_LOGS=1. Of runs idle for an hour, the 5 newest are kept.
 *
 * $TMPDIR is set to a directory of this run (ocmadm-e2e-run-*): teardown fails the run when any
 * process, mount, network namespace, veth, slot or host iptables chain of it is left.
 *
 * OCMADM_E2E_NO_KCM=1 starts the clusters without kube-controller-manager (to see which tests
 * depend on it); OCMADM_K8S_BIN=<dir> uses prebuilt binaries.
 */
import 'reflect-metadata';
import './ts-resolve.cjs';
import fs from 'node:fs';
import path from 'node:path';
import { findBinaries } from '../../src/sandbox/binaries.js';
import { startClusters, type LocalCluster } from '../../src/sandbox/cluster.js';
import { killAllComponentsSync } from '../../src/sandbox/process.js';
import { ensureNodePrereqs } from '../../src/sandbox/node/prereqs.js';
import { clusterInfo, E2E_CLUSTER_NAMES, ROOT, type E2EClusters } from '../support/clusters.js';
import { openRunScope } from './run-scope.js';
import { setState } from './state.js';

const LOGS_ROOT = path.join(ROOT, 'e2e', '.logs');
const KEEP_RUNS = 5;
const IDLE_MS = 3_600_000;

/** When a run last wrote a log (runs of other checkouts or sessions may still be going). */
function lastActivity(dir: string): number {
  let newest = fs.statSync(dir).mtimeMs;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? lastActivity(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Keeps the logs of the 5 newest finished runs; runs active within the last hour are left alone. */
function pruneOldRuns(): void {
  if (!fs.existsSync(LOGS_ROOT)) return;
  const idle = fs
    .readdirSync(LOGS_ROOT)
    .filter((d) => d.startsWith('run-'))
    .map((d) => {
      const dir = path.join(LOGS_ROOT, d);
      try {
        return { dir, at: lastActivity(dir) };
      } catch {
        return { dir, at: Date.now() }; // removed meanwhile by its own teardown
      }
    })
    .filter((r) => Date.now() - r.at > IDLE_MS)
    .sort((a, b) => b.at - a.at);
  for (const old of idle.slice(KEEP_RUNS)) fs.rmSync(old.dir, { recursive: true, force: true });
}

function onSignal(signal: NodeJS.Signals): void {
  // Interrupted (Ctrl-C, CI cancel): no teardown will run; take the control planes along.
  killAllComponentsSync();
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

export default async function globalSetup(): Promise<void> {
  const t0 = Date.now();
  pruneOldRuns();
  const runDir = path.join(LOGS_ROOT, `run-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  fs.mkdirSync(runDir, { recursive: true });
  process.stderr.write(`\ne2e: component logs in ${runDir}\n`);

  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  // Before anything starts: every directory of the run lands below its own $TMPDIR (teardown checks it).
  const scope = await openRunScope();
  const binaries = await findBinaries();
  // The suites with real nodes (e2e/nodes, e2e/images, e2e/embedded, the demo) need containerd,
  // runc, CNI plugins, iptables and socat: installed here (apt-get, as root) so that `npm test`
  // alone prepares a fresh machine. A machine that cannot is said once; those suites then fail.
  const cannot = await ensureNodePrereqs({ log: (l) => process.stderr.write(`e2e: ${l}\n`) });
  if (cannot) process.stderr.write(`e2e: this machine cannot run nodes: ${cannot}\n`);
  const controllerManager = process.env.OCMADM_E2E_NO_KCM !== '1';
  if (!controllerManager) process.stderr.write('e2e: OCMADM_E2E_NO_KCM=1: clusters run WITHOUT kube-controller-manager\n');

  const clusters: LocalCluster[] = [];
  setState({ clusters, runDir, scope });
  await startClusters(
    E2E_CLUSTER_NAMES.map((name) => ({ name, binaries, controllerManager, logDir: path.join(runDir, name) })),
    (c) => clusters.push(c), // known to the signal handler and teardown as soon as it runs
  );

  const byName = (n: string) => clusters.find((c) => c.name === n)!;
  const description: E2EClusters = {
    hub: clusterInfo(byName('hub')),
    spoke1: clusterInfo(byName('spoke1')),
    spoke2: clusterInfo(byName('spoke2')),
    runDir,
  };
  const file = path.join(runDir, 'clusters.json');
  fs.writeFileSync(file, JSON.stringify(description, null, 2) + '\n', { mode: 0o600 });
  process.env.OCMADM_E2E_CLUSTERS = file;
  // Older suites read the hub's admin kubeconfig from here.
  process.env.OCMADM_E2E_HUB_KUBECONFIG = description.hub.adminKubeconfigPath;

  const each = clusters.map((c) => `${c.name} ${c.server} (${(c.startupMs / 1000).toFixed(1)} s)`).join(', ');
  process.stderr.write(`e2e: clusters up in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${each}\n`);
}
