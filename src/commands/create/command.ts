/**
 * `ocmadm create <noun>`: a parent command. Each noun lives in its own folder
 * (src/commands/create/<noun>/command.ts) and is added to NOUNS below.
 */
import type { Command } from 'commander';
import type { App } from '../../cli/app.js';
import { register as placement } from './placement/command.js';

export const NOUNS: Array<(create: Command, app: App) => void> = [placement];

export function register(program: Command, app: App): void {
  const create = program.command('create').description('create hub objects (placements)');
  for (const noun of NOUNS) noun(create, app);
}
