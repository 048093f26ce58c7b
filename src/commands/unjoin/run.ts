/**
 * unjoin: read the spoke (and check the hub, when given) before anything changes, plan, then carry
 * the plan out step by step. Every step reports what happened; whatever could not be removed is
 * named in `left`, and the command exits 1 when that list is not empty.
 */
import type { KubeClient } from '../../kube/client.js';
import { describeError } from '../../kube/errors.js';
import { InterruptedError } from '../../cli/errors.js';
import { resourcePath } from '../../kube/resources.js';
import { FINALIZER } from '../../api/names.js';
import { removeLocalRuntime, stopLocalRuntime } from '../../runtime/host/index.js';
import type { Progress } from '../../ui/progress.js';
import { deleteResource, removeOwnerRef } from './applied-works.js';
import { deleteRef, dropFinalizers, waitGone } from './ops.js';
import { finishOnHub, type HubCheck, type HubOutcome } from './hub.js';
import type { UnjoinOptions } from './options.js';
import type { Ref, Step } from './plan.js';

export type Outcome = 'stopped' | 'deleted' | 'kept' | 'orphaned' | 'released' | 'absent' | 'left' | 'would-stop' | 'would-delete' | 'would-keep' | 'would-orphan' | 'would-release';

export interface StepResult {
  kind: Step['kind'];
  what: string;
  outcome: Outcome;
  detail?: string;
  /** How long the step took, when it waited (stopping the agent, a deletion that finalizes). */
  seconds?: number;
}

export interface UnjoinResult {
  cluster: string;
  spoke: string;
  dryRun: boolean;
  steps: StepResult[];
  hub?: HubOutcome;
  /** Everything that could not be removed, one line each. */
  left: string[];
  warnings: string[];
  elapsedSeconds: number;
}

export interface UnjoinDeps {
  spoke: KubeClient;
  hub?: HubCheck;
  progress: Progress;
  env: NodeJS.ProcessEnv;
  deadline: number;
  /** How long foreign finalizers of an AppliedManifestWork get before unjoin strips them. */
  finalizerGraceMs: number;
  signal?: AbortSignal;
}

/** Why a namespace is still there: its status conditions say which content or finalizers remain. */
async function namespaceStuck(client: KubeClient, ref: Ref): Promise<string> {
  const ns = await client.get<{ status?: { phase?: string; conditions?: { type: string; status: string; message?: string }[] } }>(resourcePath(ref)).catch(() => undefined);
  const msgs = (ns?.status?.conditions ?? []).filter((c) => c.status === 'True' && /Remaining|Failure/.test(c.type)).map((c) => c.message);
  return `still ${ns?.status?.phase ?? 'present'}${msgs.length ? `: ${msgs.join('; ')}` : ''}`;
}

