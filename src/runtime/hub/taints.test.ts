import { desiredTaints, wantedAvailabilityTaint } from './taints.js';

const now = new Date('2026-03-04T05:06:07.890Z');
const unreachable = { key: 'cluster.open-cluster-management.io/unreachable', effect: 'NoSelect' as const, timeAdded: '2026-01-01T00:00:00Z' };
const unavailable = { key: 'cluster.open-cluster-management.io/unavailable', effect: 'NoSelect' as const, timeAdded: '2026-01-01T00:00:00Z' };
const user = { key: 'example.com/gpu', value: 'none', effect: 'PreferNoSelect' as const };

describe('availability taints', () => {
  test('which taint for which Available status', () => {
    expect(wantedAvailabilityTaint('True')).toBeUndefined();
    expect(wantedAvailabilityTaint('False')).toBe('cluster.open-cluster-management.io/unavailable');
    expect(wantedAvailabilityTaint('Unknown')).toBe('cluster.open-cluster-management.io/unreachable');
    expect(wantedAvailabilityTaint(undefined)).toBe('cluster.open-cluster-management.io/unreachable');
  });

  test('a cluster without Available gets unreachable, stamped now', () => {
    expect(desiredTaints(undefined, undefined, now)).toEqual([{ ...unreachable, timeAdded: '2026-03-04T05:06:07Z' }]);
  });

  test('Unknown → False swaps unreachable for unavailable, keeping other taints', () => {
    expect(desiredTaints([user, unreachable], 'False', now)).toEqual([user, { ...unavailable, timeAdded: '2026-03-04T05:06:07Z' }]);
  });

  test('True removes both', () => {
    expect(desiredTaints([unavailable, user, unreachable], 'True', now)).toEqual([user]);
  });

  test('already right: no change, and the original timeAdded is kept', () => {
    expect(desiredTaints([user, unreachable], 'Unknown', now)).toBeUndefined();
    expect(desiredTaints([user], 'True', now)).toBeUndefined();
  });

  test('a same-key taint with another effect is not ours', () => {
    const other = { key: unreachable.key, effect: 'PreferNoSelect' as const };
    expect(desiredTaints([other], 'True', now)).toBeUndefined();
  });
});
