/**
 * `ocmadm get <noun>`: a parent command. Each noun lives in its own folder
 * (src/commands/get/<noun>/command.ts) and is added to NOUNS below.
 */
import type { Command } from 'commander';
import type { App } from '../../cli/app.js';
import { register as token } from './token/command.js';
import { register as clusters } from './clusters/command.js';
import { register as clustersets } from './clustersets/command.js';
import { register as works } from './works/command.js';
import { register as placements } from './placements/command.js';
import { register as addons } from './addons/command.js';
import { register as hubInfo } from './hub-info/command.js';
import { register as klusterletInfo } from './klusterlet-info/command.js';

export const NOUNS: Array<(get: Command, app: App) => void> = [clusters, clustersets, works, placements, addons, hubInfo, klusterletInfo, token];

export function register(program: Command, app: App): void {
  const get = program.command('get').description('show hub objects, credentials, and the state of the hub and klusterlet runtimes');
  for (const noun of NOUNS) noun(get, app);
}
