/** What each command's register() receives from the program: the streams and the action wrapper. */
import type { Command } from 'commander';
import type { CommandContext, Io } from './context.js';

/** A command's action: receives its parsed options and the context; returns an exit code. */
export type Action<O> = (opts: O, ctx: CommandContext, args: string[]) => Promise<number | void>;

/** Shared plumbing handed to each command's register(). */
export interface App {
  io: Io;
  /** Wraps an action: builds the context from global flags, maps errors to one line and an exit code. */
  action<O>(cmd: Command, fn: Action<O>): void;
}
