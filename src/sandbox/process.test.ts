/** A component killed as a crash (fault tests) is gone at once, with its whole group. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startComponent } from './process.js';

test('kill(): SIGKILL ends the component and what it started; the exit is observed', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocmadm-process-test-'));
  try {
    // A shell that ignores SIGTERM (as a busy server might) and has a child: only SIGKILL ends it.
    const c = startComponent('stubborn', 'sh', ['-c', 'trap "" TERM; sleep 300 & wait'], path.join(dir, 'stubborn.log'));
    expect(c.exited).toBeUndefined();
    await c.kill();
    expect(c.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(fs.readFileSync(path.join(dir, 'stubborn.log'), 'utf8')).toMatch(/^# .* sh -c /);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
