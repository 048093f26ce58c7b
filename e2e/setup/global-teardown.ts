/**
 * Jest global teardown for the e2e project: stops the shared control planes, then checks that
 * nothing of the run is left on the machine (processes, mounts, network namespaces, veths, node
 * slots, cgroups, host iptables chains and rules: src/sandbox/node/leftovers.ts) and fails the run
 * with one line per leftover when something is. Removes the run's component logs unless a test
 * failed, the reporter did not report, or OCMADM_KEEP_LOGS=1.
 */
import './ts-resolve.cjs';
import fs from 'node:fs';
import { stopAllClusters } from '../../src/sandbox/cluster.js';
import { closeRunScope } from './run-scope.js';
import { getState, setState } from './state.js';

export default async function globalTeardown(): Promise<void> {
  const state = getState();
  await stopAllClusters();
  if (!state) return;
  setState(undefined);
  const left = state.scope ? await closeRunScope(state.scope) : [];
  for (const l of left) process.stderr.write(`e2e: left after the run: ${l}\n`);
  if (state.passed === true && left.length === 0 && process.env.OCMADM_KEEP_LOGS !== '1') {
    fs.rmSync(state.runDir, { recursive: true, force: true });
  } else {
    process.stderr.write(`e2e: component logs kept in ${state.runDir}\n`);
  }
  if (left.length > 0) {
    // Jest keeps a set exit code when every test passed; a throw here would add its own stack trace.
    process.stderr.write(`e2e: FAILED: ${left.length} leftovers of this run on the machine (listed above)\n`);
    process.exitCode = 1;
  }
}
