import type { RuntimeKind } from './host/state.js';

/**
 * V8 flags for each runtime's process, local or in the image. A controller allocates in bursts (a
 * relist, a wave of status updates); V8 then grows the young generation to its maximum and keeps
 * it: at 500 simulated clusters the hub controller's new space held 128 MiB (50 MiB live) beside
 * 64 MiB of old space. A capped semi-space costs more scavenges, which are cheap for a controller's
 * short-lived request and event objects. The klusterlet's bursts are one cluster's works: 2 MiB
 * semi-spaces hold them, and take about 5 MiB off its idle RSS against 8 MiB ones.
 * The hub's old space grows by a fixed factor of 2 after each full collection instead of V8's
 * dynamic one (up to 4 on a machine with this much memory): at 1,000 simulated clusters it holds
 * about 30 MiB live, and V8 let the heap reach 125 MiB before collecting (RSS 218 MiB); with 2 the
 * heap peaked at 59 MiB (RSS 159 MiB) for the same CPU time through the mass accept (16.2 against
 * 17.5 s). V8's memory-saver mode and --optimize-for-size held 110 MiB but took 70 % more CPU
 * through the accept, and --optimize-for-size five times the CPU at steady state.
 */
export const RUNTIME_NODE_FLAGS: Readonly<Record<RuntimeKind, readonly string[]>> = Object.freeze({
  'hub-controller': ['--max-semi-space-size=8', '--heap-growing-percent=100'],
  klusterlet: ['--max-semi-space-size=2'],
});
