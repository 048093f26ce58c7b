import { forEachLimit } from './limit.js';

test('runs every item, never more than the limit at once', async () => {
  let running = 0;
  let peak = 0;
  const done: number[] = [];
  await forEachLimit([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setImmediate(r));
    done.push(n);
    running--;
  });
  expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  expect(peak).toBe(3);
});

test('an empty list resolves at once', async () => {
  await expect(forEachLimit([], 4, async () => undefined)).resolves.toBeUndefined();
});
