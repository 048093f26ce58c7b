import type { KubeObject } from '../../kube/client.js';
import { cleanupPriority, lowestTier, remainingCondition } from './cleanup.js';

const work = (name: string, priority?: string, finalizers?: string[]): KubeObject => ({
  metadata: {
    name,
    namespace: 'c1',
    annotations: priority === undefined ? {} : { 'open-cluster-management.io/cleanup-priority': priority },
    finalizers,
  },
});

describe('GC order', () => {
  test('priority is 0–100; missing, invalid or out of range counts as 0', () => {
    expect(cleanupPriority(work('a'))).toBe(0);
    expect(cleanupPriority(work('a', '40'))).toBe(40);
    expect(cleanupPriority(work('a', '100'))).toBe(100);
    expect(cleanupPriority(work('a', '101'))).toBe(0);
    expect(cleanupPriority(work('a', '-1'))).toBe(0);
    expect(cleanupPriority(work('a', 'abc'))).toBe(0);
  });

  test('only the lowest tier is deleted in one pass', () => {
    const items = [work('late', '90'), work('mid', '50'), work('early', '10'), work('early2', '10')];
    expect(lowestTier(items).map((w) => w.metadata?.name)).toEqual(['early', 'early2']);
    expect(lowestTier([work('x', '90'), work('plain')]).map((w) => w.metadata?.name)).toEqual(['plain']);
    expect(lowestTier([])).toEqual([]);
  });

  test('ResourceRemaining message counts objects and those waiting on finalizers', () => {
    expect(remainingCondition('manifestworks', [work('a', undefined, ['f']), work('b')])).toEqual({
      type: 'Deleting',
      status: 'False',
      reason: 'ResourceRemaining',
      message: 'The resource manifestworks is remaining, the remaining count is 2, the finalizer pending count is 1',
    });
  });
});
