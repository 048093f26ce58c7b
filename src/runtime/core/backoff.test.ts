import { RECONNECT_MAX_MS, backoffDelay } from './backoff.js';

test('capped exponential backoff with jitter on top', () => {
  const o = { initialMs: 200, maxMs: 30_000, random: () => 0 };
  expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => backoffDelay(n, o))).toEqual([200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000]);
  expect(backoffDelay(1000, o)).toBe(30_000);
  expect(backoffDelay(1, { ...o, jitter: 0.2, random: () => 1 })).toBe(240);
  expect(backoffDelay(20, { ...o, jitter: 0.2, random: () => 0.5 })).toBe(33_000);
});

test('the reconnect cap keeps the wait after a long outage under 10 s, jitter included', () => {
  const o = { initialMs: 200, maxMs: RECONNECT_MAX_MS, jitter: 0.2, random: () => 1 };
  expect(backoffDelay(50, o)).toBe(6_000);
  expect(backoffDelay(50, o)).toBeLessThan(10_000);
});
