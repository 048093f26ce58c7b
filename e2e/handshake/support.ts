/**
 * Helpers for the join / accept / unjoin suites: a hub made by `ocmadm init`, join tokens,
 * snapshots of everything join, accept and unjoin could touch on a spoke and on the hub (to
 * prove a refused or dry run changed nothing), and waits on ManagedClusters and CSRs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { KubeClient } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { waitForObject } from '../../src/kube/wait.js';
import { APPLIED_MANIFEST_WORKS, CLUSTER_CLAIMS, MANAGED_CLUSTERS, type ManagedCluster } from '../../src/api/index.js';
import { LABEL, NS } from '../../src/api/names.js';
import { CSRS, csrState, type CertificateSigningRequest } from '../../src/kube/certificates.js';
import type { Fleet } from '../support/fleet.js';
import { ROOT, until } from '../support/clusters.js';
import { SNAPSHOT_KINDS, snapshot, type SnapshotKind } from '../cli/support.js';
import { ROLES, ROLE_BINDINGS, SECRETS } from '../../src/kube/core.js';

export interface JoinToken {
  token: string;
  server: string;
}

/** `ocmadm init --runtime local --wait` on the fleet's hub; fails the suite when it does not succeed. */
export async function initHub(fleet: Fleet, hub = 'hub'): Promise<JoinToken> {
  const r = await fleet.cli(hub, ['init', '--runtime', 'local', '--wait', '-o', 'json']);
  if (r.code !== 0) throw new Error(`ocmadm init failed (${r.code}): ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { 'hub-token': string; 'hub-apiserver': string };
  return { token: out['hub-token'], server: out['hub-apiserver'] };
}

/** A fresh token from `ocmadm get token` (a bootstrap token with --use-bootstrap-token). */
export async function getToken(fleet: Fleet, extra: string[] = [], hub = 'hub'): Promise<JoinToken> {
  const r = await fleet.cli(hub, ['get', 'token', '-o', 'json', ...extra]);
  if (r.code !== 0) throw new Error(`ocmadm get token failed (${r.code}): ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { 'hub-token': string; 'hub-apiserver': string };
  return { token: out['hub-token'], server: out['hub-apiserver'] };
}

/** The join flags for a local-runtime spoke. */
export const joinArgs = (t: JoinToken, cluster: string, ...extra: string[]) => [
  'join',
  '--hub-token',
  t.token,
  '--hub-apiserver',
  t.server,
  '--cluster-name',
  cluster,
  '--runtime',
  'local',
  ...extra,
];

const ns = (namespace: string) => (k: Omit<SnapshotKind, 'namespace'>): SnapshotKind => ({ ...k, namespace });
const RBAC_NS = [
  ROLES,
  ROLE_BINDINGS,
];

/** What join and unjoin touch on a spoke, beyond what init touches. */
const SPOKE_KINDS: SnapshotKind[] = [
  ...SNAPSHOT_KINDS,
  ns(NS.agent)(SECRETS),
  ...RBAC_NS.map(ns(NS.agent)),
  CLUSTER_CLAIMS,
  APPLIED_MANIFEST_WORKS,
];

/** What join and accept touch on a hub: ManagedClusters (spec: generation), CSRs. */
const HUB_KINDS: SnapshotKind[] = [...SNAPSHOT_KINDS, MANAGED_CLUSTERS, CSRS];

export const spokeSnapshot = (client: KubeClient) => snapshot(client, SPOKE_KINDS);
export const hubSnapshot = (client: KubeClient) => snapshot(client, HUB_KINDS);

/** Every file under the fleet's local-runtime state directory (test kubeconfigs left out). */
export function stateFiles(fleet: Fleet): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (!e.name.endsWith('.kubeconfig')) out.push(path.relative(fleet.stateDir, p));
    }
  };
  walk(fleet.stateDir);
  return out.sort();
}

/** Spoke, hub and local state together: what a refused command must leave exactly as it was. */
export async function worldSnapshot(fleet: Fleet, spoke: KubeClient, hub: KubeClient): Promise<{ spoke: string[]; hub: string[]; state: string[] }> {
  return { spoke: await spokeSnapshot(spoke), hub: await hubSnapshot(hub), state: stateFiles(fleet) };
}

/** The agent CSRs of a cluster on the hub. */
export async function clusterCsrs(hub: KubeClient, cluster: string): Promise<CertificateSigningRequest[]> {
  return (await hub.list<CertificateSigningRequest>(resourcePath(CSRS), { labelSelector: `${LABEL.clusterName}=${cluster}` })).items;
}

export const pendingCsrs = async (hub: KubeClient, cluster: string) => (await clusterCsrs(hub, cluster)).filter((c) => csrState(c) === 'pending');

/** Watches a ManagedCluster until `done` holds (deadline default 60 s). */
export function untilCluster(hub: KubeClient, name: string, done: (mc: ManagedCluster | undefined) => boolean, what: string, ms = 60_000): Promise<ManagedCluster | undefined> {
  return waitForObject<ManagedCluster>(hub, { ...MANAGED_CLUSTERS, name }, done, { deadline: Date.now() + ms, what: `${name}: ${what}` });
}

export { until };

export const condition = (mc: ManagedCluster | undefined, type: string) => mc?.status?.conditions?.find((c) => c.type === type)?.status;


/**
 * Runs the CLI on a terminal (util-linux `script` gives it a pty), answers `answer` once stderr
 * shows `prompt`, and returns the exit code and everything the terminal showed.
 */
export function runCliOnTty(fleet: Fleet, cluster: string, args: string[], prompt: RegExp, answer: string, timeoutMs = 120_000): Promise<{ code: number | null; output: string }> {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const cmd = [process.execPath, path.join(ROOT, 'bin', 'ocmadm'), '--kubeconfig', fleet.info(cluster).adminKubeconfigPath, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', cmd, '/dev/null'], { env: { ...process.env, ...fleet.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let answered = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (!answered && prompt.test(output)) {
        answered = true;
        child.stdin.write(`${answer}\n`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
