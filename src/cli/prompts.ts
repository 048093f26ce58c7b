/**
 * The two prompts of the handshake commands, always on stderr (stdout stays data) and only ever
 * called on a TTY. Ctrl-C in a prompt becomes InterruptedError (exit 130).
 */
import { checkbox, confirm } from '@inquirer/prompts';
import type { Io } from './context.js';
import { InterruptedError } from './errors.js';

function context(io: Io, signal?: AbortSignal) {
  return { input: io.stdin, output: io.stderr, signal, clearPromptOnDone: false };
}

async function guard<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    const name = (err as Error)?.name;
    if (name === 'ExitPromptError' || name === 'AbortPromptError' || name === 'CancelPromptError') throw new InterruptedError('cancelled at the prompt');
    throw err;
  }
}

export function askConfirm(io: Io, message: string, signal?: AbortSignal): Promise<boolean> {
  return guard(confirm({ message, default: false }, context(io, signal)));
}

export function askChoose<T>(io: Io, message: string, choices: { name: string; value: T }[], signal?: AbortSignal): Promise<T[]> {
  return guard(checkbox<T>({ message, choices, required: false }, context(io, signal)));
}
