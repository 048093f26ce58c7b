import { KubeConfigError, WaitInterruptedError, WaitTimeoutError, type KubeConfigProblem } from '../kube/errors.js';

/** Exit codes used everywhere: 0 ok, 1 failure, 2 usage error, 130 interrupted. */
export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2, INTERRUPTED: 130 } as const;

/** An error meant for the user: one line saying what is wrong and what to do. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.FAILURE,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Bad flags or arguments: exit 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.USAGE);
    this.name = 'UsageError';
  }
}

/** The user pressed Ctrl-C or a signal stopped a wait: exit 130. */
export class InterruptedError extends CliError {
  constructor(message = 'interrupted') {
    super(message, EXIT.INTERRUPTED);
    this.name = 'InterruptedError';
  }
}

/** What to do about each kubeconfig problem, in the CLI's flags. */
const KUBECONFIG_ADVICE: Record<KubeConfigProblem, string> = {
  'none-found': ': pass --kubeconfig <file> or set KUBECONFIG',
  'file-missing': '; pass an existing --kubeconfig',
  'env-names-no-file': '; fix it or pass --kubeconfig',
  unreadable: '; fix it or pass another --kubeconfig',
  'unknown-context': '; pass an existing --context',
  'no-current-context': '; pass --context <name>',
  invalid: '; fix it or pass another --kubeconfig',
};

/**
 * The CLI's words for the typed errors of the layers below (src/kube knows no flags): flag advice
 * and exit codes are added here only. Anything else is returned as it is.
 */
export function asCliError(err: unknown): unknown {
  if (err instanceof WaitTimeoutError) return new CliError(`${err.message}; raise --timeout or check the cluster`);
  if (err instanceof WaitInterruptedError) return new InterruptedError(err.message);
  if (err instanceof KubeConfigError) return new CliError(`${err.message}${KUBECONFIG_ADVICE[err.problem]}`);
  return err;
}
