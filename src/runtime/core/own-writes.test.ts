import type { KubeObject } from '../../kube/client.js';
import { OwnWrites } from './own-writes.js';
import type { Informer, InformerEvent } from './types.js';

/** A cache whose contents and events the test sets by hand. */
class Cache implements Informer {
  readonly items = new Map<string, KubeObject>();
  private handlers: ((e: InformerEvent, o: KubeObject) => void)[] = [];
  synced = true;
  start = async () => undefined;
  stop = () => undefined;
  list = () => [...this.items.values()];
  get = (key: string) => this.items.get(key);
  on(h: (e: InformerEvent, o: KubeObject) => void) {
    this.handlers.push(h);
  }
  /** What a watch event does: the cache changes, then the handlers run. */
  deliver(e: InformerEvent, o: KubeObject) {
    if (e === 'delete') this.items.delete('c1/w');
    else this.items.set('c1/w', o);
    for (const h of this.handlers) h(e, o);
  }
}

const at = (rv: string, extra: Record<string, unknown> = {}): KubeObject => ({ metadata: { name: 'w', namespace: 'c1', resourceVersion: rv }, ...extra });

describe('OwnWrites', () => {
  test('returns our writes while the cache lags, then the cache once the watch caught up', () => {
    const cache = new Cache();
    const writes = new OwnWrites(cache);
    cache.deliver('add', at('1'));
    writes.wrote(at('1'), at('2', { step: 'finalizer' }));
    writes.wrote(at('2'), at('3', { step: 'status' }));
    expect(writes.get('c1/w')).toEqual(at('3', { step: 'status' }));
    cache.deliver('update', at('2', { step: 'finalizer' })); // the first write comes back: still behind
    expect(writes.get('c1/w')).toEqual(at('3', { step: 'status' }));
    cache.deliver('update', at('3', { step: 'status' }));
    expect(writes.size).toBe(0);
    expect(writes.get('c1/w')).toBe(cache.get('c1/w'));
    // Our last write stays recognisable after the cache caught up; anyone else's later one does not.
    expect([writes.isOwnWrite(at('3')), writes.isOwnWrite(at('2')), writes.isOwnWrite(at('4'))]).toEqual([true, false, false]);
  });

  test('a version the chain never replaced is newer: the cache wins', () => {
    const cache = new Cache();
    const writes = new OwnWrites(cache);
    cache.deliver('add', at('1'));
    writes.wrote(at('1'), at('2'));
    cache.items.set('c1/w', at('7', { by: 'someone else' })); // cache updated before its handlers ran
    expect(writes.get('c1/w')).toEqual(at('7', { by: 'someone else' }));
    expect(writes.size).toBe(0);
  });

  test('a create is shown until the watch brings the object', () => {
    const cache = new Cache();
    const writes = new OwnWrites(cache);
    writes.wrote(undefined, at('5'));
    expect(writes.get('c1/w')).toEqual(at('5'));
    cache.deliver('add', at('5'));
    expect(writes.size).toBe(0);
  });

  test('a delete drops what was recorded; an unchanged answer records nothing', () => {
    const cache = new Cache();
    const writes = new OwnWrites(cache);
    cache.deliver('add', at('1'));
    writes.wrote(at('1'), at('1'));
    expect(writes.size).toBe(0);
    writes.wrote(at('1'), at('2'));
    cache.deliver('delete', at('1'));
    expect(writes.size).toBe(0);
    expect(writes.get('c1/w')).toBeUndefined();
  });
});
