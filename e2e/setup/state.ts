/**
 * What global setup shares with global teardown and the log reporter (same Jest main process).
 * Test workers see only the JSON file named by $OCMADM_E2E_CLUSTERS (read it via
 * e2e/support/clusters.ts).
 */
import type { LocalCluster } from '../../src/sandbox/cluster.js';
import type { RunScope } from './run-scope.js';

export interface E2EState {
  clusters: LocalCluster[];
  /** e2e/.logs/run-<timestamp>: component logs per cluster and clusters.json. */
  runDir: string;
  /** What belongs to this run (its temporary root, node slots, the host before), checked for leftovers at the end. */
  scope?: RunScope;
  /** Set by the log reporter: true when every test passed, false when any failed. */
  passed?: boolean;
}

const KEY = '__ocmadmE2E';

export function getState(): E2EState | undefined {
  return (globalThis as Record<string, unknown>)[KEY] as E2EState | undefined;
}

export function setState(state: E2EState | undefined): void {
  (globalThis as Record<string, unknown>)[KEY] = state;
}
