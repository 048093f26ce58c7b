/**
 * Prometheus metrics of a runtime process, served at /metrics by the health server: the work
 * queues and reconciles of every controller (client-go's `workqueue_*` and controller-runtime's
 * `controller_runtime_reconcile_*` names, label `name`/`controller`), and the process's memory,
 * CPU and event-loop utilization. Hand-written in the text exposition format 0.0.4: a few
 * counters and histograms do not justify a client library in both runtimes' start-up and idle
 * memory.
 * Controllers of the same name (a klusterlet restarting its agents) add up under one label.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/** Seconds; from a quick cache read to a key that waited behind a mass accept. */
const BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300];

export class Histogram {
  readonly counts = new Array<number>(BUCKETS.length).fill(0);
  count = 0;
  sum = 0;

  observe(seconds: number): void {
    this.count++;
    this.sum += seconds;
    const i = BUCKETS.findIndex((b) => seconds <= b);
    if (i >= 0) this.counts[i]!++;
  }
}

/** What the exposition needs of a live queue. */
export interface QueueGauge {
  readonly length: number;
  readonly processing: number;
}

export type ReconcileOutcome = 'success' | 'error' | 'requeue_after';

/** One controller name's counters; queues register while they run. */
export class ControllerMetrics {
  adds = 0;
  retries = 0;
  readonly reconciles: Record<ReconcileOutcome, number> = { success: 0, error: 0, requeue_after: 0 };
  readonly queueDuration = new Histogram();
  readonly workDuration = new Histogram();
  readonly queues = new Set<QueueGauge>();

  get depth(): number {
    let n = 0;
    for (const q of this.queues) n += q.length;
    return n;
  }

  get unfinished(): number {
    let n = 0;
    for (const q of this.queues) n += q.processing;
    return n;
  }
}

export class MetricsRegistry {
  private readonly controllers = new Map<string, ControllerMetrics>();
  private lastScrape: EventLoopUtilization | undefined;

  controller(name: string): ControllerMetrics {
    let m = this.controllers.get(name);
    if (!m) this.controllers.set(name, (m = new ControllerMetrics()));
    return m;
  }

  /** The exposition text. */
  render(): string {
    const out: string[] = [];
    const family = (name: string, type: string, help: string, samples: string[]) => {
      if (samples.length) out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples);
    };
    const rows = [...this.controllers].sort(([a], [b]) => a.localeCompare(b));
    const lbl = (k: string, v: string) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
    family('workqueue_depth', 'gauge', 'Current depth of the work queue.', rows.map(([n, m]) => `workqueue_depth{${lbl('name', n)}} ${m.depth}`));
    family('workqueue_adds_total', 'counter', 'Keys added to the work queue.', rows.map(([n, m]) => `workqueue_adds_total{${lbl('name', n)}} ${m.adds}`));
    family('workqueue_retries_total', 'counter', 'Retries (backoff after a failure).', rows.map(([n, m]) => `workqueue_retries_total{${lbl('name', n)}} ${m.retries}`));
    family('workqueue_unfinished_work', 'gauge', 'Keys being reconciled now.', rows.map(([n, m]) => `workqueue_unfinished_work{${lbl('name', n)}} ${m.unfinished}`));
    const hist = (metric: string, help: string, pick: (m: ControllerMetrics) => Histogram) =>
      family(
        metric,
        'histogram',
        help,
        rows.flatMap(([n, m]) => {
          const h = pick(m);
          let cumulative = 0;
          const buckets = BUCKETS.map((b, i) => `${metric}_bucket{${lbl('name', n)},le="${b}"} ${(cumulative += h.counts[i]!)}`);
          return [...buckets, `${metric}_bucket{${lbl('name', n)},le="+Inf"} ${h.count}`, `${metric}_sum{${lbl('name', n)}} ${h.sum}`, `${metric}_count{${lbl('name', n)}} ${h.count}`];
        }),
      );
    hist('workqueue_queue_duration_seconds', 'How long a key waited in the queue before a worker took it.', (m) => m.queueDuration);
    hist('workqueue_work_duration_seconds', 'How long a reconcile took.', (m) => m.workDuration);
    family(
      'controller_runtime_reconcile_total',
      'counter',
      'Reconciles by result.',
      rows.flatMap(([n, m]) => (Object.keys(m.reconciles) as ReconcileOutcome[]).map((r) => `controller_runtime_reconcile_total{${lbl('controller', n)},${lbl('result', r)}} ${m.reconciles[r]}`)),
    );
    const mem = process.memoryUsage();
    const cpu = process.cpuUsage();
    family('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', [`process_resident_memory_bytes ${mem.rss}`]);
    family('process_cpu_seconds_total', 'counter', 'User and system CPU time spent in seconds.', [`process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`]);
    family('nodejs_heap_size_used_bytes', 'gauge', 'V8 heap in use, in bytes.', [`nodejs_heap_size_used_bytes ${mem.heapUsed}`]);
    // Utilization, not lag: libuv keeps the loop's idle time anyway, where a lag monitor is a timer
    // waking the loop 50 times a second (over a quarter of the hub's CPU at 1,000 clusters, README).
    // Since the last scrape; the first one covers the time since the start.
    const now = performance.eventLoopUtilization();
    const busy = this.lastScrape ? performance.eventLoopUtilization(now, this.lastScrape) : now;
    this.lastScrape = now;
    family('nodejs_eventloop_utilization', 'gauge', 'Share of the time the event loop was busy since the last scrape, 0 to 1.', [`nodejs_eventloop_utilization ${busy.utilization}`]);
    return `${out.join('\n')}\n`;
  }
}

/** The process's registry: every controller reports here unless given another (tests). */
export const processMetrics = new MetricsRegistry();
