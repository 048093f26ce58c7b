/**
 * Waiting on a runtime's pods: the rollout (every replica updated and ready) and, beside any wait,
 * the pod's own reason when it cannot start (an image that cannot be pulled, a crash loop with its
 * last log line), so `--wait` says why instead of only timing out.
 */
import type { KubeClient, KubeObject } from '../kube/client.js';
import { resourcePath } from '../kube/resources.js';
import { waitForList, waitForObject } from '../kube/wait.js';
import { CliError } from '../cli/errors.js';
import { PODS } from '../kube/core.js';

interface ContainerStatus {
  name: string;
  restartCount?: number;
  state?: { waiting?: { reason?: string; message?: string }; terminated?: { reason?: string; exitCode?: number } };
  lastState?: { terminated?: { reason?: string; exitCode?: number } };
}
interface PodStatus {
  status?: { phase?: string; containerStatuses?: ContainerStatus[]; conditions?: { type: string; status: string }[] };
}

const PULL = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);
const CRASH = new Set(['CrashLoopBackOff', 'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

/** The first container of the pod that cannot start, and why; undefined while all is well. */
export function podTrouble(p: Pod): { container: string; reason: string; message?: string } | undefined {
  for (const c of p.status?.containerStatuses ?? []) {
    const w = c.state?.waiting;
    if (w?.reason && (PULL.has(w.reason) || CRASH.has(w.reason))) return { container: c.name, reason: w.reason, message: w.message };
  }
  return undefined;
}

/** The last non-empty line the container wrote before it last stopped (or now). */
async function lastLogLine(client: KubeClient, namespace: string, pod: string, container: string): Promise<string | undefined> {
  for (const previous of [true, false]) {
    try {
      const text = await client.request<string>('GET', resourcePath({ ...PODS, namespace, name: pod, subresource: 'log' }), {
        query: { container, previous, tailLines: 5 },
        raw: true,
        timeoutMs: 5_000,
      });
      const line = text.split('\n').map((l) => l.trim()).filter(Boolean).at(-1);
      if (line) return line;
    } catch {
      // No previous container yet, or logs not readable: try the current one, then give up.
    }
  }
  return undefined;
}

export async function describeTrouble(client: KubeClient, namespace: string, p: Pod, what: string): Promise<string> {
  const t = podTrouble(p)!;
  const name = p.metadata?.name ?? '?';
  if (PULL.has(t.reason)) {
    return `${what} pod ${namespace}/${name} cannot pull its image: ${t.reason}${t.message ? ` (${t.message})` : ''}; check --image, or give --image-pull-secret, then run the command again`;
  }
  const line = await lastLogLine(client, namespace, name, t.container);
  return `${what} pod ${namespace}/${name} does not start: ${t.reason}${line ? `; its last log line: ${line}` : t.message ? ` (${t.message})` : ''}`;
}

interface PodTemplate {
  metadata?: { annotations?: Record<string, string> };
  spec?: { containers?: { name: string; image?: string }[]; imagePullSecrets?: { name?: string }[] };
}
export interface Pod extends KubeObject, PodStatus {
  spec?: PodTemplate['spec'];
}

const pullSecrets = (s: PodTemplate['spec']) => (s?.imagePullSecrets ?? []).map((x) => x.name ?? '').sort().join(',');

/**
 * Pure: the pod was made from this template (same images, pull secrets and template annotations,
 * the bundle hash among them) and is not going away. Pods of an earlier template (the run before
 * this one, stuck in ImagePullBackOff) are the rollout's to remove, not this command's to report.
 */
export function fromTemplate(p: Pod, t: PodTemplate): boolean {
  if (p.metadata?.deletionTimestamp) return false;
  const images = new Map((p.spec?.containers ?? []).map((c) => [c.name, c.image]));
  if (!(t.spec?.containers ?? []).every((c) => images.get(c.name) === c.image)) return false;
  if (pullSecrets(p.spec) !== pullSecrets(t.spec)) return false;
  return Object.entries(t.metadata?.annotations ?? {}).every(([k, v]) => p.metadata?.annotations?.[k] === v);
}

export interface PodWatch {
  namespace: string;
  labelSelector: string;
  /** The Deployment whose pods these are: only pods of its current template are judged. */
  deployment: string;
  /** "the hub controller", "the klusterlet". */
  what: string;
  deadline: number;
  signal?: AbortSignal;
}

/**
 * Runs `wait` and, beside it, watches the runtime's pods: the first pod that cannot start ends
 * the wait with its own reason. The watch outlives the deadline a little so a plain timeout of
 * `wait` still wins when no pod is in trouble.
 */
export async function withPodTrouble<T>(client: KubeClient, w: PodWatch, wait: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctrl = new AbortController();
  const onAbort = () => ctrl.abort();
  w.signal?.addEventListener('abort', onAbort, { once: true });
  type Deployment = KubeObject & { spec?: { template?: PodTemplate } };
  const template = (await client.get<Deployment>(resourcePath({ group: 'apps', version: 'v1', resource: 'deployments', namespace: w.namespace, name: w.deployment }))).spec?.template ?? {};
  const inTrouble = (p: Pod) => fromTemplate(p, template) && !!podTrouble(p);
  const trouble = waitForList<Pod>(client, resourcePath({ ...PODS, namespace: w.namespace }), (pods) => pods.some(inTrouble), {
    labelSelector: w.labelSelector,
    deadline: w.deadline + 30_000,
    signal: ctrl.signal,
    what: `${w.what}'s pods`,
  }).then(async (pods): Promise<never> => {
    throw new CliError(await describeTrouble(client, w.namespace, pods.find(inTrouble)!, w.what));
  });
  trouble.catch(() => undefined);
  const main = wait(ctrl.signal);
  main.catch(() => undefined);
  try {
    return await Promise.race([main, trouble]);
  } finally {
    ctrl.abort();
    w.signal?.removeEventListener('abort', onAbort);
  }
}

interface Deployment extends KubeObject {
  spec?: { replicas?: number };
  status?: { observedGeneration?: number; replicas?: number; updatedReplicas?: number; readyReplicas?: number; availableReplicas?: number };
}

/** The rollout is done: the controller saw this generation and every replica is new and ready. */
export function rolledOut(d: Deployment | undefined): boolean {
  if (!d?.status || d.metadata?.generation === undefined) return false;
  const want = d.spec?.replicas ?? 1;
  const s = d.status;
  return (s.observedGeneration ?? 0) >= d.metadata.generation && s.replicas === want && s.updatedReplicas === want && s.readyReplicas === want && (s.availableReplicas ?? 0) === want;
}

/** Waits until the Deployment has rolled out, reporting a pod that cannot start. */
export async function waitRolledOut(client: KubeClient, namespace: string, name: string, w: Omit<PodWatch, 'namespace' | 'deployment'>): Promise<Deployment> {
  return withPodTrouble(client, { ...w, namespace, deployment: name }, async (signal) => {
    const d = await waitForObject<Deployment>(client, { group: 'apps', version: 'v1', resource: 'deployments', namespace, name }, rolledOut, {
      deadline: w.deadline,
      signal,
      what: `Deployment ${namespace}/${name} to roll out`,
    });
    return d!;
  });
}
