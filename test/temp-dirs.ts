/**
 * Temporary directories for unit tests, each removed when its test ends: the unit suite runs on
 * every `npm test`, and directories left in the OS temp dir pile up by the hundred.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from '@jest/globals';

const made: string[] = [];

afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A new directory `ocmadm-<prefix>-XXXXXX` in the OS temp dir, gone after the current test. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ocmadm-${prefix}-`));
  made.push(dir);
  return dir;
}
