/** Completion scripts come from commander's tree: every command and flag, valid bash that completes. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { createProgram, runCli } from '../../cli/program.js';
import type { Io } from '../../cli/context.js';
import { completionScript } from './command.js';
import { commandTree, flagNames } from './tree.js';
import { tempDir } from '../../../test/temp-dirs.js';

function io(): Io & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  return { stdout, stderr, stdin: Readable.from([]), env: {}, out: () => out, err: () => err };
}

const program = await createProgram(io(), { exitCode: 0 });
const tree = commandTree(program);
const scripts = { bash: completionScript(program, 'bash'), zsh: completionScript(program, 'zsh'), fish: completionScript(program, 'fish') };

describe('the command tree', () => {
  test('holds nested commands, read from commander', () => {
    const paths = tree.map((c) => c.path.join(' '));
    for (const p of ['', 'init', 'join', 'accept', 'get', 'get token', 'delete token', 'runtime stop', 'sandbox up', 'sandbox down', 'sandbox status', 'completion', 'version']) expect(paths).toContain(p);
    expect(tree.find((c) => c.path.join(' ') === 'completion')!.argChoices).toEqual(['bash', 'zsh', 'fish']);
  });

  test('a flag spelling takes a value everywhere or nowhere (the scripts skip values by name)', () => {
    const takes = new Map<string, Set<boolean>>();
    for (const c of tree) for (const f of c.flags) for (const n of flagNames(f)) takes.set(n, (takes.get(n) ?? new Set()).add(f.takesValue));
    expect([...takes].filter(([, v]) => v.size > 1).map(([n]) => n)).toEqual([]);
  });
});

describe.each(Object.keys(scripts) as (keyof typeof scripts)[])('%s script', (shell) => {
  const script = scripts[shell];
  test('names every command and subcommand', () => {
    const word = (w: string) => new RegExp(`(^|[\\s'])${w}([\\s':]|$)`, 'm');
    const missing = tree.flatMap((c) => c.subcommands.filter((s) => !word(s.name).test(script)).map((s) => `${c.path.join(' ')} ${s.name}`));
    expect(missing).toEqual([]);
    expect(tree.flatMap((c) => c.subcommands).length).toBeGreaterThan(12);
  });
  test('names every flag of every command', () => {
    const missing = tree.flatMap((c) => c.flags.filter((f) => f.long && !script.includes(shell === 'fish' ? `-l ${f.long.slice(2)} ` : f.long)).map((f) => `${c.path.join(' ')} ${f.long}`));
    expect(missing).toEqual([]);
  });
});

describe('bash', () => {
  test('bash -n accepts the script', () => {
    const r = spawnSync('bash', ['-n'], { input: scripts.bash, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  /** What the script offers for `words` (the last one is being completed), run in a real bash. */
  function complete(words: string[], cwd = os.tmpdir()): string[] {
    const file = path.join(tempDir('compl'), 'ocmadm.bash');
    fs.writeFileSync(file, scripts.bash);
    const q = (w: string) => `'${w.replace(/'/g, `'\\''`)}'`;
    const cmd = `source ${q(file)}; COMP_WORDS=(${words.map(q).join(' ')}); COMP_CWORD=${words.length - 1}; _ocmadm; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = spawnSync('bash', ['-c', cmd], { encoding: 'utf8', cwd });
    expect(r.stderr).toBe('');
    return r.stdout.split('\n').filter(Boolean);
  }

  test('top level: every command', () => {
    expect(complete(['ocmadm', ''])).toEqual(tree[0]!.subcommands.map((s) => s.name));
  });

  test('nested: get → token; sandbox u → up, also after a global flag and its value', () => {
    expect(complete(['ocmadm', 'get', ''])).toEqual(['clusters', 'clustersets', 'works', 'placements', 'addons', 'hub-info', 'klusterlet-info', 'token']);
    expect(complete(['ocmadm', 'get', 't'])).toEqual(['token']);
    expect(complete(['ocmadm', '--kubeconfig', 'k', '--context', 'c', 'sandbox', 'u'])).toEqual(['up']);
  });

  test('flags: the command\'s own plus the global ones', () => {
    const flags = complete(['ocmadm', 'sandbox', 'up', '--']);
    expect(flags).toEqual(expect.arrayContaining(['--name', '--spokes', '--bare', '--output', '--kubeconfig', '--context', '--timeout']));
    expect(flags).not.toContain('--hub-token');
  });

  test('values: choices of an argument, file names for --kubeconfig', () => {
    expect(complete(['ocmadm', 'completion', ''])).toEqual(['bash', 'zsh', 'fish']);
    const dir = tempDir('compl-files');
    fs.writeFileSync(path.join(dir, 'hub.kubeconfig'), '');
    expect(complete(['ocmadm', 'init', '--kubeconfig', 'hub.k'], dir)).toEqual(['hub.kubeconfig']);
  });
});

test('an unknown shell is a usage error (exit 2) naming the choices', async () => {
  const s = io();
  expect(await runCli(['completion', 'tcsh'], s)).toBe(2);
  expect(s.err()).toMatch(/bash, zsh, fish/);
  expect(s.out()).toBe('');
});
