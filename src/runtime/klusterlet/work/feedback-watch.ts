/**
 * `feedbackScrapeType: Watch`, as OCM's work agent does it (objectreader RegisterInformer): one
 * watch of the spoke per resource type and namespace, shared by every work that asks for it; a
 * change of a watched resource queues the works that hold it, so their status and feedback are
 * written at once instead of at the next status sync (which still runs). A watch with no work
 * left on it stops. At most `max` watches (OCM's --max-feedback-watch, default 50): past that a
 * manifest falls back to Poll, with a log line, as OCM does.
 */
import type { KubeClient, KubeObject } from '../../../kube/client.js';
import { createInformer, type InformerOptions } from '../../core/informer.js';
import type { Informer, Logger } from '../../core/types.js';

export interface WatchedResource {
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name: string;
}

interface Watch {
  informer: Informer;
  /** work name → resource names in this type/namespace it watches. */
  works: Map<string, Set<string>>;
}

export const MAX_FEEDBACK_WATCHES = 50;

export class FeedbackWatches {
  private readonly watches = new Map<string, Watch>();

  constructor(
    private readonly spoke: KubeClient,
    private readonly enqueue: (work: string) => void,
    private readonly log: Logger,
    private readonly max = MAX_FEEDBACK_WATCHES,
    private readonly informerOpts?: InformerOptions,
  ) {}

  /** How many watches run now. */
  get size(): number {
    return this.watches.size;
  }

  /**
   * Makes `work`'s watched resources exactly `resources` (idempotent, called on every status
   * pass): new ones are registered, ones no longer asked for are dropped, idle watches stop.
   */
  sync(work: string, resources: readonly WatchedResource[]): void {
    const wanted = new Map<string, { r: WatchedResource; names: Set<string> }>();
    for (const r of resources) {
      const key = watchKey(r);
      const entry = wanted.get(key) ?? { r, names: new Set<string>() };
      entry.names.add(r.name);
      wanted.set(key, entry);
    }
    for (const [key, w] of this.watches) if (!wanted.has(key)) this.drop(key, w, work);
    for (const [key, { r, names }] of wanted) {
      let w = this.watches.get(key);
      if (!w) {
        if (this.watches.size >= this.max) {
          this.log.info('feedback watch limit reached, polling instead', { work, watch: key, max: this.max });
          continue;
        }
        w = this.start(key, r);
      }
      w.works.set(work, names);
    }
  }

  stop(): void {
    for (const w of this.watches.values()) w.informer.stop();
    this.watches.clear();
  }

  private start(key: string, r: WatchedResource): Watch {
    const informer = createInformer(this.spoke, { ref: { group: r.group, version: r.version, resource: r.resource, namespace: r.namespace } }, this.log.child({ informer: `feedback ${key}` }), this.informerOpts);
    const w: Watch = { informer, works: new Map() };
    informer.on((_event, obj: KubeObject) => {
      const name = obj.metadata?.name ?? '';
      for (const [work, names] of w.works) if (names.has(name)) this.enqueue(work);
    });
    // A failing list (no watch permission) keeps retrying in the informer; the status sync still polls.
    informer.start().catch(() => undefined);
    this.watches.set(key, w);
    this.log.info('feedback watch started', { watch: key });
    return w;
  }

  private drop(key: string, w: Watch, work: string): void {
    if (!w.works.delete(work) || w.works.size) return;
    w.informer.stop();
    this.watches.delete(key);
    this.log.info('feedback watch stopped', { watch: key });
  }
}

const watchKey = (r: WatchedResource) => `${r.group}/${r.version}/${r.resource}/${r.namespace ?? ''}`;
