/**
 * One informer per watch target for the whole process: every controller asking for the same
 * collection (same resource, namespace and selectors) shares one list and one watch.
 */
import type { KubeClient, KubeObject } from '../../kube/client.js';
import { createInformer, type InformerOptions, type ListWatchInformer } from './informer.js';
import type { Logger, WatchTarget } from './types.js';

/** The identity of a target: equal targets give the same key whatever their field order. */
export function targetKey(t: WatchTarget): string {
  const r = t.ref;
  return [r.group, r.version, r.resource, r.namespace ?? '', t.labelSelector ?? '', t.fieldSelector ?? '', t.keepManagedFields ? 'mf' : ''].join('|');
}

export class SharedInformers {
  private readonly informers = new Map<string, ListWatchInformer>();
  private running = false;

  constructor(
    private readonly client: KubeClient,
    private readonly log: Logger,
    private readonly opts: InformerOptions = {},
  ) {}

  /** The informer of `target`, created on first use; after `startAll` new ones start at once. */
  get<T extends KubeObject = KubeObject>(target: WatchTarget): ListWatchInformer<T> {
    const key = targetKey(target);
    let inf = this.informers.get(key);
    if (!inf) {
      const resource = [target.ref.group || 'core', target.ref.version, target.ref.resource].join('/');
      inf = createInformer(this.client, target, this.log.child({ informer: resource }), this.opts);
      this.informers.set(key, inf);
      // A caller that starts late awaits inf.start() itself; failures surface there.
      if (this.running) inf.start().catch(() => undefined);
    }
    return inf as unknown as ListWatchInformer<T>;
  }

  /** Starts every informer; resolves when all have completed their first list. */
  async startAll(): Promise<void> {
    this.running = true;
    await Promise.all([...this.informers.values()].map((i) => i.start()));
  }

  get synced(): boolean {
    return [...this.informers.values()].every((i) => i.synced);
  }

  get size(): number {
    return this.informers.size;
  }

  stopAll(): void {
    this.running = false;
    for (const i of this.informers.values()) i.stop();
  }
}
