// Jest reporter for .ci/run: when OCMADM_TEST_COUNTS names a file, appends one JSON line per
// Jest run with its passed/failed counts (a suite that failed to load counts as one failure),
// so the unit and e2e runs of `npm test` can be summed into the final "N passed, N failed".
import fs from 'node:fs';

export default class CountReporter {
  onRunComplete(_contexts, r) {
    const file = process.env.OCMADM_TEST_COUNTS;
    if (!file) return;
    const brokenSuites = r.testResults.filter((s) => s.testExecError || (s.failureMessage && s.numFailingTests === 0)).length;
    const line = { passed: r.numPassedTests, failed: r.numFailedTests + brokenSuites, pending: r.numPendingTests + r.numTodoTests, total: r.numTotalTests };
    fs.appendFileSync(file, JSON.stringify(line) + '\n');
  }
}
