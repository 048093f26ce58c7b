/** Recorded processes: a reused pid is never taken for ours, and stopRecorded ends a whole group. */
import { spawn } from 'node:child_process';
import { isRunning, startTicks, stopRecorded, type ProcessRecord } from './detached.js';

const self = (): ProcessRecord => ({ component: 'self', pid: process.pid, startTicks: startTicks(process.pid), logFile: '' });

test('this process is running; with another start time (a reused pid) it is not', () => {
  expect(startTicks(process.pid)).toEqual(expect.any(Number));
  expect(isRunning(self())).toBe(true);
  expect(isRunning({ ...self(), startTicks: self().startTicks! + 1 })).toBe(false);
});

test('stopRecorded: SIGTERM ends a detached process group (leader and child); a second call finds nothing running', async () => {
  // A shell that starts a child and waits: both are in the group the shell leads.
  const child = spawn('sh', ['-c', 'sleep 300 & wait'], { detached: true, stdio: 'ignore' });
  const rec: ProcessRecord = { component: 'sh', pid: child.pid!, startTicks: startTicks(child.pid!), logFile: '' };
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const first = await stopRecorded([rec], 5_000);
  expect(first.stopped.map((r) => r.pid)).toEqual([child.pid]);
  expect(first.survivors).toEqual([]);
  await exited;
  // No member of the group is left (the orphaned sleep may take a moment to be reaped).
  const groupGone = () => {
    try {
      process.kill(-child.pid!, 0);
      return false;
    } catch {
      return true;
    }
  };
  const deadline = Date.now() + 5_000;
  while (!groupGone() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(groupGone()).toBe(true);
  expect((await stopRecorded([rec], 1_000)).stopped).toEqual([]);
});
