import type { KubeObject } from '../../kube/client.js';
import { KubeApiError } from '../../kube/errors.js';
import { Controller } from './controller.js';
import { createLogger } from './log.js';
import { ManualClock, flushPromises } from './manual-clock.js';
import { TerminalError, type Informer, type InformerEvent } from './types.js';

/** An in-memory event source standing in for an informer (controller logic only). */
class Source implements Informer {
  private handlers: ((e: InformerEvent, o: KubeObject, old?: KubeObject) => void)[] = [];
  synced = true;
  start = async () => undefined;
  stop = () => undefined;
  get = () => undefined;
  list = () => [];
  on(h: (e: InformerEvent, o: KubeObject, old?: KubeObject) => void) {
    this.handlers.push(h);
  }
  emit(e: InformerEvent, o: KubeObject, old?: KubeObject) {
    for (const h of this.handlers) h(e, o, old);
  }
}

const obj = (name: string, ns = 'c1'): KubeObject => ({ metadata: { name, namespace: ns } });

function setup(reconcile: (key: string, signal: AbortSignal) => Promise<unknown>, workers = 1, before?: (c: Controller) => void) {
  const clock = new ManualClock();
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ component: 't', level: 'debug', stream: { write: (s: string) => lines.push(JSON.parse(s)) } });
  const calls: string[] = [];
  const ctrl = new Controller(
    {
      reconciler: {
        name: 'test',
        reconcile: async (key, signal) => {
          calls.push(key);
          return (await reconcile(key, signal)) as void;
        },
      },
      workers,
    },
    log,
    { clock },
  );
  before?.(ctrl);
  const abort = new AbortController();
  const done = ctrl.run(abort.signal);
  return { clock, ctrl, calls, lines, abort, done };
}

