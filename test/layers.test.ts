/**
 * The layers' import rule: the Kubernetes layer, the OCM API types and the runtimes know nothing
 * of the CLI (no flag advice in a pod's log, no commander in a runtime's start-up). Read from the
 * sources' import statements, static and dynamic.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src');
const LOWER = ['kube', 'api', 'runtime'];
const FORBIDDEN = ['cli', 'commands'].map((d) => path.join(SRC, d) + path.sep);

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

const SPECIFIER = /(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

test.each(LOWER)('nothing under src/%s imports src/cli or src/commands', (layer) => {
  const files = sources(path.join(SRC, layer));
  expect(files.length).toBeGreaterThan(0);
  const offending: string[] = [];
  for (const file of files) {
    for (const m of fs.readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const target = path.resolve(path.dirname(file), m[1]!);
      if (FORBIDDEN.some((f) => target.startsWith(f))) offending.push(`${path.relative(SRC, file)} -> ${m[1]}`);
    }
  }
  expect(offending).toEqual([]);
});

test('the rule sees a forbidden import when there is one', () => {
  const line = "import { CliError } from '../cli/errors.js';";
  const [m] = line.matchAll(SPECIFIER);
  expect(FORBIDDEN.some((f) => path.resolve(path.join(SRC, 'kube'), m![1]!).startsWith(f))).toBe(true);
});
