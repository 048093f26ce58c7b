/**
 * The work agent: a watch on the cluster's ManifestWorks on the hub (with the registration
 * agent's certificate identity) and on AppliedManifestWorks on the spoke, feeding two controllers
 * (apply, status) keyed by work name. `workAgentStarter` plugs it into the klusterlet process
 * (main.ts AGENTS): it starts on the first hub identity and follows certificate rotations
 * without restarting (the hub client is looked up per request).
 */
import type { KubeClient, KubeObject } from '../../../kube/client.js';
import { Discovery } from '../../../kube/resources.js';
import { APPLIED_MANIFEST_WORKS, MANIFEST_WORKS, type AppliedManifestWork, type ManifestWork } from '../../../api/index.js';
import { COND, FINALIZER } from '../../../api/names.js';
import { Controller } from '../../core/controller.js';
import { createInformer, type InformerOptions } from '../../core/informer.js';
import { OwnWrites } from '../../core/own-writes.js';
import { deepEqual } from '../../core/patch.js';
import type { Logger } from '../../core/types.js';
import { startOnIdentity, type AgentStarter } from '../agent-starter.js';
import { ApplyReconciler } from './apply-reconciler.js';
import { hubHash } from './hub-hash.js';
import { FeedbackWatches } from './feedback-watch.js';
import { StatusReconciler } from './status-reconciler.js';

export interface WorkAgentOptions {
  cluster: string;
  /** spec.agentID of the records; only records with this ID are ever evicted. */
  agentId: string;
  /** The hub client to use now (called per request, so a rotated certificate takes over). */
  hub: () => KubeClient;
  /** The hub kubeconfig's server, exactly as written: the hub hash is computed from it. */
  hubServer: string;
  spoke: KubeClient;
  log: Logger;
  /** Status sync of live resources (default 10 s). */
  statusSyncMs?: number;
  /** Re-apply period of healthy works (default 4 min). */
  resyncMs?: number;
  evictionGraceMs?: number;
  retry?: { initialMs: number; maxMs: number };
  /** Workers of the apply controller (default 10, as OCM's work agent) and the status controller (default 2). */
  workers?: { apply?: number; status?: number };
  informers?: InformerOptions;
  /** Most spoke watches for `feedbackScrapeType: Watch` (default 50, as OCM); past it, Poll. */
  maxFeedbackWatches?: number;
}

export interface WorkAgent {
  readonly hubHash: string;
  /** Both caches have listed once. */
  readonly synced: boolean;
  stop(): Promise<void>;
}

/** A KubeClient whose every call goes to `current()`: the informer keeps working across rotations. */
export function followingClient(current: () => KubeClient): KubeClient {
  return new Proxy({} as KubeClient, {
    get: (_t, prop) => {
      const c = current();
      const v = Reflect.get(c, prop, c) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(c) : v;
    },
  });
}

const workName = (o: KubeObject) => o.metadata?.name ?? '';
const finalizers = (o: KubeObject | undefined) => o?.metadata?.finalizers ?? [];
const manifestMeta = (w: ManifestWork | undefined) => (w?.status?.resourceStatus?.manifests ?? []).map((m) => m.resourceMeta);
/** The only change is our cleanup finalizer appended: the pass that added it goes on from there. */
const onlyAddedCleanup = (now: string[], before: string[]) =>
  !before.includes(FINALIZER.manifestWorkCleanup) && deepEqual(now, [...before, FINALIZER.manifestWorkCleanup]);
/** Available is set for the work's current generation. */
const availabilityReported = (w: ManifestWork) => w.status?.conditions?.some((c) => c.type === COND.work.available && c.observedGeneration === w.metadata.generation) ?? false;
const wantsPromptStatus = (w: ManifestWork) => (w.spec?.manifestConfigs ?? []).some((c) => c.feedbackRules?.length || c.conditionRules?.length || c.feedbackScrapeType === 'Watch');
const appliedCond = (w: ManifestWork | undefined) => w?.status?.conditions?.find((c) => c.type === 'Applied');

