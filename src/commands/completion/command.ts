import { Argument, type Command } from 'commander';
import type { App } from '../../cli/app.js';
import { UsageError } from '../../cli/errors.js';
import { bashScript } from './bash.js';
import { fishScript } from './fish.js';
import { commandTree } from './tree.js';
import { zshScript } from './zsh.js';

export const SHELLS = { bash: bashScript, zsh: zshScript, fish: fishScript } as const;
export type Shell = keyof typeof SHELLS;

/** The completion script of `shell` for the whole program (walked at run time, so never stale). */
export function completionScript(program: Command, shell: string): string {
  const gen = SHELLS[shell as Shell];
  if (!gen) throw new UsageError(`no completion for shell "${shell}": use one of ${Object.keys(SHELLS).join(', ')}`);
  return gen(commandTree(program));
}

export function register(program: Command, app: App): void {
  const cmd = program
    .command('completion')
    .description('print a shell completion script for ocmadm (bash, zsh or fish)')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(Object.keys(SHELLS)))
    .addHelpText(
      'after',
      '\nLoad it:\n  bash: source <(ocmadm completion bash)\n  zsh:  source <(ocmadm completion zsh)\n  fish: ocmadm completion fish | source',
    );
  app.action<Record<string, never>>(cmd, async (_opts, ctx, [shell]) => {
    ctx.io.stdout.write(completionScript(program, shell!));
  });
}
