/**
 * Helpers for the hub controller e2e suites: run the built entrypoint as a child process (as the
 * local runtime does), read its JSON log lines, wait for readiness, and wait on hub objects with
 * watches and deadlines (no sleeps).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { isNotFound } from '../../src/kube/errors.js';
import { resourcePath, type ResourceRef } from '../../src/kube/resources.js';
import { MANAGED_CLUSTERS, TYPE } from '../../src/api/index.js';
import { ROOT, adminClient, eventually, loadClusters, uniqueName, until } from '../support/clusters.js';
import { assertBuildFresh, spawnRuntime, type LogLine, type RuntimeProcess } from '../support/runtime-process.js';
import { CLUSTER_ROLES, CLUSTER_ROLE_BINDINGS, LEASES, NAMESPACES, ROLE_BINDINGS } from '../../src/kube/core.js';

export const HUB_MAIN = path.join(ROOT, 'dist/runtime/hub/main.js');

export type { LogLine };

export interface HubProcess extends Omit<RuntimeProcess, 'kill'> {
  id: string;
  healthPort: number;
}

/** Starts dist/runtime/hub/main.js with an admin kubeconfig; resolves once it printed its health port. */
export async function startHubProcess(opts: { kubeconfigFile: string; namespace: string; id: string; args?: string[] }): Promise<HubProcess> {
  assertBuildFresh(HUB_MAIN, path.join(ROOT, 'src'));
  const args = ['--kubeconfig', opts.kubeconfigFile, '--namespace', opts.namespace, '--id', opts.id, '--health-port', '0', '--log-level', 'debug', ...(opts.args ?? [])];
  const { proc, logs, waitForLog, stop } = spawnRuntime(opts.id, HUB_MAIN, args);
  const portLine = await waitForLog((l) => typeof l.healthPort === 'number');
  return { proc, id: opts.id, healthPort: portLine.healthPort as number, logs, waitForLog, stop };
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

export { until };

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
  clusterRoles: CLUSTER_ROLES,
  clusterRoleBindings: CLUSTER_ROLE_BINDINGS,
  roleBindings: ROLE_BINDINGS,
} as const;
export { LEASES, NAMESPACES };

/** The shared hub control plane of the e2e run: an admin client and its kubeconfig file. */
export async function hubEnv(): Promise<{ client: KubeClient; kubeconfigFile: string }> {
  const hub = loadClusters().hub;
  return { client: await adminClient(hub), kubeconfigFile: hub.adminKubeconfigPath };
}

/** The common setup of the hub controller suites: admin client, hub CRDs, a fresh namespace and the built controller started in it. */
export async function startHubSuite(): Promise<{ client: KubeClient; ctl: HubProcess }> {
  const env = await hubEnv();
  try {
    await applyHubCrds(env.client);
    const ns = unique('hubctl');
    await env.client.create(resourcePath(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    return { client: env.client, ctl: await startHubProcess({ kubeconfigFile: env.kubeconfigFile, namespace: ns, id: `${ns}-a` }) };
  } catch (err) {
    await env.client.close();
    throw err;
  }
}

/** Its teardown: the controller stopped, the suite's clusters force-deleted, the client closed. */
export async function stopHubSuite(ctl: HubProcess | undefined, client: KubeClient | undefined, clusters: readonly string[]): Promise<void> {
  await ctl?.stop();
  if (client) for (const c of clusters) await forceDelete(client, clusterRef(c));
  await client?.close();
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
