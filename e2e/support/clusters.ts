/**
 * What every e2e suite uses to reach the shared control planes started by Jest global setup
 * (e2e/setup/global-setup.ts): one hub and two spokes, real etcd + kube-apiserver +
 * kube-controller-manager each. Suites share them: isolate with uniqueName() for namespaces
 * and object names, and clean up what you create.
 *
 *   const { hub, spoke1 } = loadClusters();
 *   const client = await adminClient(hub);   // KubeClient as system:masters; close() it in afterAll
 *   const bob = await userClient(hub, { token });      // another identity; whoAmI(bob) asks the server
 *   const r = await runCli(['join', '--hub-kubeconfig', hub.adminKubeconfigPath]);
 *   expect(r.code).toBe(0);
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '../../src/kube/kubeconfig.js';
import { KubeClient, type KubeObject } from '../../src/kube/client.js';
import type { ResourceRef } from '../../src/kube/resources.js';
import { waitForObject } from '../../src/kube/wait.js';
import { kubeconfigYaml, type KubeconfigUser } from '../../src/sandbox/kubeconfig.js';
import type { LocalCluster } from '../../src/sandbox/cluster.js';

export const E2E_CLUSTER_NAMES = ['hub', 'spoke1', 'spoke2'] as const;
export type ClusterName = (typeof E2E_CLUSTER_NAMES)[number];

/** One shared control plane, as written by global setup. */
export interface ClusterInfo {
  name: ClusterName;
  /** https://127.0.0.1:<port> */
  server: string;
  /** CA file: verifies the apiserver; signs client certs and approved CSRs. */
  caFile: string;
  /** Its private key (for tests that mint client certificates directly). */
  caKeyFile: string;
  /** Self-contained kubeconfig of a system:masters user (mode 0600). */
  adminKubeconfigPath: string;
  /** etcd.log, kube-apiserver.log, kube-controller-manager.log. */
  logDir: string;
  /** Kubernetes gitVersion, e.g. v1.36.3. */
  version: string;
  /** The one Node object (capacity cpu 4, memory 8Gi, pods 110). */
  nodeName?: string;
}

export type E2EClusters = Record<ClusterName, ClusterInfo> & { runDir: string };

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** What suites get to know of a started control plane. */
export const clusterInfo = (c: LocalCluster): ClusterInfo => ({
  name: c.name as ClusterInfo['name'],
  server: c.server,
  caFile: c.caFile,
  caKeyFile: c.caKeyFile,
  adminKubeconfigPath: c.adminKubeconfigPath,
  logDir: c.logDir,
  version: c.version,
  nodeName: c.nodeName,
});

let cached: E2EClusters | undefined;

/** The shared clusters. Throws outside a Jest e2e run (no global setup). */
export function loadClusters(): E2EClusters {
  if (cached) return cached;
  const file = process.env.OCMADM_E2E_CLUSTERS;
  if (!file) throw new Error('OCMADM_E2E_CLUSTERS is not set: run e2e suites through `npm run test:e2e` (Jest global setup starts the clusters)');
  cached = JSON.parse(fs.readFileSync(file, 'utf8')) as E2EClusters;
  return cached;
}

function info(c: ClusterName | ClusterInfo): ClusterInfo {
  return typeof c === 'string' ? loadClusters()[c] : c;
}

/** A client-node KubeConfig of the cluster's admin. */
export function adminKubeConfig(c: ClusterName | ClusterInfo): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(info(c).adminKubeconfigPath);
  return kc;
}

/** A KubeClient as system:masters on the cluster; call close() when done. */
export function adminClient(c: ClusterName | ClusterInfo, userAgent = 'ocmadm-e2e'): Promise<KubeClient> {
  return KubeClient.create(adminKubeConfig(c), userAgent);
}