export function startWorkAgent(opts: WorkAgentOptions): WorkAgent {
  const hash = hubHash(opts.hubServer);
  const log = opts.log.child({ agent: 'work', cluster: opts.cluster });
  const hub = followingClient(opts.hub);
  // Until the hub accepts the cluster the list is refused (403): the default reconnect cap (5 s,
  // RECONNECT_MAX_MS) keeps the first works after accept from being held back by a long backoff.
  const works = createInformer<ManifestWork>(hub, { ref: { ...MANIFEST_WORKS, namespace: opts.cluster } }, log.child({ informer: 'hub-manifestworks' }), opts.informers);
  const applied = createInformer<AppliedManifestWork>(opts.spoke, { ref: APPLIED_MANIFEST_WORKS }, log.child({ informer: 'appliedmanifestworks' }), opts.informers);
  const id = { hubHash: hash, agentId: opts.agentId };
  // Both controllers read through these, so a key run again before the watches caught up with
  // our last writes does not write from a stale copy (a 409 and a retry).
  const workView = new OwnWrites(works);
  const appliedView = new OwnWrites(applied);

  const applier = new ApplyReconciler({
    cluster: opts.cluster,
    id,
    hub,
    spoke: opts.spoke,
    discovery: new Discovery(opts.spoke),
    works: workView,
    applied: appliedView,
    log: log.child({ controller: 'manifestwork-apply' }),
    resyncMs: opts.resyncMs,
    evictionGraceMs: opts.evictionGraceMs,
    retry: opts.retry,
  });
  const apply = new Controller({ reconciler: applier, workers: opts.workers?.apply ?? 10 }, log.child({ controller: 'manifestwork-apply' }));
  // Spec, labels and deletion reach the spoke at once; status-only updates (ours) do not loop.
  // Our own writes (the finalizer, status) come back as updates the pass that made them acted on;
  // the finalizer's may come before the patch's answer, so our finalizer added is no change here.
  apply.watches(works, (w, old, event) => {
    if (event !== 'update' || !old) return [workName(w)];
    if (workView.isOwnWrite(w)) return [];
    const changed =
      w.metadata.generation !== old.metadata.generation ||
      !deepEqual(w.metadata.labels ?? {}, old.metadata.labels ?? {}) ||
      w.metadata.deletionTimestamp !== old.metadata.deletionTimestamp ||
      (!deepEqual(finalizers(w), finalizers(old)) && !onlyAddedCleanup(finalizers(w), finalizers(old)));
    return changed ? [workName(w)] : [];
  });
  const ours = (a: AppliedManifestWork) => (a.spec?.hubHash === hash && a.spec.manifestWorkName ? [a.spec.manifestWorkName] : []);
  // Records we created or wrote need no new pass either (nor one whose create is in flight: its
  // add event may come before the create's answer); nor does a change of status alone
  // (appliedResources is ours to write).
  const recordChanged = (a: AppliedManifestWork, old: AppliedManifestWork) =>
    !deepEqual(a.spec, old.spec) ||
    !deepEqual(a.metadata.labels ?? {}, old.metadata.labels ?? {}) ||
    a.metadata.deletionTimestamp !== old.metadata.deletionTimestamp ||
    !deepEqual(finalizers(a), finalizers(old));
  apply.watches(applied, (a, old, event) => {
    if (event !== 'delete' && appliedView.isOwnWrite(a)) return [];
    if (event === 'add' && applier.isCreating(a.metadata.name!)) return [];
    return event === 'update' && old && !recordChanged(a, old) ? [] : ours(a);
  });

  // A change of a watched resource queues its works in the status controller (made just below).
  const watches = new FeedbackWatches(opts.spoke, (w) => status.enqueue(w), log.child({ controller: 'manifestwork-status' }), opts.maxFeedbackWatches, opts.informers);
  const status: Controller = new Controller(
    { reconciler: new StatusReconciler({ cluster: opts.cluster, hub, spoke: opts.spoke, works: workView, statusSyncMs: opts.statusSyncMs, watches }), workers: opts.workers?.status ?? 2 },
    log.child({ controller: 'manifestwork-status' }),
  );
  // A new apply result (manifests or Applied changed) gets its availability at once. A work
  // without Applied has nothing to report yet: its first apply pass's write brings it here.
  // Our apply pass that wrote availability too, from the objects it had just written, leaves
  // nothing to look at before the usual interval (a read of every manifest for no change: in a
  // burst of new works, one spoke read per work on the way of the others' applies), unless
  // feedback or condition rules or a watch want a prompt look.
  status.watches(works, (w, old, event) => {
    if (event === 'delete') return [];
    if (event === 'add' || !old) return appliedCond(w) ? [workName(w)] : [];
    if (deepEqual(manifestMeta(w), manifestMeta(old)) && deepEqual(appliedCond(w), appliedCond(old))) return [];
    if (workView.isOwnWrite(w) && availabilityReported(w) && !wantsPromptStatus(w)) return [{ key: workName(w), afterMs: opts.statusSyncMs ?? 10_000 }];
    return [workName(w)];
  });

  const ctrl = new AbortController();
  const runs = [apply.run(ctrl.signal), status.run(ctrl.signal)];
  // Neither start is awaited: a hub that is down (or not yet granting access) must not block the klusterlet.
  // Records seen before the hub cache listed were skipped (a work's absence means nothing then): look again.
  works.start().then(
    () => apply.enqueue(...applied.list().flatMap(ours)),
    () => undefined,
  );
  applied.start().catch(() => undefined);
  log.info('work agent started', { hubHash: hash });

  let stopping: Promise<void> | undefined;
  return {
    hubHash: hash,
    get synced() {
      return works.synced && applied.synced;
    },
    stop: () =>
      (stopping ??= (async () => {
        ctrl.abort();
        await Promise.all(runs);
        watches.stop();
        works.stop();
        applied.stop();
        log.info('work agent stopped');
      })()),
  };
}

/** Options of the work agent that are not taken from the registration agent. */
export type WorkAgentSettings = Partial<Pick<WorkAgentOptions, 'statusSyncMs' | 'resyncMs' | 'evictionGraceMs' | 'retry' | 'workers' | 'informers' | 'maxFeedbackWatches'>>;

/** The klusterlet seam: start on the first hub identity, follow rotations, stop with the process. */
export function workAgentStarter(settings: WorkAgentSettings = {}): AgentStarter {
  return async (reg, log, flags) => {
    const fromFlags: WorkAgentSettings = {};
    if (flags.statusSyncSeconds !== undefined) fromFlags.statusSyncMs = flags.statusSyncSeconds * 1000;
    if (flags.evictionGraceSeconds !== undefined) fromFlags.evictionGraceMs = flags.evictionGraceSeconds * 1000;
    return startOnIdentity(reg, (current, first) =>
      startWorkAgent({ ...fromFlags, ...settings, cluster: reg.clusterName, agentId: reg.agentId, hub: () => current().client, hubServer: first.hub.server, spoke: reg.spoke, log }),
    );
  };
}
