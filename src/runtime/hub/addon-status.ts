/**
 * ManagedClusterAddOn conditions the hub derives from the add-on's deploy ManifestWork, with
 * OCM's types and reasons: ManifestApplied (the work's Applied), Available (the workload probe:
 * WellKnownStatus feedback of each Deployment/DaemonSet, ready replicas at least one; an add-on
 * without workloads follows the work's Available), Progressing (until the work is applied with
 * the current manifests). Pure.
 */
import type { KubeObject } from '../../kube/client.js';
import type { ManifestWork } from '../../api/index.js';
import { ADDON_COND, ADDON_REASON, COND } from '../../api/names.js';
import { findCondition, type Condition, type ConditionInput } from '../core/conditions.js';
import { probeManifestConfigs } from './addon-render.js';

type Feedback = { name: string; fieldValue?: { integer?: number } };

function readyOf(values: Feedback[]): number | undefined {
  const v = values.find((x) => x.name === 'ReadyReplicas' || x.name === 'NumberReady');
  return v?.fieldValue?.integer;
}

/** Available from the probe: Unknown without a work or without probe results. */
export function availability(work: ManifestWork | undefined, manifests: KubeObject[]): ConditionInput {
  const type = ADDON_COND.available;
  if (!work) return { type, status: 'Unknown', reason: ADDON_REASON.workNotFound, message: 'the deploy work of the add-on is not found' };
  const probes = probeManifestConfigs(manifests);
  const conds = work.status?.conditions as Condition[] | undefined;
  if (!probes.length) {
    const avail = findCondition(conds, COND.work.available);
    if (avail?.status === 'True') return { type, status: 'True', reason: ADDON_REASON.workApplied, message: 'the manifests of the add-on are available' };
    return { type, status: 'Unknown', reason: ADDON_REASON.noProbeResult, message: 'the manifests of the add-on are not available yet' };
  }
  const statuses = work.status?.resourceStatus?.manifests ?? [];
  for (const p of probes) {
    const id = p.resourceIdentifier as { resource: string; name: string; namespace: string };
    const st = statuses.find((m) => m.resourceMeta?.resource === id.resource && m.resourceMeta?.name === id.name && (m.resourceMeta?.namespace ?? '') === id.namespace);
    const values = ((st as { statusFeedback?: { values?: Feedback[] } } | undefined)?.statusFeedback?.values ?? []) as Feedback[];
    const ready = readyOf(values);
    if (ready === undefined) return { type, status: 'Unknown', reason: ADDON_REASON.noProbeResult, message: `no values are probed for ${id.resource} ${id.namespace}/${id.name}` };
    if (ready < 1) return { type, status: 'False', reason: ADDON_REASON.probeUnavailable, message: `${id.resource} ${id.namespace}/${id.name} has no ready replica` };
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