/** A KubeClient on the cluster as another identity: a client certificate or a bearer token. */
export function userClient(c: ClusterName | ClusterInfo, user: KubeconfigUser, userAgent = 'ocmadm-e2e'): Promise<KubeClient> {
  const ci = info(c);
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml({ name: ci.name, server: ci.server, caPem: fs.readFileSync(ci.caFile, 'utf8'), user }));
  return KubeClient.create(kc, userAgent);
}

export interface UserInfo {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** Who the server says `client` is (a SelfSubjectReview, which every authenticated user may create). */
export async function whoAmI(client: KubeClient): Promise<UserInfo> {
  const review = await client.create<{ status: { userInfo: UserInfo } }>('/apis/authentication.k8s.io/v1/selfsubjectreviews', {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'SelfSubjectReview',
  });
  return review.status.userInfo;
}

/** A DNS-1123 label no other test (or earlier run) uses: `<prefix>-<time><random>`. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  /** Added to (and overriding) the test process's environment; NO_COLOR=1 is preset. */
  env?: Record<string, string | undefined>;
  /** Written to stdin, which is then closed (stdin is empty otherwise: never a TTY). */
  input?: string;
  cwd?: string;
  /** Killed (SIGKILL) after this long; the promise then rejects. Default 120 s. */
  timeoutMs?: number;
  /** Sends `signal` once, as soon as stdout + stderr so far match `when` (e.g. Ctrl-C once it waits). */
  interrupt?: { when: RegExp; signal?: NodeJS.Signals };
  /** Runs the CLI as this user and group (through setpriv, so the test process may stay root). */
  asUser?: { uid: number; gid: number };
}

const CLI = path.join(ROOT, 'bin', 'ocmadm');
const DIST_MAIN = path.join(ROOT, 'dist', 'main.js');

/** Runs the built CLI (`node bin/ocmadm ...args`, which loads dist/) to completion. */
export function runCli(args: string[], opts: RunCliOptions = {}): Promise<CliResult> {
  if (!fs.existsSync(DIST_MAIN)) return Promise.reject(new Error(`${DIST_MAIN} is missing: run npm run build (npm run test:e2e does)`));
  return new Promise((resolve, reject) => {
    const argv = [process.execPath, CLI, ...args];
    const user = opts.asUser;
    if (user) argv.unshift('setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups');
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    const maybeInterrupt = () => {
      if (!opts.interrupt || interrupted || !opts.interrupt.when.test(stdout + stderr)) return;
      interrupted = true;
      child.kill(opts.interrupt.signal ?? 'SIGINT');
    };
    child.stdout.setEncoding('utf8').on('data', (d: string) => ((stdout += d), maybeInterrupt()));
    child.stderr.setEncoding('utf8').on('data', (d: string) => ((stderr += d), maybeInterrupt()));
    const timeoutMs = opts.timeoutMs ?? 120_000;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (timedOut) reject(new Error(`ocmadm ${args.join(' ')} did not finish in ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      else resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => undefined); // the CLI may exit without reading stdin
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * For conditions nothing can be watched for (token caches, HTTP probes): asks `check` again on a
 * doubling backoff until it returns true, failing with `describe()` at the deadline.
 */
export async function eventually(check: () => Promise<boolean>, opts: { ms: number; firstDelayMs?: number; maxDelayMs?: number; describe: () => string }): Promise<void> {
  const deadline = Date.now() + opts.ms;
  let delay = opts.firstDelayMs ?? 50;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(opts.describe());
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, opts.maxDelayMs ?? 1000);
  }
}

/** Watches the named object until `done` holds (undefined while it is absent), failing at the deadline with `what`. */
export function until<T extends KubeObject = KubeObject>(
  client: KubeClient,
  ref: ResourceRef & { name: string },
  done: (o: T | undefined) => boolean,
  what: string,
  ms = 60_000,
): Promise<T | undefined> {
  return waitForObject<T>(client, ref, done, { deadline: Date.now() + ms, what });
}
