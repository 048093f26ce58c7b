import type { ManifestWork } from '../../api/index.js';
import { ttlDeadline } from './work-ttl.js';

const at = '2026-03-04T05:06:07Z';
const work = (ttl: number | undefined, complete?: 'True' | 'False', deleting = false): ManifestWork =>
  ({
    apiVersion: 'work.open-cluster-management.io/v1',
    kind: 'ManifestWork',
    metadata: { name: 'w', namespace: 'c1', ...(deleting ? { deletionTimestamp: at } : {}) },
    spec: ttl === undefined ? {} : { deleteOption: { ttlSecondsAfterFinished: ttl } },
    status: complete ? { conditions: [{ type: 'Complete', status: complete, reason: 'ConditionRulesAggregated', message: '', lastTransitionTime: at }] } : {},
  }) as ManifestWork;

describe('ttlSecondsAfterFinished', () => {
  test('due ttl seconds after Complete turned True; 0 means at once', () => {
    expect(ttlDeadline(work(30, 'True'))).toBe(Date.parse(at) + 30_000);
    expect(ttlDeadline(work(0, 'True'))).toBe(Date.parse(at));
  });

  test('never due without the field, before Complete is True, or while already being deleted', () => {
    expect(ttlDeadline(work(undefined, 'True'))).toBeUndefined();
    expect(ttlDeadline(work(30, 'False'))).toBeUndefined();
    expect(ttlDeadline(work(30))).toBeUndefined();
    expect(ttlDeadline(work(30, 'True', true))).toBeUndefined();
  });
});
