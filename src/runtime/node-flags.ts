/**
 * V8 flags for every runtime process, local or in the image. A controller allocates in bursts (a
 * relist, a wave of status updates); V8 then grows the young generation to its maximum and keeps
 * it: at 500 simulated clusters the hub controller's new space held 128 MiB (50 MiB live) beside
 * 64 MiB of old space. Capping a semi-space at 8 MiB costs more scavenges, which are cheap for a
 * controller's short-lived request and event objects.
 */
export const RUNTIME_NODE_FLAGS = ['--max-semi-space-size=8'] as const;
