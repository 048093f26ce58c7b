/**
 * What the built CLI loads at start-up (scripts/build-cli.mjs): `--version` and a command's
 * `--help` load none of Node's TLS, terminal or child-process modules (chalk's own colour
 * detection and commander's child_process are left out of the bundle), and colour still follows
 * the terminal: on a TTY the progress line is coloured; NO_COLOR, --no-color or a pipe: no colour.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, runCli } from '../support/clusters.js';

let dir: string;
let preload: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocmadm-startup-'));
  // Prints, at exit, the Node built-in modules the process loaded (process.moduleLoadList).
  preload = path.join(dir, 'modules.cjs');
  fs.writeFileSync(preload, "process.on('exit', () => process.stderr.write('\\nMODULES ' + JSON.stringify(process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)))));\n");
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function builtinsLoadedBy(args: string[]): Promise<string[]> {
  const r = await runCli(args, { env: { NODE_OPTIONS: `--require ${preload}` } });
  expect(r.code).toBe(0);
  const line = r.stderr.split('\n').find((l) => l.startsWith('MODULES '));
  if (!line) throw new Error(`no module list in the output of ocmadm ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(line.slice('MODULES '.length)) as string[];
}

test.each([['--version'], ['get', '--help'], ['version', '--help']])('ocmadm %s loads neither TLS nor tty nor child_process', async (...args) => {
  const loaded = await builtinsLoadedBy(args);
  expect(loaded).toContain('fs'); // the list is real
  for (const m of ['tls', 'https', 'tty', 'child_process']) expect(loaded).not.toContain(m);
});

/** Runs the CLI on a pseudo-terminal (util-linux `script`), returning everything it wrote. */
function onTerminal(args: string[], env: Record<string, string> = {}): Promise<string> {
  const command = [process.execPath, path.join(ROOT, 'bin', 'ocmadm'), ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  return new Promise((resolve, reject) => {
    const environment: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm', ...env };
    if (!('NO_COLOR' in env)) delete environment.NO_COLOR;
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.once('error', reject);
    child.once('close', () => resolve(out));
  });
}

const COLOUR = /\x1b\[3\dm/;

test('on a terminal the progress line is coloured; NO_COLOR and --no-color turn colour off', async () => {
  // A sandbox that does not exist: the progress line starts, then the error (exit 1), no cluster needed.
  const args = ['sandbox', 'down', '--name', `missing-${process.pid}`];
  const coloured = await onTerminal(args);
  expect(coloured).toMatch(/no sandbox named/);
  expect(coloured).toMatch(COLOUR);
  expect(await onTerminal(args, { NO_COLOR: '1' })).not.toMatch(COLOUR);
  expect(await onTerminal(['--no-color', ...args])).not.toMatch(COLOUR);
  const piped = await runCli(args, { env: { NO_COLOR: undefined } });
  expect(piped.stderr).toMatch(/no sandbox named/);
  expect(piped.stderr).not.toMatch(COLOUR);
});
