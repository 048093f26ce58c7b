import { Chalk, type ChalkInstance } from 'chalk';

/** Colours for terminal output; level 0 when NO_COLOR, --no-color, or not a TTY. */
export interface Style {
  ok(s: string): string;
  warn(s: string): string;
  err(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
  cmd(s: string): string;
}

export function makeStyle(color: boolean): Style {
  const c: ChalkInstance = new Chalk({ level: color ? 1 : 0 });
  return {
    ok: (s) => c.green(s),
    warn: (s) => c.yellow(s),
    err: (s) => c.red(s),
    dim: (s) => c.dim(s),
    bold: (s) => c.bold(s),
    cmd: (s) => c.cyan(s),
  };
}
