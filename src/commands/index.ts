import type { Command } from 'commander';
import type { App } from '../cli/program.js';
import { register as version } from './version/command.js';
import { register as init } from './init/command.js';
import { register as join } from './join/command.js';
import { register as accept } from './accept/command.js';
import { register as unjoin } from './unjoin/command.js';
import { register as get } from './get/command.js';
import { register as del } from './delete/command.js';
import { register as clean } from './clean/command.js';
import { register as runtime } from './runtime/command.js';
import { register as clusterset } from './clusterset/command.js';
import { register as deploy } from './deploy/command.js';
import { register as sandbox } from './sandbox/command.js';
import { register as completion } from './completion/command.js';

/** Every top-level command, in the order `--help` lists them. */
export const commands: Array<(program: Command, app: App) => void> = [
  init, join, accept, unjoin, deploy, get, clusterset, del, clean, runtime, sandbox, completion, version,
];
