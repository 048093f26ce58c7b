// Jest reporter (plain ESM JavaScript: Jest loads reporters untransformed). After an e2e run
// it tells global teardown whether every test passed and, on any failure, prints where the
// control-plane component logs are, with their last error lines.
import fs from 'node:fs';
import path from 'node:path';

const KEY = '__ocmadmE2E';

function errorLines(file, max) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  // klog error lines start with E<mmdd>; etcd logs JSON with "level":"error".
  return text
    .split('\n')
    .filter((l) => /^E\d{4} /.test(l) || l.includes('"level":"error"'))
    .slice(-max);
}

export default class LogReporter {
  onRunComplete(_contexts, results) {
    const state = globalThis[KEY];
    if (!state) return;
    const failed = results.numFailedTests > 0 || results.numRuntimeErrorTestSuites > 0 || results.numFailedTestSuites > 0;
    state.passed = !failed;
    if (!failed) return;
    const out = [`\ne2e: a test failed; control-plane component logs are in ${state.runDir}`];
    for (const c of state.clusters) {
      for (const f of ['etcd.log', 'kube-apiserver.log', 'kube-controller-manager.log']) {
        const file = path.join(c.logDir, f);
        if (!fs.existsSync(file)) continue;
        const errors = errorLines(file, 5);
        out.push(`  ${file}${errors.length ? `, last error lines:` : ''}`);
        for (const e of errors) out.push(`    ${e.length > 300 ? e.slice(0, 300) + '...' : e}`);
      }
    }
    process.stderr.write(out.join('\n') + '\n');
  }
}
