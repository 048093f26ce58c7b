/** Pieces the bash and zsh scripts share: functions that answer by command path, flag-value arms. */
import { flagNames, shQuote, type CommandSpec, type FlagSpec } from './tree.js';

/** `name() { case "$1" in '<path>') <body> ;; ... esac }` for the commands `body` answers for. */
export function pathFunction(name: string, tree: CommandSpec[], body: (c: CommandSpec) => string | undefined, reset = ''): string {
  const arms = tree.flatMap((c) => {
    const b = body(c);
    return b === undefined ? [] : [`    ${shQuote(c.path.join(' '))}) ${b} ;;`];
  });
  return [`${name}() {`, ...(reset ? [`  ${reset}`] : []), '  case "$1" in', ...arms, '  esac', '}'].join('\n');
}

/** case arms matching "<command path>|<flag>" for every value-taking flag of these commands. */
export function valueArms(cmds: CommandSpec[], action: (f: FlagSpec) => string): string {
  return cmds
    .flatMap((c) => c.flags.filter((f) => f.takesValue).map((f) => `      ${flagNames(f).map((n) => shQuote(`${c.path.join(' ')}|${n}`)).join('|')}) ${action(f)}; return ;;`))
    .join('\n');
}
