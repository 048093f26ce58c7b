import { fetchAllows, freePort, freePorts, releasePorts } from './ports.js';

describe('free ports', () => {
  test('fetch refuses exactly the ports we skip: it never connects to them', async () => {
    const skipped = [1719, 2049, 6000, 6697, 10080];
    const refusals = await Promise.all(skipped.map((p) => fetch(`http://127.0.0.1:${p}/`).then(() => 'answered', (e: Error) => String((e.cause as Error)?.message))));
    expect(refusals).toEqual(skipped.map(() => 'bad port'));
    expect(skipped.map(fetchAllows)).toEqual(skipped.map(() => false));
    // A port it allows gets a real connection attempt (nothing listens there: refused, not "bad port").
    const other = await fetch('http://127.0.0.1:10081/').then(() => 'answered', (e: Error) => String((e.cause as Error)?.message));
    expect(other).not.toBe('bad port');
    expect(fetchAllows(10081)).toBe(true);
  });

  test('a blocked candidate is skipped for the next one', async () => {
    const candidates = [10080, 10080, 23456];
    const port = await freePort(() => candidates.shift()!);
    releasePorts([port]);
    expect(port).toBe(23456);
  });

  test('hands out distinct bindable ports in 10000-32767, none of them blocked by fetch', async () => {
    const ports = await freePorts(200);
    expect(new Set(ports).size).toBe(200);
    for (const p of ports) {
      expect(p).toBeGreaterThanOrEqual(10_000);
      expect(p).toBeLessThanOrEqual(32_767);
      expect(fetchAllows(p)).toBe(true);
    }
  });
});