describe('controller', () => {
  test('maps events to keys and reconciles a burst of changes to one waiting key once', async () => {
    const src = new Source();
    const { calls, abort, done } = setup(
      async () => undefined,
      1,
      (ctrl) => {
        ctrl.watches(src, (o, _old, e) => (e === 'delete' ? [] : [`${o.metadata!.namespace}/${o.metadata!.name}`]));
        for (let i = 0; i < 10; i++) src.emit('update', obj('a'));
        src.emit('delete', obj('b'));
      },
    );
    await flushPromises();
    expect(calls).toEqual(['c1/a']);
    abort.abort();
    await done;
  });

  test('keys requested with a delay are reconciled when it is over, not before', async () => {
    const src = new Source();
    const { calls, clock, abort, done } = setup(
      async () => undefined,
      1,
      (ctrl) => ctrl.watches(src, (o) => [{ key: o.metadata!.name!, afterMs: 100 }]),
    );
    src.emit('update', obj('late'));
    src.emit('update', obj('soon'));
    await flushPromises();
    expect(calls).toEqual([]);
    await clock.advanceAsync(99);
    expect(calls).toEqual([]);
    await clock.advanceAsync(1);
    expect(calls.sort()).toEqual(['late', 'soon']);
    abort.abort();
    await done;
  });

  test('changes during a reconcile bring the key back exactly once afterwards', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { ctrl, calls, abort, done } = setup(async (k) => (k === 'a' && calls.length === 1 ? gate : undefined), 3);
    ctrl.enqueue('a');
    await flushPromises();
    ctrl.enqueue('a', 'a', 'a');
    await flushPromises();
    expect(calls).toEqual(['a']); // never twice at once, even with 3 workers
    release();
    await flushPromises();
    expect(calls).toEqual(['a', 'a']);
    abort.abort();
    await done;
  });

  test('a throw retries with growing backoff and logs the message once per failure', async () => {
    let fail = 3;
    const { ctrl, calls, clock, lines, abort, done } = setup(async () => {
      if (fail-- > 0) throw new Error('apiserver said no');
    });
    ctrl.enqueue('k');
    await flushPromises();
    expect(calls).toHaveLength(1);
    await clock.advanceAsync(4);
    expect(calls).toHaveLength(1);
    await clock.advanceAsync(1); // 5 ms
    expect(calls).toHaveLength(2);
    await clock.advanceAsync(10); // 10 ms
    expect(calls).toHaveLength(3);
    await clock.advanceAsync(20); // 20 ms, then success
    expect(calls).toHaveLength(4);
    const errors = lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatchObject({ msg: 'reconcile failed', controller: 'test', object: 'k', error: 'apiserver said no', retries: 1 });
    expect(JSON.stringify(errors)).not.toContain('at ');
    expect(ctrl.queue.numRequeues('k')).toBe(0); // forgotten after success
    abort.abort();
    await done;
  });

  test('a 409 conflict requeues quickly without growing the backoff', async () => {
    let conflicts = 2;
    const { ctrl, calls, clock, lines, abort, done } = setup(async () => {
      if (conflicts-- > 0) throw new KubeApiError('the object has been modified', 409, 'Conflict', 'PATCH', '/x');
    });
    ctrl.enqueue('k');
    await flushPromises();
    await clock.advanceAsync(50);
    expect(calls).toHaveLength(2);
    await clock.advanceAsync(99); // the second conflict in a row waits twice as long
    expect(calls).toHaveLength(2);
    await clock.advanceAsync(1);
    expect(calls).toHaveLength(3);
    expect(ctrl.queue.numRequeues('k')).toBe(0);
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(0);
    abort.abort();
    await done;
  });

  test('conflicts in a row are retried quietly for 1.55 s (a lagging watch), then fall back to backoff', async () => {
    const { ctrl, calls, clock, lines, abort, done } = setup(async () => {
      throw new KubeApiError('the object has been modified', 409, 'Conflict', 'PATCH', '/x');
    });
    ctrl.enqueue('k');
    await flushPromises();
    for (const ms of [50, 100, 200, 400, 800]) await clock.advanceAsync(ms);
    expect(calls).toHaveLength(6);
    const errors = lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ msg: 'reconcile failed', object: 'k', retries: 1 });
    abort.abort();
    await done;
  });

  test('a change of the object restarts the quick conflict retries: conflicts racing a burst of edits are not failures', async () => {
    const src = new Source();
    let conflicts = 8;
    const { calls, clock, lines, abort, done } = setup(
      async () => {
        if (conflicts-- > 0) throw new KubeApiError('the object has been modified', 409, 'Conflict', 'PATCH', '/x');
      },
      1,
      (ctrl) => ctrl.watches(src, (o) => [`${o.metadata!.namespace}/${o.metadata!.name}`]),
    );
    // Eight writes in a row conflict, an edit arriving after every second one (the edits they raced).
    src.emit('add', obj('a'));
    await flushPromises();
    for (let i = 1; i < 8; i++) {
      if (i % 2 === 0) src.emit('update', obj('a'));
      await clock.advanceAsync(i % 2 === 0 ? 0 : 50);
      await clock.advanceAsync(100);
    }
    await clock.advanceAsync(800);
    expect(calls.length).toBeGreaterThanOrEqual(9);
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    abort.abort();
    await done;
  });

  test('requeueAfterMs reconciles the key again at that time', async () => {
    const { ctrl, calls, clock, abort, done } = setup(async () => ({ requeueAfterMs: 1000 }));
    ctrl.enqueue('k');
    await flushPromises();
    await clock.advanceAsync(999);
    expect(calls).toHaveLength(1);
    await clock.advanceAsync(1);
    expect(calls).toHaveLength(2);
    abort.abort();
    await done;
    expect(clock.pending).toBe(0);
  });

  test('stop waits for the reconcile in flight and hands out nothing new', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { ctrl, calls, abort, done } = setup(async (k) => (k === 'slow' ? gate : undefined));
    ctrl.enqueue('slow', 'next');
    await flushPromises();
    abort.abort();
    let finished = false;
    void done.then(() => (finished = true));
    await flushPromises();
    expect(finished).toBe(false);
    expect(ctrl.inFlight).toBe(1);
    release();
    await done;
    expect(calls).toEqual(['slow']);
    ctrl.enqueue('late');
    expect(ctrl.queue.length).toBe(0);
  });

  test('a TerminalError is logged once and not retried; the next change reconciles the key again', async () => {
    let terminal = true;
    const { ctrl, calls, clock, lines, abort, done } = setup(async () => {
      if (terminal) throw new TerminalError('spec.x is invalid');
    });
    ctrl.enqueue('k');
    await flushPromises();
    await clock.advanceAsync(60_000);
    expect(calls).toEqual(['k']);
    expect(clock.pending).toBe(0);
    expect(ctrl.queue.numRequeues('k')).toBe(0);
    const errors = lines.filter((l) => l.level === 'error');
    expect(errors).toEqual([expect.objectContaining({ msg: 'reconcile failed, not retried', object: 'k', error: 'spec.x is invalid' })]);
    terminal = false;
    ctrl.enqueue('k');
    await flushPromises();
    expect(calls).toEqual(['k', 'k']);
    abort.abort();
    await done;
  });

  test('stop aborts the signal a reconcile got; what it throws then is no failure and not retried', async () => {
    let seen: AbortSignal | undefined;
    const { ctrl, lines, abort, done } = setup(
      (_k, signal) =>
        new Promise((_resolve, reject) => {
          seen = signal;
          signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
        }),
    );
    ctrl.enqueue('k');
    await flushPromises();
    expect(seen?.aborted).toBe(false);
    abort.abort();
    await done;
    expect(seen?.aborted).toBe(true);
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(ctrl.queue.length).toBe(0);
  });
});
