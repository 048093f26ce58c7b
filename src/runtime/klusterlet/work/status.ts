/**
 * Pure status building for a ManifestWork: the per-manifest entries (resourceMeta plus the
 * Applied, Available and StatusFeedbackSynced conditions) and the work-level Applied and
 * Available conditions aggregated from them. Two controllers write these (apply and status);
 * each keeps the conditions the other one owns.
 */
import { COND, REASON } from '../../../api/names.js';
import type { ManifestConditionT, ResourceMetaT } from '../../../api/work.js';
import { setCondition, type Condition, type ConditionInput } from '../../core/conditions.js';
import type { FeedbackValue } from './feedback.js';

export interface ApplyResult {
  ordinal: number;
  meta: ResourceMetaT;
  /** Undefined when applied; otherwise the API's message. */
  error?: string;
}

export type ManifestStatus = Omit<ManifestConditionT, 'conditions' | 'statusFeedback'> & {
  conditions: Condition[];
  statusFeedback?: { values?: FeedbackValue[] };
};

const sameResource = (a: ResourceMetaT, b: ResourceMetaT) =>
  a.ordinal === b.ordinal && (a.group ?? '') === (b.group ?? '') && a.kind === b.kind && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '');

/**
 * The manifests list after an apply pass: one entry per result (by ordinal), with a fresh Applied
 * condition and whatever else the previous entry of the same resource carried.
 */
export function appliedManifests(previous: readonly ManifestStatus[] | undefined, results: readonly ApplyResult[], generation: number | undefined, now = new Date()): ManifestStatus[] {
  return [...results]
    .sort((a, b) => a.ordinal - b.ordinal)
    .map((r) => {
      const prev = previous?.find((p) => sameResource(p.resourceMeta, r.meta));
      const applied: ConditionInput = r.error
        ? { type: COND.work.applied, status: 'False', reason: REASON.manifest.applyFailed, message: r.error, observedGeneration: generation }
        : { type: COND.work.applied, status: 'True', reason: REASON.manifest.applied, message: 'Apply manifest complete', observedGeneration: generation };
      const entry: ManifestStatus = { resourceMeta: r.meta, conditions: setCondition(prev?.conditions as Condition[] | undefined, applied, now) };
      if (prev?.statusFeedback) entry.statusFeedback = prev.statusFeedback;
      return entry;
    });
}

/** The work's Applied condition: True only when every manifest applied. */
export function workApplied(manifests: readonly ManifestStatus[], generation: number | undefined): ConditionInput {
  const failed = manifests.filter((m) => m.conditions.find((c) => c.type === COND.work.applied)?.status !== 'True');
  if (failed.length === 0) return { type: COND.work.applied, status: 'True', reason: REASON.work.applied, message: 'Apply manifest work complete', observedGeneration: generation };
  const which = failed.map((m) => m.resourceMeta.ordinal).join(', ');
  return { type: COND.work.applied, status: 'False', reason: REASON.work.applyFailed, message: `Failed to apply manifest work: ${failed.length} of ${manifests.length} manifests (ordinals ${which})`, observedGeneration: generation };
}

/** The work's Available condition: False if any resource is missing, Unknown if any could not be read. */
export function workAvailable(manifests: readonly ManifestStatus[], generation: number | undefined): ConditionInput {
  const status = (m: ManifestStatus) => m.conditions.find((c) => c.type === COND.work.available)?.status;
  const total = manifests.length;
  const missing = manifests.filter((m) => status(m) === 'False').length;
  const unknown = manifests.filter((m) => status(m) !== 'True' && status(m) !== 'False').length;
  const base = { type: COND.work.available, observedGeneration: generation } as const;
  if (missing > 0) return { ...base, status: 'False', reason: REASON.work.notAvailable, message: `${missing} of ${total} resources are not available` };
  if (unknown > 0) return { ...base, status: 'Unknown', reason: REASON.work.statusUnknown, message: `${unknown} of ${total} resources have an unknown status` };
  return { ...base, status: 'True', reason: REASON.work.available, message: 'All resources are available' };
}

/** The Available condition of one manifest from a live read: the object, 404, or another error. */
export function manifestAvailable(read: { found: true } | { found: false } | { error: string }): ConditionInput {
  if ('error' in read) return { type: COND.work.available, status: 'Unknown', reason: REASON.manifest.fetchFailed, message: `Failed to fetch resource: ${read.error}` };
  if (!read.found) return { type: COND.work.available, status: 'False', reason: REASON.manifest.notAvailable, message: 'Resource is not available' };
  return { type: COND.work.available, status: 'True', reason: REASON.manifest.available, message: 'Resource is available' };
}

/** The StatusFeedbackSynced condition of one manifest. */
export function feedbackCondition(hasRules: boolean, errors: readonly string[]): ConditionInput {
  if (!hasRules) return { type: COND.work.feedbackSynced, status: 'True', reason: REASON.manifest.noFeedbackSynced, message: '' };
  if (errors.length) return { type: COND.work.feedbackSynced, status: 'False', reason: REASON.manifest.feedbackFailed, message: `Sync status feedback failed: ${errors.join('; ')}` };
  return { type: COND.work.feedbackSynced, status: 'True', reason: REASON.manifest.feedbackSynced, message: '' };
}