export async function runUnjoin(opts: UnjoinOptions, steps: Step[], deps: UnjoinDeps): Promise<UnjoinResult> {
  const t0 = Date.now();
  const { spoke, progress } = deps;
  const result: UnjoinResult = { cluster: opts.clusterName, spoke: spoke.server, dryRun: opts.dryRun, steps: [], left: [], warnings: [], elapsedSeconds: 0 };
  const started = new Map<Step, number>();
  const record = (s: Step, outcome: Outcome, detail = s.why) => {
    const ms = started.has(s) ? Date.now() - started.get(s)! : 0;
    result.steps.push({ kind: s.kind, what: s.label, outcome, ...(detail ? { detail } : {}), ...(ms >= 500 ? { seconds: Math.round(ms / 100) / 10 } : {}) });
    if (outcome === 'left') result.left.push(`${s.label}${detail ? `: ${detail}` : ''}`);
  };
  if (opts.dryRun) {
    for (const s of steps) record(s, `would-${s.action}` as Outcome);
    if (deps.hub) result.hub = { ...deps.hub.describe(), outcome: 'would-delete' };
    return finish(result, t0);
  }

  const safely = async (s: Step, fn: () => Promise<void>) => {
    started.set(s, Date.now());
    try {
      progress.start(`${s.action === 'stop' ? 'stopping' : 'removing'} ${s.label}`);
      await fn();
    } catch (err) {
      if (err instanceof InterruptedError) throw err; // Ctrl-C: stop here (exit 130), not "left"
      record(s, 'left', describeError(err));
    }
  };
  const of = (kind: Step['kind']) => steps.filter((s) => s.kind === kind);

  // 1. The agent: nothing may re-apply workloads, re-create secrets or re-register while we clean.
  for (const s of of('agent')) {
    await safely(s, async () => {
      if (s.instance) {
        const was = await stopLocalRuntime('klusterlet', s.instance, { env: deps.env });
        record(s, was ? 'stopped' : 'absent', was ? undefined : 'was not running');
      } else {
        const r = await deleteRef(spoke, s.ref!);
        if (r === 'deleted' && !(await waitGone(spoke, s.ref!, deps.deadline, deps.signal))) record(s, 'left', 'still terminating at the deadline');
        else record(s, r);
      }
    });
  }

  // 2. Applied workloads, by the work agent's rules (applied-works.ts); then wait for the deleted ones.
  const deleting: Step[] = [];
  for (const s of of('applied-resource')) {
    await safely(s, async () => {
      if (s.action === 'keep') return record(s, 'kept');
      if (s.action === 'orphan' || s.action === 'release') {
        await removeOwnerRef(spoke, s.ref!, s.owner!);
        return record(s, s.action === 'orphan' ? 'orphaned' : 'released');
      }
      await deleteResource(spoke, s.ref!, s.uid);
      deleting.push(s);
    });
  }
  for (const s of deleting) {
    progress.start(`waiting for ${s.label} to be deleted`);
    if (await waitGone(spoke, s.ref!, deps.deadline, deps.signal)) record(s, 'deleted');
    else record(s, 'left', 'still present at the deadline (a finalizer of its own?)');
  }

  // 3. AppliedManifestWorks: we did their cleanup finalizer's job, so we drop it; others get a grace period.
  const workLeft = new Set(result.steps.filter((r) => r.kind === 'applied-resource' && r.outcome === 'left').map((r) => r.what));
  for (const s of of('applied-work')) {
    if (s.action === 'keep') {
      record(s, 'kept');
      continue;
    }
    await safely(s, async () => {
      const blocked = steps.some((x) => x.kind === 'applied-resource' && x.owner === s.uid && workLeft.has(x.label));
      if (blocked) return record(s, 'left', 'some of its resources are still there');
      if ((await deleteRef(spoke, s.ref!)) === 'absent') return record(s, 'absent');
      await dropFinalizers(spoke, s.ref!, [FINALIZER.appliedManifestWorkCleanup]);
      const graceEnd = Math.min(deps.deadline, Date.now() + deps.finalizerGraceMs);
      if (await waitGone(spoke, s.ref!, graceEnd, deps.signal)) return record(s, 'deleted');
      const stripped = await dropFinalizers(spoke, s.ref!);
      const note = `finalizers ${stripped.join(', ')} still there after ${Math.round(deps.finalizerGraceMs / 1000)} s: removed them`;
      result.warnings.push(`AppliedManifestWork ${s.ref!.name}: ${note}`);
      if (await waitGone(spoke, s.ref!, deps.deadline, deps.signal)) record(s, 'deleted', note);
      else record(s, 'left', 'still present after its finalizers were removed');
    });
  }

  // 4. Secrets, ClusterClaims, RBAC, ServiceAccount: plain deletes.
  for (const s of [...of('object'), ...of('cluster-claim')]) await safely(s, async () => record(s, await deleteRef(spoke, s.ref!), undefined));

  // 5. The namespace, waited on (its finalizers run in kube-controller-manager).
  for (const s of of('namespace')) {
    await safely(s, async () => {
      if ((await deleteRef(spoke, s.ref!)) === 'absent') return record(s, 'absent');
      progress.start(`waiting for namespace ${s.ref!.name} to be deleted`);
      if (await waitGone(spoke, s.ref!, deps.deadline, deps.signal)) record(s, 'deleted');
      else record(s, 'left', await namespaceStuck(spoke, s.ref!));
    });
  }

  // 6. CRDs (--purge), only once nothing of ours is left that they serve.
  for (const s of of('crd')) {
    if (s.action === 'keep') {
      record(s, 'kept');
      continue;
    }
    if (s.ref!.name.startsWith('appliedmanifestworks.') && result.steps.some((r) => r.kind === 'applied-work' && r.outcome === 'left')) {
      record(s, 'left', 'AppliedManifestWorks remain');
      continue;
    }
    await safely(s, async () => {
      const r = await deleteRef(spoke, s.ref!);
      if (r === 'deleted' && !(await waitGone(spoke, s.ref!, deps.deadline, deps.signal))) record(s, 'left', 'still terminating at the deadline');
      else record(s, r);
    });
  }

  // 7. The local state directory (the agent's kubeconfig and log) last: it was needed to stop the agent.
  for (const s of of('local-state')) {
    await safely(s, async () => {
      await removeLocalRuntime('klusterlet', s.instance!, deps.env);
      record(s, 'deleted', undefined);
    });
  }

  // 8. The hub: delete the ManagedCluster and wait for the hub controller's cleanup.
  if (deps.hub) {
    const spokeClean = !result.steps.some((r) => r.kind === 'applied-work' && r.outcome === 'left');
    result.hub = await finishOnHub(deps.hub, { spokeClean, deadline: deps.deadline, signal: deps.signal, progress });
    if (result.hub.outcome === 'left') result.left.push(`ManagedCluster ${opts.clusterName} on ${result.hub.server}: ${result.hub.detail}`);
    result.warnings.push(...(result.hub.warnings ?? []));
  }
  progress.stop();
  return finish(result, t0);
}

function finish(r: UnjoinResult, t0: number): UnjoinResult {
  r.elapsedSeconds = Math.round((Date.now() - t0) / 100) / 10;
  return r;
}

export const unjoinExitCode = (r: UnjoinResult) => (r.left.length > 0 ? 1 : 0);
