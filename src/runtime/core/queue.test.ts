import { ManualClock, flushPromises } from './manual-clock.js';
import { createWorkQueue } from './queue.js';

const setup = (opts: { qps?: number; burst?: number } = {}) => {
  const clock = new ManualClock();
  return { clock, q: createWorkQueue({ clock, ...opts }) };
};

describe('work queue', () => {
  test('a key waiting is not added twice; FIFO order', async () => {
    const { q } = setup();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.length).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.length).toBe(0);
  });

  test('a key is never handed out twice at once; an add while processing comes back after done', async () => {
    const { q } = setup();
    q.add('a');
    expect(await q.get()).toBe('a');
    q.add('a');
    q.add('a');
    expect(q.length).toBe(0); // not ready while a worker holds it
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await flushPromises();
    expect(second).toBeUndefined();
    q.done('a');
    await flushPromises();
    expect(second).toBe('a');
    q.done('a');
    expect(q.processing).toBe(0);
    expect(q.length).toBe(0);
  });

  test('a waiting get receives the next add', async () => {
    const { q } = setup();
    const p = q.get();
    q.add('x');
    await expect(p).resolves.toBe('x');
  });

  test('two workers get two different keys', async () => {
    const { q } = setup();
    const got = [q.get(), q.get()];
    q.add('a');
    q.add('a');
    q.add('b');
    expect(await Promise.all(got)).toEqual(['a', 'b']);
  });

  test('addAfter fires in due order with one timer, and an earlier add wins', async () => {
    const { q, clock } = setup();
    q.addAfter('late', 300);
    q.addAfter('early', 100);
    q.addAfter('mid', 200);
    q.addAfter('late', 500); // later than the pending 300: ignored
    q.addAfter('mid', 50); // earlier: replaces 200
    expect(clock.pending).toBe(1);
    expect(q.delayed).toBe(3);
    clock.advance(49);
    expect(q.length).toBe(0);
    clock.advance(1);
    expect(await q.get()).toBe('mid');
    clock.advance(50);
    expect(await q.get()).toBe('early');
    clock.advance(199);
    expect(q.length).toBe(0);
    clock.advance(1);
    expect(await q.get()).toBe('late');
    clock.advance(1000);
    expect(q.length).toBe(0); // the stale 200 ms and 500 ms entries fire nothing
    expect(clock.pending).toBe(0);
  });

  test('addAfter with 0 or less adds at once', () => {
    const { q } = setup();
    q.addAfter('a', 0);
    q.addAfter('b', -5);
    expect(q.length).toBe(2);
  });

  test('per-key backoff doubles from 5 ms to a 60 s cap; forget resets it', async () => {
    const { q, clock } = setup();
    const delays: number[] = [];
    for (let i = 0; i < 16; i++) {
      q.addRateLimited('k');
      let waited = 0;
      while (q.length === 0 && waited < 100_000) {
        clock.advance(1);
        waited++;
      }
      delays.push(waited);
      expect(await q.get()).toBe('k');
      q.done('k');
    }
    expect(delays.slice(0, 5)).toEqual([5, 10, 20, 40, 80]);
    expect(Math.max(...delays)).toBe(60_000);
    expect(q.numRequeues('k')).toBe(16);
    q.forget('k');
    expect(q.numRequeues('k')).toBe(0);
    q.addRateLimited('k');
    clock.advance(5);
    expect(q.length).toBe(1);
  });

  test('the overall token bucket spaces retries of many keys once the burst is spent', () => {
    const { q, clock } = setup({ qps: 10, burst: 2 });
    for (const k of ['a', 'b', 'c', 'd']) q.addRateLimited(k);
    clock.advance(5); // a and b: within the burst, their own 5 ms
    expect(q.length).toBe(2);
    clock.advance(95); // c: 100 ms after the burst
    expect(q.length).toBe(3);
    clock.advance(99);
    expect(q.length).toBe(3);
    clock.advance(1); // d: 200 ms
    expect(q.length).toBe(4);
  });

  test('shutDown wakes waiting workers, drops pending keys and timers, ignores later adds', async () => {
    const { q, clock } = setup();
    q.add('a');
    expect(await q.get()).toBe('a');
    const waiting = q.get();
    q.addAfter('b', 1000);
    q.add('c');
    await flushPromises();
    // c went straight to the waiting worker
    await expect(waiting).resolves.toBe('c');
    const waiting2 = q.get();
    q.shutDown();
    await expect(waiting2).resolves.toBeUndefined();
    expect(clock.pending).toBe(0);
    q.add('d');
    q.addRateLimited('e');
    expect(q.length).toBe(0);
    expect(await q.get()).toBeUndefined();
    q.done('a'); // finishing in-flight work after shutdown is fine
    expect(q.processing).toBe(1);
    expect(q.shuttingDown).toBe(true);
  });
});
