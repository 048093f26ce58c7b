/**
 * ManagedClusterAddOn conditions the hub derives from the add-on's deploy ManifestWork, with
 * OCM's types and reasons: ManifestApplied (the work's Applied), Available (OCM's
 * workload-availability prober over the WellKnownStatus feedback of the Deployments and
 * DaemonSets, see `availability`), Progressing (until the work is applied with the current
 * manifests). Pure.
 */
import type { KubeObject } from '../../kube/client.js';
import type { ManifestWork } from '../../api/index.js';
import { ADDON_COND, ADDON_REASON, COND } from '../../api/names.js';
import { findCondition, type Condition, type ConditionInput } from '../core/conditions.js';
import { probeManifestConfigs } from './addon-render.js';

type Feedback = { name: string; fieldValue?: { integer?: number } };
type Probe = { resource: string; name: string; namespace: string };

/**
 * OCM's rule for one probed workload (addon-framework `checkWorkloadAvailabilityHealth`): why it
 * is unhealthy, or undefined when healthy. A Deployment is healthy with one ready replica, or when
 * it wants none; a DaemonSet when every scheduled pod is ready. A value missing is unhealthy.
 */
export function workloadUnhealthy(p: Probe, values: Feedback[]): string | undefined {
  const int = (...names: string[]) => values.find((v) => names.includes(v.name))?.fieldValue?.integer;
  const ready = int('ReadyReplicas', 'NumberReady');
  const desired = int('Replicas', 'DesiredNumberScheduled');
  const what = `${p.resource} ${p.namespace}/${p.name}`;
  if (ready === undefined) return `the ready replicas of ${what} are not probed`;
  if (desired === undefined) return `the desired replicas of ${what} are not probed`;
  if (p.resource === 'deployments' ? desired === 0 || ready >= 1 : ready === desired) return undefined;
  return `${what} wants ${desired} replicas and has ${ready} ready`;
}

/** OCM probes no Deployment whose manifest asks for 0 replicas. */
function probed(manifests: KubeObject[]): KubeObject[] {
  return manifests.filter((m) => !(m.kind === 'Deployment' && (m as { spec?: { replicas?: number } }).spec?.replicas === 0));
}

/**
 * Available as OCM's workload-availability prober sets it: Unknown without a work or before the
 * work agent said whether it is Available, False when the work is not; then, over the workloads
 * probed, Unknown while none has reported a value, False when one is unhealthy
 * (`workloadUnhealthy`), otherwise True (also with no workload to probe).
 */
export function availability(work: ManifestWork | undefined, manifests: KubeObject[]): ConditionInput {
  const type = ADDON_COND.available;
  if (!work) return { type, status: 'Unknown', reason: ADDON_REASON.workNotFound, message: 'the deploy work of the add-on is not found' };
  const avail = findCondition(work.status?.conditions as Condition[] | undefined, COND.work.available);
  if (!avail) return { type, status: 'Unknown', reason: ADDON_REASON.workNotApplied, message: 'the deploy work of the add-on is not applied yet' };
  if (avail.status === 'False') return { type, status: 'False', reason: ADDON_REASON.workNotApplied, message: avail.message ?? '' };
  const probes = probeManifestConfigs(probed(manifests)).map((p) => p.resourceIdentifier as Probe);
  const statuses = work.status?.resourceStatus?.manifests ?? [];
  const results = probes.flatMap((id) => {
    const st = statuses.find((m) => m.resourceMeta?.resource === id.resource && m.resourceMeta?.name === id.name && (m.resourceMeta?.namespace ?? '') === id.namespace);
    const values = ((st as { statusFeedback?: { values?: Feedback[] } } | undefined)?.statusFeedback?.values ?? []) as Feedback[];
    return values.length ? [{ id, values }] : [];
  });
  if (probes.length && !results.length) {
    return { type, status: 'Unknown', reason: ADDON_REASON.noProbeResult, message: `no probe result yet for ${probes.map((p) => `${p.resource} ${p.namespace}/${p.name}`).join(', ')}` };
  }
  for (const r of results) {
    const why = workloadUnhealthy(r.id, r.values);
    if (why) return { type, status: 'False', reason: ADDON_REASON.probeUnavailable, message: `the add-on agent is unavailable: ${why}` };
  }
  return { type, status: 'True', reason: ADDON_REASON.probeAvailable, message: 'the add-on agent is available' };
}

/** ManifestApplied from the work's Applied condition; undefined while the work agent has not said. */
export function manifestApplied(work: ManifestWork | undefined): ConditionInput | undefined {
  const applied = findCondition(work?.status?.conditions as Condition[] | undefined, COND.work.applied);
  if (!work || !applied || applied.observedGeneration !== work.metadata.generation) return undefined;
  if (applied.status === 'True') return { type: ADDON_COND.manifestApplied, status: 'True', reason: ADDON_REASON.manifestsApplied, message: 'manifests of addon are applied successfully' };
  return { type: ADDON_COND.manifestApplied, status: 'False', reason: ADDON_REASON.manifestsApplyFailed, message: `failed to apply the manifests of the add-on: ${applied.message}` };
}

export function progressing(work: ManifestWork | undefined): ConditionInput {
  const type = ADDON_COND.progressing;
  const applied = manifestApplied(work);
  if (applied?.status === 'True') return { type, status: 'False', reason: ADDON_REASON.completed, message: 'completed with no errors.' };
  if (applied?.status === 'False') return { type, status: 'False', reason: ADDON_REASON.failed, message: applied.message ?? '' };
  return { type, status: 'True', reason: ADDON_REASON.progressing, message: 'applying the manifests of the add-on' };
}
