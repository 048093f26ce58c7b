/** An error answered by the Kubernetes API server (a Status object), or a transport failure. */
export class KubeApiError extends Error {
  constructor(
    message: string,
    /** HTTP status; 0 when the server could not be reached at all. */
    readonly status: number,
    /** Status.reason, e.g. NotFound, AlreadyExists, Conflict, Forbidden, Expired. */
    readonly reason: string,
    readonly method: string,
    readonly url: string,
    readonly causeCode?: string,
    /** Status.details.causes[].reason, e.g. NamespaceTerminating. */
    readonly causes: string[] = [],
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

/** Why a kubeconfig cannot be used; the CLI turns each into its flag advice (src/cli/errors.ts). */
export type KubeConfigProblem = 'none-found' | 'file-missing' | 'env-names-no-file' | 'unreadable' | 'unknown-context' | 'no-current-context' | 'invalid';

/** A kubeconfig that cannot be used as it is (missing, unreadable, or naming what does not exist). */
export class KubeConfigError extends Error {
  constructor(
    message: string,
    readonly problem: KubeConfigProblem = 'invalid',
  ) {
    super(message);
    this.name = 'KubeConfigError';
  }
}

/** A wait (src/kube/wait.ts) whose deadline passed before its condition held. */
export class WaitTimeoutError extends Error {
  constructor(readonly what: string) {
    super(`timed out waiting for ${what}`);
    this.name = 'WaitTimeoutError';
  }
}

/** A wait ended by its caller's signal. */
export class WaitInterruptedError extends Error {
  constructor(readonly what: string) {
    super(`interrupted while waiting for ${what}`);
    this.name = 'WaitInterruptedError';
  }
}

export const isNotFound = (e: unknown): boolean => e instanceof KubeApiError && e.status === 404;
export const isConflict = (e: unknown): boolean => e instanceof KubeApiError && e.status === 409 && e.reason === 'Conflict';
export const isAlreadyExists = (e: unknown): boolean => e instanceof KubeApiError && e.status === 409 && e.reason === 'AlreadyExists';
export const isForbidden = (e: unknown): boolean => e instanceof KubeApiError && e.status === 403;
export const isUnauthorized = (e: unknown): boolean => e instanceof KubeApiError && e.status === 401;
export const isGone = (e: unknown): boolean => e instanceof KubeApiError && e.status === 410;
/** A create refused because its namespace is being deleted (NamespaceLifecycle admission). */
export const isNamespaceTerminating = (e: unknown): boolean => e instanceof KubeApiError && e.status === 403 && e.causes.includes('NamespaceTerminating');
export const isUnreachable = (e: unknown): boolean => e instanceof KubeApiError && e.status === 0;

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
]);

export const isTlsError = (e: unknown): boolean =>
  e instanceof KubeApiError && e.status === 0 && !!e.causeCode && TLS_CODES.has(e.causeCode);

/** Walks an error's `cause` chain to the first Node system error code (ECONNREFUSED, CERT_HAS_EXPIRED, ...). */
export function rootCauseCode(err: unknown): string | undefined {
  let cur: unknown = err;
  for (let i = 0; i < 6 && cur && typeof cur === 'object'; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** One readable line for any error a Kubernetes call can throw. */
export function describeError(err: unknown): string {
  if (err instanceof KubeApiError) {
    if (err.status === 0) return err.message;
    return `${err.message} (${err.status} ${err.reason})`;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}
