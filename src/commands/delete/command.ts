/**
 * `ocmadm delete <noun>`: a parent command. Each noun lives in its own folder
 * (src/commands/delete/<noun>/command.ts) and is added to NOUNS below.
 */
import type { Command } from 'commander';
import type { App } from '../../cli/app.js';
import { register as token } from './token/command.js';
import { register as work } from './work/command.js';

export const NOUNS: Array<(del: Command, app: App) => void> = [work, token];

export function register(program: Command, app: App): void {
  const del = program.command('delete').description('remove hub objects (works) and credentials (tokens)');
  for (const noun of NOUNS) noun(del, app);
}
