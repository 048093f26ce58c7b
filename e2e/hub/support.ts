/**
 * Helpers for the hub controller e2e suites: run the built entrypoint as a child process (as the
 * local runtime does), read its JSON log lines, wait for readiness, and wait on hub objects with
 * watches and deadlines (no sleeps).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import yaml from 'js-yaml';
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { isNotFound } from '../../src/kube/errors.js';
import { resourcePath, type ResourceRef } from '../../src/kube/resources.js';
import { waitForObject } from '../../src/kube/wait.js';
import { MANAGED_CLUSTERS, TYPE } from '../../src/api/index.js';
import { adminClient, eventually, loadClusters, uniqueName } from '../support/clusters.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const HUB_MAIN = path.join(ROOT, 'dist/runtime/hub/main.js');

export type LogLine = { level?: string; msg?: string; [k: string]: unknown };

export interface HubProcess {
  proc: ChildProcess;
  id: string;
  healthPort: number;
  logs: LogLine[];
  /** Resolves with the first log line matching `pred` (already seen ones count). */
  waitForLog(pred: (l: LogLine) => boolean, ms?: number): Promise<LogLine>;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
}

/** The suites run the built entrypoint: refuse a missing or stale build rather than test old code. */
function assertBuildFresh(): void {
  if (!fs.existsSync(HUB_MAIN)) throw new Error(`${HUB_MAIN} is missing: run npm run build first`);
  const built = fs.statSync(HUB_MAIN).mtimeMs;
  const newest = (dir: string): number =>
    fs.readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return Math.max(m, newest(p));
      return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? Math.max(m, fs.statSync(p).mtimeMs) : m;
    }, 0);
  if (newest(path.join(ROOT, 'src')) > built) throw new Error(`${HUB_MAIN} is older than src/: run npm run build first`);
}

