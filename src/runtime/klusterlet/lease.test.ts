import { RECONNECT_MAX_MS } from '../core/backoff.js';
import { leaseRetryDelayMs, nextRenewalDelayMs } from './lease.js';

test('failed renewals retry from 1 s, doubling, capped at the reconnect cap however long the hub is away', () => {
  const none = () => 0;
  expect([1, 2, 3, 4].map((n) => leaseRetryDelayMs(n, 60, none))).toEqual([1000, 2000, 4000, RECONNECT_MAX_MS]);
  expect(leaseRetryDelayMs(100, 60, none)).toBe(RECONNECT_MAX_MS);
  expect(leaseRetryDelayMs(100, 60, () => 1)).toBe(RECONNECT_MAX_MS * 1.2);
  expect(RECONNECT_MAX_MS * 1.2).toBeLessThan(10_000);
});

test('a retry never waits longer than the renewal period itself', () => {
  expect(leaseRetryDelayMs(10, 2, () => 1)).toBe(2000);
  expect(leaseRetryDelayMs(1, 1, () => 1)).toBe(1000);
});

test('renewals come every period plus up to 25 % jitter', () => {
  expect(nextRenewalDelayMs(60, () => 0)).toBe(60_000);
  expect(nextRenewalDelayMs(60, () => 1)).toBe(75_000);
});
