/**
 * `ocmadm get <noun>`: a parent command. Each noun lives in its own folder
 * (src/commands/get/<noun>/command.ts) and is added to NOUNS below. A run loads only the noun it
 * names (each pulls in its own printers and API helpers); help, completion and an unknown noun
 * load them all.
 */
import type { Command } from 'commander';
import type { App } from '../../cli/app.js';
import { commandWords, type Register } from '../index.js';

type NounRegister = (get: Command, app: App) => void;

/** Every noun with the names it answers to (its aliases too), in the order `get --help` lists them. */
export const NOUNS: ReadonlyArray<{ names: readonly string[]; load: () => Promise<NounRegister> }> = [
  { names: ['clusters', 'cluster'], load: async () => (await import('./clusters/command.js')).register },
  { names: ['clustersets', 'clusterset'], load: async () => (await import('./clustersets/command.js')).register },
  { names: ['works', 'work'], load: async () => (await import('./works/command.js')).register },
  { names: ['placements', 'placement'], load: async () => (await import('./placements/command.js')).register },
  { names: ['addons', 'addon'], load: async () => (await import('./addons/command.js')).register },
  { names: ['hub-info'], load: async () => (await import('./hub-info/command.js')).register },
  { names: ['klusterlet-info'], load: async () => (await import('./klusterlet-info/command.js')).register },
  { names: ['token'], load: async () => (await import('./token/command.js')).register },
];

/** The `get` command with the nouns `argv` names (all of them without argv, or for no or an unknown noun). */
export async function registerFor(argv?: readonly string[]): Promise<Register> {
  const noun = argv && commandWords(argv)[1];
  const named = NOUNS.filter((n) => noun !== undefined && n.names.includes(noun));
  const nouns = await Promise.all((named.length ? named : NOUNS).map((n) => n.load()));
  return (program, app) => {
    const get = program.command('get').description('show hub objects, credentials, and the state of the hub and klusterlet runtimes');
    for (const noun of nouns) noun(get, app);
  };
}
