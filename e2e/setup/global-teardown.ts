/**
 * Jest global teardown for the e2e project: stops the shared control planes (no process and no
 * temporary directory survives) and removes the run's component logs unless a test failed, the
 * reporter did not report, or OCMADM_KEEP_LOGS=1.
 */
import './ts-resolve.cjs';
import fs from 'node:fs';
import { stopAllClusters } from '../../src/sandbox/cluster.js';
import { getState, setState } from './state.js';

export default async function globalTeardown(): Promise<void> {
  const state = getState();
  await stopAllClusters();
  if (!state) return;
  setState(undefined);
  if (state.passed === true && process.env.OCMADM_KEEP_LOGS !== '1') {
    fs.rmSync(state.runDir, { recursive: true, force: true });
  } else {
    process.stderr.write(`e2e: component logs kept in ${state.runDir}\n`);
  }
}