/** Starts dist/runtime/hub/main.js with an admin kubeconfig; resolves once it printed its health port. */
export async function startHubProcess(opts: { kubeconfigFile: string; namespace: string; id: string; args?: string[] }): Promise<HubProcess> {
  assertBuildFresh();
  const args = [HUB_MAIN, '--kubeconfig', opts.kubeconfigFile, '--namespace', opts.namespace, '--id', opts.id, '--health-port', '0', '--log-level', 'debug', ...(opts.args ?? [])];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: LogLine[] = [];
  // OCMADM_E2E_LOG_DIR keeps each controller's output for a post-mortem.
  const logDir = process.env.OCMADM_E2E_LOG_DIR;
  const logFile = logDir ? (fs.mkdirSync(logDir, { recursive: true }), path.join(logDir, `${opts.id}.log`)) : undefined;
  const waiters: { pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  const onLine = (line: string) => {
    if (logFile) fs.appendFileSync(logFile, line + '\n');
    let l: LogLine;
    try {
      l = JSON.parse(line) as LogLine;
    } catch {
      l = { level: 'raw', msg: line };
    }
    logs.push(l);
    for (const w of [...waiters]) if (w.pred(l)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(l));
  };
  createInterface({ input: proc.stdout! }).on('line', onLine);
  createInterface({ input: proc.stderr! }).on('line', onLine);
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const waitForLog = (pred: (l: LogLine) => boolean, ms = 60_000) =>
    new Promise<LogLine>((resolve, reject) => {
      const seen = logs.find(pred);
      if (seen) return resolve(seen);
      const t = setTimeout(() => reject(new Error(`no matching log line from ${opts.id} in ${ms} ms; last: ${JSON.stringify(logs.slice(-5))}`)), ms);
      waiters.push({ pred, resolve: (l) => (clearTimeout(t), resolve(l)) });
      void exited.then((code) => reject(new Error(`${opts.id} exited (${code}) before the log line; last: ${JSON.stringify(logs.slice(-8))}`)));
    });
  const portLine = await waitForLog((l) => typeof l.healthPort === 'number');
  return {
    proc,
    id: opts.id,
    healthPort: portLine.healthPort as number,
    logs,
    waitForLog,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}

/** GET on the controller's health server: the HTTP status code. */
export async function probe(port: number, what: 'healthz' | 'readyz'): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/${what}`);
  await res.text();
  return res.status;
}

/** Waits (with a deadline, retrying on a short backoff) until a probe answers `want`. */
export async function waitForProbe(port: number, what: 'healthz' | 'readyz', want: number, ms = 60_000): Promise<void> {
  let got = 0;
  await eventually(async () => (got = await probe(port, what).catch(() => 0)) === want, {
    ms,
    firstDelayMs: 20,
    maxDelayMs: 500,
    describe: () => `/${what} on ${port} answered ${got}, wanted ${want}`,
  });
}

/** Applies every hub CRD from manifests/crds/hub and waits until each is Established. */
export async function applyHubCrds(client: KubeClient): Promise<void> {
  const dir = path.join(ROOT, 'manifests/crds/hub');
  const ref = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' };
  const names: string[] = [];
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    for (const doc of yaml.loadAll(fs.readFileSync(path.join(dir, f), 'utf8')) as KubeObject[]) {
      if (!doc) continue;
      names.push(doc.metadata!.name!);
      await client.patch(resourcePath({ ...ref, name: doc.metadata!.name! }), doc, 'apply', { fieldManager: 'ocmadm-e2e', force: true });
    }
  }
  for (const name of names) {
    await until(client, { ...ref, name }, (o) => conditionOf(o, 'Established')?.status === 'True', `CRD ${name} Established`);
  }
}

export const DEFAULT_WAIT_MS = 60_000;

/** Waits with a watch until `done` holds for the named object (undefined while absent). */
export async function until<T extends KubeObject = KubeObject>(
  client: KubeClient,
  ref: ResourceRef & { name: string },
  done: (o: T | undefined) => boolean,
  what: string,
  ms = DEFAULT_WAIT_MS,
): Promise<T | undefined> {
  return waitForObject<T>(client, ref, done, { deadline: Date.now() + ms, what });
}

export const gone = (o: unknown) => o === undefined;

export function conditionOf(o: KubeObject | undefined, type: string): { type: string; status: string; reason?: string; message?: string } | undefined {
  const list = (o?.status as { conditions?: { type: string; status: string; reason?: string; message?: string }[] } | undefined)?.conditions;
  return list?.find((c) => c.type === type);
}

export async function getOrUndefined<T = KubeObject>(client: KubeClient, ref: ResourceRef): Promise<T | undefined> {
  try {
    return await client.get<T>(resourcePath(ref));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export const clusterRef = (name: string) => ({ ...MANAGED_CLUSTERS, name });

export async function createCluster(client: KubeClient, name: string, spec: Record<string, unknown> = {}): Promise<KubeObject> {
  return client.create(resourcePath(MANAGED_CLUSTERS), { ...TYPE.managedCluster, metadata: { name }, spec: { hubAcceptsClient: false, ...spec } });
}

export async function setAccepted(client: KubeClient, name: string, accepted: boolean): Promise<void> {
  await client.patch(resourcePath(clusterRef(name)), { spec: { hubAcceptsClient: accepted } }, 'merge');
}

/** Removes every finalizer and deletes: test teardown of objects whose owners are gone. */
export async function forceDelete(client: KubeClient, ref: ResourceRef & { name: string }): Promise<void> {
  try {
    await client.patch(resourcePath(ref), { metadata: { finalizers: null } }, 'merge');
    await client.delete(resourcePath(ref));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** A private temp dir for a suite's files (kubeconfigs, keys). */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export const RBAC_REFS = {
  clusterRoles: { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles' },
  clusterRoleBindings: { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterrolebindings' },
  roleBindings: { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings' },
} as const;
export const NAMESPACES = { group: '', version: 'v1', resource: 'namespaces' } as const;
export const LEASES = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' } as const;

/** The shared hub control plane of the e2e run: an admin client and its kubeconfig file. */
export async function hubEnv(): Promise<{ client: KubeClient; kubeconfigFile: string }> {
  const hub = loadClusters().hub;
  return { client: await adminClient(hub), kubeconfigFile: hub.adminKubeconfigPath };
}

/** A name no other test (or earlier run) uses. */
export const unique = uniqueName;

/**
 * Records every version of one object seen by a watch from now on (a watch delivers each
 * change), so a test can check the order of transient states. stop() ends the watch.
 */
export function recordVersions<T extends KubeObject = KubeObject>(
  client: KubeClient,
  ref: ResourceRef & { name: string },
): { versions: (T | undefined)[]; until(pred: (v: T | undefined) => boolean, ms?: number): Promise<void>; stop(): void } {
  const versions: (T | undefined)[] = [];
  const waiters = new Set<() => void>();
  const push = (v: T | undefined) => {
    versions.push(v);
    for (const w of [...waiters]) w();
  };
  const ctrl = new AbortController();
  const collection = resourcePath({ ...ref, name: undefined, subresource: undefined });
  void (async () => {
    const list = await client.list<T>(collection, { fieldSelector: `metadata.name=${ref.name}` });
    push(list.items[0]);
    await client.watch<T>(
      collection,
      { fieldSelector: `metadata.name=${ref.name}`, resourceVersion: list.metadata.resourceVersion, timeoutSeconds: 300 },
      (ev) => {
        if (ev.type !== 'BOOKMARK') push(ev.type === 'DELETED' ? undefined : ev.object);
      },
      { signal: ctrl.signal },
    );
  })().catch(() => undefined);
  /** Resolves once the recorder itself has seen a version matching `pred`. */
  const until = (pred: (v: T | undefined) => boolean, ms = DEFAULT_WAIT_MS) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!versions.some(pred)) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => (waiters.delete(check), reject(new Error(`recorder of ${ref.name} did not see the awaited version`))), ms);
      waiters.add(check);
      check();
    });
  return { versions, until, stop: () => ctrl.abort() };
}
