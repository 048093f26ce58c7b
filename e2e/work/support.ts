/**
 * Helpers for the work agent suites: a managed cluster as the hub controller leaves it after
 * accept (namespace, shared work ClusterRole, the cluster's work RoleBinding), an agent identity
 * with a real certificate (CSR approved, signed by kube-controller-manager), the work agent
 * in-process with its log lines captured, and ManifestWork builders and waits.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { APPLIED_MANIFEST_WORKS, MANIFEST_WORKS, TYPE, type AppliedManifestWork, type ManifestWork } from '../../src/api/index.js';
import { COND } from '../../src/api/names.js';
import { clusterNamespace, sharedClusterRoles, workRoleBinding } from '../../src/runtime/hub/cluster-rbac.js';
import { createLogger } from '../../src/runtime/core/log.js';
import { startWorkAgent, type WorkAgent, type WorkAgentOptions } from '../../src/runtime/klusterlet/work/agent.js';
import { appliedWorkName, hubHash } from '../../src/runtime/klusterlet/work/hub-hash.js';
import { adminClient, loadClusters, uniqueName, userClient } from '../support/clusters.js';
import { applyCrds } from '../klusterlet/support.js';
import { Cleanup, agentCertificate, agentClient } from '../hub/identities.js';
import { NAMESPACES, RBAC_REFS, conditionOf, forceDelete, until } from '../hub/support.js';

export { Cleanup, conditionOf, until };
export type LogLine = { level?: string; msg?: string; [k: string]: unknown };

const FM = { fieldManager: 'ocmadm-e2e', force: true };

/** What the hub controller grants at accept for work: ns `<c>`, the shared work ClusterRole, the RoleBinding. */
export async function grantCluster(hubAdmin: KubeClient, cluster: string, cleanup: Cleanup): Promise<void> {
  await hubAdmin.patch(resourcePath({ ...NAMESPACES, name: cluster }), clusterNamespace(cluster), 'apply', FM);
  cleanup.add(() => hubAdmin.delete(resourcePath({ ...NAMESPACES, name: cluster })));
  for (const role of sharedClusterRoles()) await hubAdmin.patch(resourcePath({ ...RBAC_REFS.clusterRoles, name: role.metadata!.name! }), role, 'apply', FM);
  const rb = workRoleBinding(cluster);
  await hubAdmin.patch(resourcePath({ ...RBAC_REFS.roleBindings, namespace: cluster, name: rb.metadata!.name! }), rb, 'apply', FM);
  cleanup.add(() => forceDelete(hubAdmin, { ...RBAC_REFS.roleBindings, namespace: cluster, name: rb.metadata!.name! }));
}

export interface ManagedCluster {
  name: string;
  agentId: string;
  /** The agent's hub client: a certificate with the agent's subject. */
  hub: KubeClient;
}

/** A granted cluster and an agent identity for it; `server` reaches the hub another way (a relay). */
export async function managedCluster(hubAdmin: KubeClient, cleanup: Cleanup, prefix = 'work', server?: string): Promise<ManagedCluster> {
  const name = uniqueName(prefix);
  const agentId = Math.random().toString(36).slice(2, 7);
  await grantCluster(hubAdmin, name, cleanup);
  if (!server) return { name, agentId, hub: await agentClient(hubAdmin, name, agentId, cleanup) };
  const { certPem, keyPem } = await agentCertificate(hubAdmin, name, agentId, cleanup);
  const hub = await userClient({ ...loadClusters().hub, server }, { certPem, keyPem });
  cleanup.add(() => hub.close());
  return { name, agentId, hub };
}

export interface WorkSuite {
  hubAdmin: KubeClient;
  spoke: KubeClient;
  /** The suite's managed cluster and its in-process agent (replace `agent` when restarting it). */
  mc: ManagedCluster;
  agent: RunningAgent;
  cleanup: Cleanup;
}

/**
 * Registers the suite's beforeAll/afterAll: admin clients of the hub and `spoke`, both sides'
 * CRDs, a granted cluster and its running work agent (`agent: false`: the tests make their own,
 * setting `mc` and `agent` so afterAll stops it). The fields are set once beforeAll has run.
 */
export function workSuite(opts: { spoke: 'spoke1' | 'spoke2'; prefix: string; agent?: Partial<WorkAgentOptions> | false }): WorkSuite {
  const s = { cleanup: new Cleanup() } as WorkSuite;
  beforeAll(async () => {
    s.hubAdmin = await adminClient('hub');
    s.spoke = await adminClient(opts.spoke);
    await applyCrds(s.hubAdmin, 'hub');
    await applyCrds(s.spoke, 'spoke');
    if (opts.agent === false) return;
    s.mc = await managedCluster(s.hubAdmin, s.cleanup, opts.prefix);
    s.agent = runAgent(s.mc, s.spoke, opts.agent);
  });
  afterAll(async () => {
    await s.agent?.stop();
    await s.cleanup.run();
    await s.hubAdmin?.close();
    await s.spoke?.close();
  });
  return s;
}

