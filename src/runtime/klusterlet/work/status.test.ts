import { COND, REASON } from '../../../api/names.js';
import { appliedManifests, feedbackCondition, manifestAvailable, workApplied, workAvailable, type ManifestStatus } from './status.js';

const now = new Date('2026-11-23T10:00:00Z');
const meta = (ordinal: number, name = `cm${ordinal}`) => ({ ordinal, group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps', name, namespace: 'ns' });

test('apply results become manifest entries in ordinal order, keeping the status controller conditions', () => {
  const prev: ManifestStatus[] = [
    {
      resourceMeta: meta(0),
      conditions: [{ type: COND.work.available, status: 'True', reason: REASON.manifest.available, message: 'Resource is available', lastTransitionTime: '2026-11-23T09:00:00Z' }],
      statusFeedback: { values: [{ name: 'x', fieldValue: { type: 'Integer', integer: 1 } }] },
    },
  ];
  const out = appliedManifests(prev, [{ ordinal: 1, meta: meta(1), error: 'admission webhook denied it' }, { ordinal: 0, meta: meta(0) }], 3, now);
  expect(out.map((m) => m.resourceMeta.ordinal)).toEqual([0, 1]);
  expect(out[0]!.conditions.map((c) => c.type)).toEqual([COND.work.available, COND.work.applied]);
  expect(out[0]!.statusFeedback?.values).toHaveLength(1);
  expect(out[0]!.conditions[1]).toMatchObject({ status: 'True', reason: REASON.manifest.applied, observedGeneration: 3 });
  expect(out[1]!.conditions).toEqual([
    { type: COND.work.applied, status: 'False', reason: REASON.manifest.applyFailed, message: 'admission webhook denied it', observedGeneration: 3, lastTransitionTime: '2026-11-23T10:00:00Z' },
  ]);
  // A different resource at the same ordinal does not inherit the old one's conditions.
  expect(appliedManifests(prev, [{ ordinal: 0, meta: meta(0, 'other') }], 3, now)[0]!.conditions).toHaveLength(1);

  expect(workApplied(out, 3)).toMatchObject({ status: 'False', reason: REASON.work.applyFailed });
  expect(workApplied(out.slice(0, 1), 3)).toMatchObject({ status: 'True', reason: REASON.work.applied, observedGeneration: 3 });
});

test('work Available: False wins over Unknown, Unknown over True', () => {
  const m = (status?: 'True' | 'False' | 'Unknown'): ManifestStatus => ({
    resourceMeta: meta(0),
    conditions: status ? [{ type: COND.work.available, status, reason: 'r', message: '', lastTransitionTime: '2026-11-23T09:00:00Z' }] : [],
  });
  expect(workAvailable([m('True'), m('True')], 1)).toMatchObject({ status: 'True', reason: REASON.work.available });
  expect(workAvailable([m('True'), m()], 1)).toMatchObject({ status: 'Unknown', reason: REASON.work.statusUnknown });
  expect(workAvailable([m('Unknown'), m('False')], 1)).toMatchObject({ status: 'False', reason: REASON.work.notAvailable, message: '1 of 2 resources are not available' });
  expect(workAvailable([], 1)).toMatchObject({ status: 'True' });
});

test('manifest Available and StatusFeedbackSynced reasons', () => {
  expect(manifestAvailable({ found: true })).toMatchObject({ status: 'True', reason: REASON.manifest.available });
  expect(manifestAvailable({ found: false })).toMatchObject({ status: 'False', reason: REASON.manifest.notAvailable });
  expect(manifestAvailable({ error: 'boom' })).toMatchObject({ status: 'Unknown', reason: REASON.manifest.fetchFailed, message: 'Failed to fetch resource: boom' });
  expect(feedbackCondition(false, [])).toMatchObject({ status: 'True', reason: REASON.manifest.noFeedbackSynced });
  expect(feedbackCondition(true, [])).toMatchObject({ status: 'True', reason: REASON.manifest.feedbackSynced });
  expect(feedbackCondition(true, ['bad path'])).toMatchObject({ status: 'False', reason: REASON.manifest.feedbackFailed });
});
