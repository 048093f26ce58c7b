/**
 * `npm ci` on a fresh clone: npm refuses a lock file that lacks an entry for any optional
 * dependency of a locked package (the other platforms' native binaries of @swc/core and
 * unrs-resolver), whatever platform installs it. Checked here without a registry.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface LockEntry {
  version?: string;
  optionalDependencies?: Record<string, string>;
}
const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };

/** Where npm would resolve `name` from the package at `at` (its own node_modules, then upwards). */
function resolves(at: string, name: string): boolean {
  for (let dir = at; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/node_modules/')))) {
    if (lock.packages[`${dir ? `${dir}/` : ''}node_modules/${name}`]) return true;
    if (!dir) return false;
  }
}

test('every optional dependency of every locked package has its own lock entry', () => {
  const missing = Object.entries(lock.packages).flatMap(([at, entry]) =>
    Object.keys(entry.optionalDependencies ?? {}).filter((name) => !resolves(at, name)).map((name) => `${name} (of ${at || 'the root'})`));
  expect(missing).toEqual([]);
});
