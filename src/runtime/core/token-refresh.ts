/**
 * Keeps a ServiceAccount token fresh for a controller running as a host process (the `local`
 * runtime): at ~80 % of the token's life it asks TokenRequest for a new one, authenticated with
 * the current token (the SA may `create` its own serviceaccounts/token), rewrites the kubeconfig
 * atomically with mode 0600 and switches the running client over. One timer, set from the
 * token's own `exp`, not polling.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { KubeClient } from '../../kube/client.js';
import { KubeConfig } from '../../kube/kubeconfig.js';
import { describeError } from '../../kube/errors.js';
import { resourcePath } from '../../kube/resources.js';
import { backoffDelay } from './backoff.js';
import { MAX_TIMER_MS, systemClock, type Clock, type TimerHandle } from './clock.js';
import type { Logger } from './types.js';
import { SERVICE_ACCOUNTS } from '../../kube/core.js';

export interface TokenClaims {
  exp?: number;
  iat?: number;
  nbf?: number;
  sub?: string;
  jti?: string;
}

/** The claims of a JWT (payload only, no signature check: we only need its times). */
export function tokenClaims(token: string): TokenClaims | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return claims && typeof claims === 'object' ? (claims as TokenClaims) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * When to renew `token`: `fraction` of the way from issue to expiry (issue = iat, or `now` when
 * the token has none). Undefined for a token without `exp` (it never expires).
 */
export function refreshTimeMs(token: string, now: number, fraction = 0.8): number | undefined {
  const c = tokenClaims(token);
  if (typeof c?.exp !== 'number') return undefined;
  const exp = c.exp * 1000;
  const issued = typeof c.iat === 'number' ? c.iat * 1000 : Math.min(now, exp);
  return issued + (exp - issued) * fraction;
}

export interface TokenRefresherOptions {
  client: KubeClient;
  /** Other clients of the same credentials that switch to each new token too. */
  also?: KubeClient[];
  serviceAccount: { namespace: string; name: string };
  kubeconfigPath: string;
  /** Life of each new token (default 3600; the API server's minimum is 600). */
  expirationSeconds?: number;
  log: Logger;
  /** Fraction of a token's life after which it is renewed (default 0.8). */
  refreshFraction?: number;
  clock?: Clock;
}

export interface TokenRefresher {
  /** Expiry of the token in use, when it has one. */
  readonly expiresAt: Date | undefined;
  /** Mints and installs a new token now (the timer does the same); resolves with it. */
  refresh(): Promise<string>;
  stop(): void;
}

interface TokenRequest {
  status?: { token?: string; expirationTimestamp?: string };
}

/** Rewrites the current user's token in a kubeconfig: temp file 0600 in the same dir, then rename. */
export async function writeKubeconfigToken(file: string, token: string): Promise<void> {
  const kc = KubeConfig.fromText(await fs.readFile(file, 'utf8'), file);
  const current = kc.getCurrentUser();
  if (!current) throw new Error(`${file}: no user for the current context`);
  // The token written here is the one to use: no token file beside it.
  kc.users = kc.users.map((u) => (u === current ? { ...u, token, tokenFile: undefined } : u));
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await fs.open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(kc.toYaml());
    await fh.chmod(0o600); // whatever the umask was
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

export function startTokenRefresher(opts: TokenRefresherOptions): TokenRefresher {
  const clock = opts.clock ?? systemClock;
  const fraction = opts.refreshFraction ?? 0.8;
  const sa = opts.serviceAccount;
  const log = opts.log.child({ serviceAccount: `${sa.namespace}/${sa.name}` });
  const tokenPath = resourcePath({ ...SERVICE_ACCOUNTS, namespace: sa.namespace, name: sa.name, subresource: 'token' });
  const ctrl = new AbortController();
  let timer: TimerHandle | undefined;
  let token = opts.client.kc.getCurrentUser()?.token ?? '';
  let expiresAt: Date | undefined;
  let failures = 0;
  let inFlight: Promise<string> | undefined;

  const setExpiry = (t: string, fallback?: string) => {
    const exp = tokenClaims(t)?.exp;
    expiresAt = typeof exp === 'number' ? new Date(exp * 1000) : fallback ? new Date(fallback) : undefined;
  };

  /** One timer at `at`; a delay beyond Node's timer range is covered in steps. */
  const scheduleAt = (at: number) => {
    if (ctrl.signal.aborted) return;
    if (timer !== undefined) clock.clearTimeout(timer);
    const wait = Math.max(0, at - clock.now());
    timer = clock.setTimeout(
      () => {
        timer = undefined;
        if (clock.now() < at) return scheduleAt(at);
        void refresh().catch(() => undefined);
      },
      Math.min(wait, MAX_TIMER_MS),
    );
  };

  const scheduleNext = () => {
    const at = refreshTimeMs(token, clock.now(), fraction) ?? (expiresAt ? clock.now() + (expiresAt.getTime() - clock.now()) * fraction : undefined);
    if (at === undefined) {
      log.info('token has no expiry; not refreshing');
      return;
    }
    log.debug('token refresh scheduled', { at: new Date(at).toISOString(), expiresAt: expiresAt?.toISOString() });
    scheduleAt(at);
  };

  const mint = async (): Promise<string> => {
    const res = await opts.client.request<TokenRequest>('POST', tokenPath, {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: opts.expirationSeconds ?? 3600 } },
      signal: ctrl.signal,
    });
    const next = res?.status?.token;
    if (!next) throw new Error('TokenRequest returned no token');
    await writeKubeconfigToken(opts.kubeconfigPath, next);
    for (const c of [opts.client, ...(opts.also ?? [])]) c.setBearerToken(next);
    token = next;
    setExpiry(next, res.status?.expirationTimestamp);
    return next;
  };

  const attempt = async (): Promise<string> => {
    try {
      const t = await mint();
      failures = 0;
      log.info('service account token refreshed', { expiresAt: expiresAt?.toISOString() });
      scheduleNext();
      return t;
    } catch (err) {
      if (!ctrl.signal.aborted) {
        failures++;
        // Retry soon, but not so eagerly that a dead API server is hammered.
        const delay = backoffDelay(failures, { initialMs: 1000, maxMs: 60_000, jitter: 0.2 });
        log.warn('service account token refresh failed', { error: describeError(err), failures, retryInMs: delay, expiresAt: expiresAt?.toISOString() });
        scheduleAt(clock.now() + delay);
      }
      throw err;
    } finally {
      inFlight = undefined; // before callers resume, so a refresh right after starts anew
    }
  };
  const refresh = (): Promise<string> => (inFlight ??= attempt());

  setExpiry(token);
  scheduleNext();
  return {
    get expiresAt() {
      return expiresAt;
    },
    refresh,
    stop: () => {
      ctrl.abort();
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}
