import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { CommandContext, type GlobalOptions, type Io } from './context.js';
import { CliError, EXIT, UsageError } from './errors.js';
import type { Action, App } from './app.js';
import { describeError, isUnauthorized, isUnreachable } from '../kube/errors.js';
import { VERSION } from '../version.js';
import { commandsFor } from '../commands/index.js';

/** Parses a positive integer flag value (seconds, counts). */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}

export interface RunState {
  exitCode: number;
}

/** The program with the commands `argv` needs (all of them without argv). */
export async function createProgram(io: Io, state: RunState, signal?: AbortSignal, argv?: readonly string[]): Promise<Command> {
  const registers = await commandsFor(argv);
  const program = new Command('ocmadm')
    .description('Bootstrap Open Cluster Management: init a hub, join clusters, accept them, deploy work.')
    .version(VERSION, '--version', 'print the ocmadm version')
    .addOption(new Option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'))
    .addOption(new Option('--context <name>', 'kubeconfig context to use'))
    .addOption(new Option('--timeout <seconds>', 'give up waiting after this many seconds').default(300).argParser(positiveInt))
    .addOption(new Option('-v, --verbose', 'print details and full errors'))
    .addOption(new Option('--no-color', 'disable colour (NO_COLOR is honoured too)'))
    .enablePositionalOptions(false)
    .exitOverride();

  const app: App = {
    io,
    action<O>(cmd: Command, fn: Action<O>) {
      cmd.action(async (...argv: unknown[]) => {
        const self = argv[argv.length - 1] as Command;
        const opts = self.opts() as O;
        const args = self.args;
        const globals = self.optsWithGlobals() as unknown as GlobalOptions;
        const ctx = new CommandContext(io, { ...globals, verbose: !!globals.verbose, color: globals.color !== false }, signal);
        try {
          const code = await fn(opts, ctx, args);
          state.exitCode = code ?? EXIT.OK;
        } catch (err) {
          ctx.progress.stop();
          state.exitCode = reportError(err, io, ctx.globals.verbose);
        } finally {
          await ctx.close();
        }
      });
    },
  };

  for (const register of registers) register(program, app);
  configureUsageErrors(program, io);
  return program;
}

/** The full command path, e.g. "ocmadm get clusters". */
const commandPath = (cmd: Command): string => (cmd.parent ? `${commandPath(cmd.parent)} ${cmd.name()}` : cmd.name());

/**
 * Commander's own usage errors (unknown option or command, missing argument) as one line, like
 * every other error: what is wrong, then where the usage is. Set on every command because each
 * one names its own --help.
 */
function configureUsageErrors(cmd: Command, io: Io): void {
  cmd.configureOutput({
    writeOut: (s) => io.stdout.write(s),
    writeErr: (s) => io.stderr.write(s),
    outputError: (s, write) => write(`Error: ${s.trim().replace(/^error:\s*/i, '').replace(/\s*\n\s*/g, ' ')}; run \`${commandPath(cmd)} --help\` for usage\n`),
  });
  for (const sub of cmd.commands) configureUsageErrors(sub, io);
}

/** Prints one line for an error (a stack only with --verbose) and returns the exit code. */
export function reportError(err: unknown, io: Io, verbose: boolean): number {
  const code = err instanceof CliError ? err.exitCode : EXIT.FAILURE;
  const message = err instanceof CliError ? err.message : `${describeError(err)}${whatToDo(err)}`;
  io.stderr.write(`Error: ${message}\n`);
  if (verbose && err instanceof Error && !(err instanceof CliError) && err.stack) io.stderr.write(`${err.stack}\n`);
  return code;
}

/** The way out of a Kubernetes error no command explained itself. */
function whatToDo(err: unknown): string {
  if (isUnreachable(err)) return '; check the server of --kubeconfig/--context and that it is up';
  if (isUnauthorized(err)) return '; the credentials of --kubeconfig/--context were refused: renew them or pass others';
  return '';
}

/** Runs the CLI on argv (without node and script) and returns the exit code. */
export async function runCli(argv: string[], io: Io, signal?: AbortSignal): Promise<number> {
  const state: RunState = { exitCode: EXIT.OK };
  try {
    const program = await createProgram(io, state, signal, argv);
    await program.parseAsync(argv, { from: 'user' });
    return state.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.OK;
      return EXIT.USAGE; // commander already printed the message
    }
    if (err instanceof UsageError) return reportError(err, io, false);
    return reportError(err, io, argv.includes('-v') || argv.includes('--verbose'));
  }
}