export interface RunningAgent {
  agent: WorkAgent;
  logs: LogLine[];
  waitForLog(pred: (l: LogLine) => boolean, ms?: number): Promise<LogLine>;
  stop(): Promise<void>;
}

/** The work agent in-process, fast timers, debug logs kept in memory (and in $OCMADM_E2E_LOG_DIR). */
export function runAgent(mc: ManagedCluster, spoke: KubeClient, opts: Partial<WorkAgentOptions> = {}): RunningAgent {
  const logs: LogLine[] = [];
  const waiters: { pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  const dir = process.env.OCMADM_E2E_LOG_DIR;
  const file = dir ? (fs.mkdirSync(dir, { recursive: true }), path.join(dir, `work-agent-${mc.name}.log`)) : undefined;
  const log = createLogger({
    component: 'work-agent',
    level: 'debug',
    stream: {
      write: (text: string) => {
        if (file) fs.appendFileSync(file, text);
        const l = JSON.parse(text) as LogLine;
        logs.push(l);
        for (const w of [...waiters]) if (w.pred(l)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(l));
      },
    },
  });
  const agent = startWorkAgent({
    cluster: mc.name,
    agentId: mc.agentId,
    hub: () => mc.hub,
    hubServer: loadClusters().hub.server,
    spoke,
    log,
    statusSyncMs: 1000,
    retry: { initialMs: 200, maxMs: 5000 },
    ...opts,
  });
  const waitForLog = (pred: (l: LogLine) => boolean, ms = 30_000) =>
    new Promise<LogLine>((resolve, reject) => {
      const seen = logs.find(pred);
      if (seen) return resolve(seen);
      const t = setTimeout(() => reject(new Error(`no matching work agent log line in ${ms} ms; last: ${JSON.stringify(logs.slice(-5))}`)), ms);
      waiters.push({ pred, resolve: (l) => (clearTimeout(t), resolve(l)) });
    });
  return { agent, logs, waitForLog, stop: () => agent.stop() };
}

export const HUB_HASH = () => hubHash(loadClusters().hub.server);
export const workRef = (ns: string, name: string) => ({ ...MANIFEST_WORKS, namespace: ns, name });
export const appliedRef = (work: string, server = loadClusters().hub.server) => ({ ...APPLIED_MANIFEST_WORKS, name: appliedWorkName(hubHash(server), work) });

export function configMap(namespace: string, name: string, data: Record<string, string> = { k: 'v' }, extra: Partial<KubeObject> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data, ...extra };
}
export const namespace = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

/** Creates a ManifestWork on the hub (as admin, as a hub user would); cleanup deletes it and its finalizer. */
export async function createWork(hubAdmin: KubeClient, cluster: string, name: string, spec: ManifestWork['spec'], cleanup: Cleanup, labels?: Record<string, string>): Promise<ManifestWork> {
  const w = await hubAdmin.create<ManifestWork>(resourcePath({ ...MANIFEST_WORKS, namespace: cluster }), { ...TYPE.manifestWork, metadata: { name, labels }, spec });
  cleanup.add(() => forceDelete(hubAdmin, workRef(cluster, name)));
  return w;
}

export function waitWork(hubAdmin: KubeClient, cluster: string, name: string, pred: (w: ManifestWork | undefined) => boolean, what: string, ms?: number): Promise<ManifestWork | undefined> {
  return until<ManifestWork>(hubAdmin, workRef(cluster, name), pred, what, ms);
}

/** Applied=True for the work's current generation (and Available=True when asked). */
export const appliedAt = (w: ManifestWork | undefined, available = false): boolean => {
  const a = conditionOf(w, COND.work.applied) as { status: string; observedGeneration?: number } | undefined;
  if (a?.status !== 'True' || a.observedGeneration !== w?.metadata.generation) return false;
  return !available || conditionOf(w, COND.work.available)?.status === 'True';
};

export const manifestCondition = (w: ManifestWork | undefined, ordinal: number, type: string) =>
  w?.status?.resourceStatus?.manifests?.find((m) => m.resourceMeta.ordinal === ordinal)?.conditions?.find((c) => c.type === type);

export const getApplied = (spoke: KubeClient, work: string) => spoke.get<AppliedManifestWork>(resourcePath(appliedRef(work)));

/** The resourceVersion of every object at `paths` (a restart must not change any of them). */
export async function resourceVersions(client: KubeClient, paths: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const p of paths) out[p] = (await client.get(p)).metadata!.resourceVersion!;
  return out;
}

/** A namespaced CRD of a group no other test uses, and a custom resource of it. */
export function widgetCrd(group: string): { crd: KubeObject; widget: (ns: string, name: string) => KubeObject; plural: string } {
  const plural = 'widgets';
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural, singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } } }],
    },
  };
  return { crd, plural, widget: (ns, name) => ({ apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name, namespace: ns }, spec: { size: 1 } }) };
}
