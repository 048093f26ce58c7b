import type { Command } from 'commander';
import type { App } from '../cli/app.js';

export type Register = (program: Command, app: App) => void;

/**
 * Every top-level command, in the order `--help` lists them, loaded on demand: a run loads only
 * the command it names (start-up time), `--help` and `completion` load them all.
 */
export const COMMANDS: ReadonlyArray<{ name: string; load: () => Promise<Register> }> = [
  { name: 'init', load: async () => (await import('./init/command.js')).register },
  { name: 'join', load: async () => (await import('./join/command.js')).register },
  { name: 'accept', load: async () => (await import('./accept/command.js')).register },
  { name: 'upgrade', load: async () => (await import('./upgrade/command.js')).register },
  { name: 'unjoin', load: async () => (await import('./unjoin/command.js')).register },
  { name: 'deploy', load: async () => (await import('./deploy/command.js')).register },
  { name: 'addon', load: async () => (await import('./addon/command.js')).register },
  { name: 'create', load: async () => (await import('./create/command.js')).register },
  { name: 'get', load: async () => (await import('./get/command.js')).register },
  { name: 'clusterset', load: async () => (await import('./clusterset/command.js')).register },
  { name: 'delete', load: async () => (await import('./delete/command.js')).register },
  { name: 'clean', load: async () => (await import('./clean/command.js')).register },
  { name: 'runtime', load: async () => (await import('./runtime/command.js')).register },
  { name: 'sandbox', load: async () => (await import('./sandbox/command.js')).register },
  { name: 'completion', load: async () => (await import('./completion/command.js')).register },
  { name: 'version', load: async () => (await import('./version/command.js')).register },
];

/** Global flags that take a separate value (`--context hub`), to find the command word after them. */
const VALUE_FLAGS = new Set(['--kubeconfig', '--context', '--timeout']);

/**
 * The commands a command line needs: the one it names, none for a bare `--version`, all for
 * anything else (help, completion, an unknown word, so commander can list or suggest them).
 */
export async function commandsFor(argv: readonly string[] | undefined): Promise<Register[]> {
  const word = argv && firstWord(argv);
  let wanted = COMMANDS;
  if (word && word !== 'completion') wanted = COMMANDS.filter((c) => c.name === word);
  else if (argv && word === undefined && argv.includes('--version')) wanted = [];
  if (!wanted.length && word) wanted = COMMANDS;
  return Promise.all(wanted.map((c) => c.load()));
}

function firstWord(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return argv[i + 1];
    if (!a.startsWith('-')) return a;
    if (VALUE_FLAGS.has(a)) i++;
  }
  return undefined;
}
