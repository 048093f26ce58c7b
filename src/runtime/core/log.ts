/**
 * JSON-lines logger: one object per line, {"ts","level","component","msg",...fields}, on stderr
 * by default (stdout belongs to command output). Every field passes through `redact`, so a
 * token or key that ends up in a log call is masked rather than written.
 */
import type { Logger } from './types.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  level?: LogLevel;
  component: string;
  /** Where lines go (default process.stderr). */
  stream?: { write(line: string): unknown };
  /** Fields on every line. */
  fields?: Record<string, unknown>;
  now?: () => Date;
}

export const MASK = '[REDACTED]';

/**
 * Field names whose values are credentials, judged on the name's last word (camelCase, -, _ and
 * . split words): token, password, key, kubeconfig, ... and "<key|cert|ca|token>...data"
 * (client-key-data, certificate-authority-data). "kubeconfigPath" or "secretName" stay readable.
 */
const SECRET_LAST_WORD = new Set(['token', 'password', 'passwd', 'secret', 'kubeconfig', 'key', 'credential', 'credentials', 'authorization', 'crt', 'cert', 'certificate', 'pem']);
const SECRET_DATA_WORD = new Set(['key', 'cert', 'certificate', 'ca', 'crt', 'token']);
/** Values that are credentials whatever their field is called: PEM private keys and JWTs. */
const SECRET_VALUE = [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, /\beyJ[\w-]{6,}\.eyJ[\w-]{6,}\.[\w-]{6,}/];

/** Whether a field name denotes secret material. */
export function isSecretName(name: string): boolean {
  const words = name
    .split(/[^a-zA-Z0-9]+|(?<=[a-z0-9])(?=[A-Z])/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
  const last = words.at(-1);
  if (!last) return false;
  return SECRET_LAST_WORD.has(last) || (last === 'data' && words.some((w) => SECRET_DATA_WORD.has(w)));
}

/**
 * A copy of `value` safe to log: secret-named fields masked at any depth, secret-looking strings
 * masked, Errors reduced to their message (no stack storms), cycles and depth bounded.
 */
export function redact(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return SECRET_VALUE.some((re) => re.test(value)) ? MASK : value;
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? undefined : value;
  if (value instanceof Error) return redact(value.message, depth, seen);
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `<${value.byteLength} bytes>`;
  if (seen.has(value)) return '[Circular]';
  if (depth >= 8) return '[Truncated]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1, seen));
    if (value instanceof Map) return redact(Object.fromEntries(value), depth, seen);
    if (value instanceof Set) return redact([...value], depth, seen);
    const out: Record<string, unknown> = {};
    // A whole Secret object: its data keys can be named anything (ca.crt, token, hub.conf).
    const isSecretObject = (value as { kind?: unknown }).kind === 'Secret';
    for (const [k, v] of Object.entries(value)) {
      const secret = isSecretName(k) || (isSecretObject && (k === 'data' || k === 'stringData'));
      out[k] = secret && v !== undefined && v !== null && v !== '' ? MASK : redact(v, depth + 1, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

const RESERVED = new Set(['ts', 'level', 'component', 'msg']);

export function createLogger(opts: LoggerOptions): Logger {
  const min = RANK[opts.level ?? 'info'];
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? (() => new Date());
  const make = (base: Record<string, unknown>): Logger => {
    const write = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
      if (RANK[level] < min) return;
      const line: Record<string, unknown> = { ts: now().toISOString(), level, component: opts.component, msg: redact(msg) };
      const extra = redact({ ...base, ...fields }) as Record<string, unknown>;
      // A field cannot overwrite the envelope; it keeps its value under a prefixed name.
      for (const [k, v] of Object.entries(extra)) line[RESERVED.has(k) ? `field.${k}` : k] = v;
      let text: string;
      try {
        text = JSON.stringify(line);
      } catch {
        text = JSON.stringify({ ts: line.ts, level, component: opts.component, msg: line.msg, logError: 'unserializable fields' });
      }
      stream.write(text + '\n');
    };
    return {
      debug: (m, f) => write('debug', m, f),
      info: (m, f) => write('info', m, f),
      warn: (m, f) => write('warn', m, f),
      error: (m, f) => write('error', m, f),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return make(opts.fields ?? {});
}

/** A logger that drops everything (tests, library defaults). */
export const nullLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => nullLogger,
};

/** Parses a level name, e.g. from $OCMADM_LOG_LEVEL; unknown names give `fallback`. */
export function parseLogLevel(name: string | undefined, fallback: LogLevel = 'info'): LogLevel {
  const n = name?.toLowerCase();
  return n && n in RANK ? (n as LogLevel) : fallback;
}
