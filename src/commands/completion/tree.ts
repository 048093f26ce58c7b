/**
 * The command tree as completion scripts need it, read from commander itself (never a hand-kept
 * list): every command path, its subcommands and flags, and which flags take a value.
 */
import type { Command, Option } from 'commander';

export interface FlagSpec {
  /** `--name`, and `-n` when there is a short form. */
  long?: string;
  short?: string;
  description: string;
  takesValue: boolean;
  choices?: string[];
  /** The value is a file name (complete files). */
  file: boolean;
}

export interface CommandSpec {
  /** Words from the root, e.g. ['get', 'token']; [] for ocmadm itself. */
  path: string[];
  description: string;
  subcommands: { name: string; description: string }[];
  /** The command's own flags; the root's apply everywhere (global flags). */
  flags: FlagSpec[];
  /** Allowed values of its positional arguments, where commander knows them (e.g. completion <shell>). */
  argChoices: string[];
}

const HELP: FlagSpec = { long: '--help', short: '-h', description: 'display help for command', takesValue: false, file: false };

function flag(o: Option): FlagSpec {
  const takesValue = o.required || o.optional;
  return {
    long: o.long,
    short: o.short,
    description: o.description,
    takesValue,
    choices: o.argChoices,
    file: takesValue && /file|kubeconfig/i.test(`${o.long} ${o.flags}`),
  };
}

/** Every command below (and including) `root`, parents first. */
export function commandTree(root: Command): CommandSpec[] {
  const out: CommandSpec[] = [];
  const walk = (cmd: Command, path: string[]) => {
    const subs = cmd.commands.filter((c) => !(c as Command & { _hidden?: boolean })._hidden);
    out.push({
      path,
      description: cmd.description(),
      subcommands: subs.map((c) => ({ name: c.name(), description: c.description() })),
      flags: [...cmd.options.filter((o) => !o.hidden).map(flag), HELP],
      argChoices: cmd.registeredArguments.flatMap((a) => a.argChoices ?? []),
    });
    for (const c of subs) walk(c, [...path, c.name()]);
  };
  walk(root, []);
  return out;
}

/** All flag spellings that take a value anywhere (scripts skip the word after them). */
export function valueFlags(tree: CommandSpec[]): string[] {
  const names = new Set<string>();
  for (const c of tree) for (const f of c.flags) if (f.takesValue) for (const n of [f.long, f.short]) if (n) names.add(n);
  return [...names].sort();
}

export const flagNames = (f: FlagSpec): string[] => [f.long, f.short].filter((n): n is string => !!n);

/** Single-quoted for bash and zsh. */
export const shQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The root's flags that apply to every subcommand too (help and version are the root's own). */
export function globalFlags(tree: CommandSpec[]): FlagSpec[] {
  const root = tree.find((c) => c.path.length === 0);
  return (root?.flags ?? []).filter((f) => f.long !== '--help' && f.long !== '--version');
}
