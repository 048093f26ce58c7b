import type { Command } from 'commander';
import type { App } from '../cli/app.js';
import { preloadTls } from '../kube/transport.js';

export type Register = (program: Command, app: App) => void;

/**
 * Loads a command's registration. `argv` is the command line when this command is the one it
 * names (a parent such as `get` then loads only the subcommand named after it); undefined when
 * every command is wanted (help, completion).
 */
export type LoadRegister = (argv?: readonly string[]) => Promise<Register>;

/**
 * Every top-level command, in the order `--help` lists them, loaded on demand: a run loads only
 * the command it names (start-up time), `--help` and `completion` load them all. `cluster`: the
 * command talks to a cluster, so a run of it loads TLS at once (preloadTls).
 */
export const COMMANDS: ReadonlyArray<{ name: string; load: LoadRegister; cluster?: true }> = [
  { name: 'init', cluster: true, load: async () => (await import('./init/command.js')).register },
  { name: 'join', cluster: true, load: async () => (await import('./join/command.js')).register },
  { name: 'accept', cluster: true, load: async () => (await import('./accept/command.js')).register },
  { name: 'upgrade', cluster: true, load: async () => (await import('./upgrade/command.js')).register },
  { name: 'unjoin', cluster: true, load: async () => (await import('./unjoin/command.js')).register },
  { name: 'deploy', cluster: true, load: async () => (await import('./deploy/command.js')).register },
  { name: 'addon', cluster: true, load: async () => (await import('./addon/command.js')).register },
  { name: 'create', cluster: true, load: async () => (await import('./create/command.js')).register },
  { name: 'get', cluster: true, load: async (argv) => (await import('./get/command.js')).registerFor(argv) },
  { name: 'clusterset', cluster: true, load: async () => (await import('./clusterset/command.js')).register },
  { name: 'delete', cluster: true, load: async () => (await import('./delete/command.js')).register },
  { name: 'clean', cluster: true, load: async () => (await import('./clean/command.js')).register },
  { name: 'runtime', load: async () => (await import('./runtime/command.js')).register },
  { name: 'sandbox', load: async () => (await import('./sandbox/command.js')).register },
  { name: 'completion', load: async () => (await import('./completion/command.js')).register },
  { name: 'version', cluster: true, load: async () => (await import('./version/command.js')).register },
];

/** Global flags that take a separate value (`--context hub`), to find the command word after them. */
const VALUE_FLAGS = new Set(['--kubeconfig', '--context', '--timeout']);

/**
 * The commands a command line needs: the one it names, none for a bare `--version`, all for
 * anything else (help, completion, an unknown word, so commander can list or suggest them).
 */
export async function commandsFor(argv: readonly string[] | undefined): Promise<Register[]> {
  const word = argv && commandWords(argv)[0];
  let wanted = COMMANDS;
  if (word && word !== 'completion') wanted = COMMANDS.filter((c) => c.name === word);
  else if (argv && word === undefined && argv.includes('--version')) wanted = [];
  const named = wanted.length === 1 && wanted[0]!.name === word;
  if (argv && talksToCluster(argv)) preloadTls();
  if (!wanted.length && word) wanted = COMMANDS;
  return Promise.all(wanted.map((c) => c.load(named ? argv : undefined)));
}

/** Whether a command line runs a command that talks to a cluster (not its --help). */
export function talksToCluster(argv: readonly string[]): boolean {
  const word = commandWords(argv)[0];
  return !!COMMANDS.find((c) => c.name === word)?.cluster && !argv.includes('--help') && !argv.includes('-h');
}

/** The words of a command line that are not flags or flag values, in order (`get`, `clusters`, `a`). */
export function commandWords(argv: readonly string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return [...words, ...argv.slice(i + 1)];
    if (!a.startsWith('-')) words.push(a);
    else if (VALUE_FLAGS.has(a)) i++;
  }
  return words;
}
