/**
 * Helpers of the upgrade suite: the CLI run with another bundle directory (an older runtime), a
 * continuous watch of a ManagedCluster's Available condition (every event, no sampling), and
 * snapshots of objects (uid, resourceVersion, generation) to compare before and after.
 */
import path from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { KubeClient, KubeObject } from '../../src/kube/client.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs bin/ocmadm; `bundles` points it at another runtime bundle directory (OCMADM_RUNTIME_BUNDLES). */
export function ocmadm(args: string[], kubeconfig: string, bundles?: string): Promise<Run> {
  const env = { ...process.env };
  delete env.OCMADM_RUNTIME_BUNDLES;
  if (bundles) env.OCMADM_RUNTIME_BUNDLES = bundles;
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, 'bin/ocmadm'), ...args, '--kubeconfig', kubeconfig], { env, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Like ocmadm() but a non-zero exit fails with its stderr. */
export async function ok(args: string[], kubeconfig: string, bundles?: string): Promise<string> {
  const r = await ocmadm(args, kubeconfig, bundles);
  if (r.code !== 0) throw new Error(`ocmadm ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

type Cond = { type: string; status: string; reason?: string; lastTransitionTime?: string };
export const condition = (o: KubeObject | undefined, type: string): Cond | undefined =>
  ((o as { status?: { conditions?: Cond[] } } | undefined)?.status?.conditions ?? []).find((c) => c.type === type);

/**
 * Watches one ManagedCluster from a list's resourceVersion on, re-watching from the last one seen
 * when the server ends a stream, and records its Available condition at every event.
 */
export function watchAvailable(hub: KubeClient, cluster: string): { seen: { status: string; lastTransitionTime?: string }[]; stop: () => Promise<void> } {
  const seen: { status: string; lastTransitionTime?: string }[] = [];
  const ctrl = new AbortController();
  const p = '/apis/cluster.open-cluster-management.io/v1/managedclusters';
  const query = { fieldSelector: `metadata.name=${cluster}` };
  const record = (o: KubeObject) => {
    const a = condition(o, 'ManagedClusterConditionAvailable');
    seen.push({ status: a?.status ?? 'missing', lastTransitionTime: a?.lastTransitionTime });
  };
  const loop = (async () => {
    const list = await hub.list(p, query);
    list.items.forEach(record);
    let rv = list.metadata?.resourceVersion;
    while (!ctrl.signal.aborted) {
      try {
        await hub.watch(p, { ...query, resourceVersion: rv, timeoutSeconds: 120 }, (ev) => {
          if (ev.type === 'ERROR') throw new Error(`watch of ${cluster} failed: ${JSON.stringify(ev.object)}`);
          rv = ev.object.metadata?.resourceVersion ?? rv;
          if (ev.type === 'DELETED') seen.push({ status: 'deleted' });
          else if (ev.type !== 'BOOKMARK') record(ev.object);
        }, { signal: ctrl.signal });
      } catch (err) {
        if (!ctrl.signal.aborted) throw err;
      }
    }
  })();
  loop.catch(() => undefined);
  return {
    seen,
    stop: async () => {
      ctrl.abort();
      await loop;
    },
  };
}

export interface Snapshot {
  uid?: string;
  resourceVersion?: string;
  generation?: number;
}

export const snapshot = (o: KubeObject): Snapshot => ({ uid: o.metadata?.uid, resourceVersion: o.metadata?.resourceVersion, generation: o.metadata?.generation });

const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

/** name → resourceVersion of every CRD and of the objects ocmadm labelled in the given collections. */
export async function managedVersions(c: KubeClient, collections: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const col of [CRDS, ...collections]) {
    for (const o of (await c.list(col, col === CRDS ? {} : { labelSelector: 'app.kubernetes.io/managed-by=ocmadm' })).items) {
      out[`${col} ${o.metadata?.namespace ?? ''}/${o.metadata?.name}`] = o.metadata!.resourceVersion!;
    }
  }
  return out;
}
