/**
 * The runtime versions installed in a cluster: the bundle ConfigMap's annotation (what a new pod
 * runs) and each pod's template annotation (what it runs now), for the hub controller and the
 * klusterlet. A runtime that differs from this CLI gets a warning line.
 */
import type { KubeClient, KubeObject } from '../../kube/client.js';
import { isForbidden, isNotFound } from '../../kube/errors.js';
import { resourcePath } from '../../kube/resources.js';
import { CONFIG_MAPS, PODS } from '../../kube/core.js';
import { ANNOTATION, configMapName, type BundleKind } from '../../bundle/index.js';
import { NS } from '../../api/names.js';
import { HUB } from '../../install/hub/constants.js';
import { KLUSTERLET } from '../../install/klusterlet/constants.js';

export interface RuntimeVersion {
  runtime: BundleKind;
  namespace: string;
  /** From the ConfigMap; undefined: no bundle installed (or not readable). */
  installed?: string;
  pods: { name: string; version?: string; phase?: string }[];
}

const WHERE: Record<BundleKind, { namespace: string; selector: string }> = {
  'hub-controller': { namespace: HUB.controllerNamespace, selector: `app=${HUB.controllerDeployment}` },
  klusterlet: { namespace: NS.agent, selector: `app.kubernetes.io/name=${KLUSTERLET.deployment}` },
};

async function one(client: KubeClient, runtime: BundleKind, timeoutMs: number): Promise<RuntimeVersion | undefined> {
  const { namespace, selector } = WHERE[runtime];
  let installed: string | undefined;
  try {
    const cm = await client.request<KubeObject>('GET', resourcePath({ ...CONFIG_MAPS, namespace, name: configMapName(runtime) }), { timeoutMs });
    installed = cm.metadata?.annotations?.[ANNOTATION.version];
  } catch (err) {
    if (!isNotFound(err) && !isForbidden(err)) throw err;
  }
  let pods: RuntimeVersion['pods'] = [];
  try {
    type Pod = KubeObject & { status?: { phase?: string } };
    const list = await client.request<{ items: Pod[] }>('GET', resourcePath({ ...PODS, namespace }), { query: { labelSelector: selector }, timeoutMs });
    pods = list.items.map((p) => ({ name: p.metadata?.name ?? '?', version: p.metadata?.annotations?.[ANNOTATION.version], phase: p.status?.phase }));
  } catch (err) {
    if (!isNotFound(err) && !isForbidden(err)) throw err;
  }
  if (installed === undefined && pods.length === 0) return undefined;
  return { runtime, namespace, installed, pods };
}

export async function runtimeVersions(client: KubeClient, timeoutMs: number): Promise<RuntimeVersion[]> {
  const found = await Promise.all((['hub-controller', 'klusterlet'] as const).map((k) => one(client, k, timeoutMs)));
  return found.filter((r): r is RuntimeVersion => !!r);
}

/** One line per runtime (or pod) whose version is not this CLI's. */
export function versionWarnings(cli: string, runtimes: RuntimeVersion[]): string[] {
  const out: string[] = [];
  for (const r of runtimes) {
    const fix = `run \`ocmadm upgrade ${r.runtime === 'klusterlet' ? 'klusterlet' : 'hub'}\` with the CLI you mean to keep`;
    if (r.installed && r.installed !== cli) out.push(`the ${r.runtime} runtime in the cluster is ${r.installed}, this CLI is ${cli}: ${fix}`);
    const stale = r.pods.filter((p) => p.version && p.version !== (r.installed ?? cli));
    if (stale.length) out.push(`${stale.map((p) => `pod ${r.namespace}/${p.name} runs ${p.version}`).join(', ')}, not ${r.installed ?? cli} (a rollout in progress?)`);
  }
  return out;
}
