import { Controller } from './controller.js';
import { nullLogger } from './log.js';
import { ManualClock, flushPromises } from './manual-clock.js';
import { MetricsRegistry } from './metrics.js';
import { createWorkQueue } from './queue.js';

/** The sample lines of one metric (name and labels as written). */
const sample = (text: string, line: string) => text.split('\n').find((l) => l.startsWith(`${line} `))?.slice(line.length + 1);

describe('metrics', () => {
  test('a queue counts adds once per waiting key, its depth, and how long keys waited', () => {
    const clock = new ManualClock();
    const reg = new MetricsRegistry();
    const q = createWorkQueue({ clock, metrics: reg.controller('lease') });
    q.add('a');
    q.add('a'); // already waiting: not an add
    q.add('b');
    let text = reg.render();
    expect(sample(text, 'workqueue_adds_total{name="lease"}')).toBe('2');
    expect(sample(text, 'workqueue_depth{name="lease"}')).toBe('2');
    clock.advance(2_000);
    void q.get();
    text = reg.render();
    expect(sample(text, 'workqueue_depth{name="lease"}')).toBe('1');
    expect(sample(text, 'workqueue_unfinished_work{name="lease"}')).toBe('1');
    expect(sample(text, 'workqueue_queue_duration_seconds_bucket{name="lease",le="1"}')).toBe('0');
    expect(sample(text, 'workqueue_queue_duration_seconds_bucket{name="lease",le="5"}')).toBe('1');
    expect(sample(text, 'workqueue_queue_duration_seconds_bucket{name="lease",le="+Inf"}')).toBe('1');
    expect(sample(text, 'workqueue_queue_duration_seconds_sum{name="lease"}')).toBe('2');
    q.shutDown();
    expect(sample(reg.render(), 'workqueue_depth{name="lease"}')).toBe('0');
  });

  test('reconciles count by result, and retries after a failure', async () => {
    const clock = new ManualClock();
    const reg = new MetricsRegistry();
    let outcome: 'ok' | 'later' | 'fail' = 'fail';
    const ctrl = new Controller(
      {
        reconciler: {
          name: 'taints',
          reconcile: async () => {
            if (outcome === 'fail') throw new Error('no');
            return outcome === 'later' ? { requeueAfterMs: 1_000 } : undefined;
          },
        },
      },
      nullLogger,
      { clock, metrics: reg },
    );
    const abort = new AbortController();
    const done = ctrl.run(abort.signal);
    ctrl.enqueue('c1');
    await flushPromises();
    outcome = 'later';
    await clock.advanceAsync(5); // the first retry's backoff
    outcome = 'ok';
    ctrl.enqueue('c2');
    await flushPromises();
    const text = reg.render();
    expect(sample(text, 'controller_runtime_reconcile_total{controller="taints",result="error"}')).toBe('1');
    expect(sample(text, 'controller_runtime_reconcile_total{controller="taints",result="requeue_after"}')).toBe('1');
    expect(sample(text, 'controller_runtime_reconcile_total{controller="taints",result="success"}')).toBe('1');
    expect(sample(text, 'workqueue_retries_total{name="taints"}')).toBe('1');
    expect(sample(text, 'workqueue_work_duration_seconds_count{name="taints"}')).toBe('3');
    abort.abort();
    await done;
  });

  test('the exposition has HELP and TYPE per family, process figures, and escapes label values', () => {
    const reg = new MetricsRegistry();
    reg.controller('a"b\\c').adds = 3;
    const text = reg.render();
    expect(text).toContain('# TYPE workqueue_adds_total counter\n');
    expect(sample(text, 'workqueue_adds_total{name="a\\"b\\\\c"}')).toBe('3');
    expect(Number(sample(text, 'process_resident_memory_bytes'))).toBeGreaterThan(0);
    expect(Number(sample(text, 'process_cpu_seconds_total'))).toBeGreaterThan(0);
    const first = Number(sample(text, 'nodejs_eventloop_utilization'));
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(1);
    // The next scrape covers only the time since this one: here a loop kept busy throughout.
    const until = performance.now() + 30;
    while (performance.now() < until);
    expect(Number(sample(reg.render(), 'nodejs_eventloop_utilization'))).toBeGreaterThan(0.9);
    expect(text.endsWith('\n')).toBe(true);
  });
});
