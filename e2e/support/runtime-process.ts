/**
 * A built runtime (hub controller or klusterlet agent) as a child process, for the suites that
 * run the entrypoint the local runtime runs: its JSON log lines collected as they come (and kept
 * in OCMADM_E2E_LOG_DIR/<name>.log for a post-mortem), a wait for a log line that fails at a
 * deadline or when the process exits first, and graceful or hard stops.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export type LogLine = { level?: string; msg?: string; [k: string]: unknown };

export interface RuntimeProcess {
  proc: ChildProcess;
  logs: LogLine[];
  /** Resolves with the first log line matching `pred` (already seen ones count). */
  waitForLog(pred: (l: LogLine) => boolean, ms?: number): Promise<LogLine>;
  /** SIGTERM (graceful) and the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
}

/** The suites run the built entrypoint: refuse a missing build, or one older than the sources under `srcDir`. */
export function assertBuildFresh(main: string, srcDir: string): void {
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
  const built = fs.statSync(main).mtimeMs;
  const newest = (dir: string): number =>
    fs.readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return Math.max(m, newest(p));
      return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? Math.max(m, fs.statSync(p).mtimeMs) : m;
    }, 0);
  if (newest(srcDir) > built) throw new Error(`${main} is older than ${srcDir}: run npm run build first`);
}

/** Spawns `node main ...args` named `name` (in messages and the log file name). */
export function spawnRuntime(name: string, main: string, args: string[]): RuntimeProcess {
  const proc = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: LogLine[] = [];
  const logDir = process.env.OCMADM_E2E_LOG_DIR;
  const logFile = logDir ? (fs.mkdirSync(logDir, { recursive: true }), path.join(logDir, `${name}.log`)) : undefined;
  const waiters: { pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  const onLine = (line: string) => {
    if (logFile) fs.appendFileSync(logFile, line + '\n');
    let l: LogLine;
    try {
      l = JSON.parse(line) as LogLine;
    } catch {
      l = { level: 'raw', msg: line };
    }
    logs.push(l);
    for (const w of [...waiters]) if (w.pred(l)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(l));
  };
  createInterface({ input: proc.stdout! }).on('line', onLine);
  createInterface({ input: proc.stderr! }).on('line', onLine);
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const waitForLog = (pred: (l: LogLine) => boolean, ms = 60_000) =>
    new Promise<LogLine>((resolve, reject) => {
      const seen = logs.find(pred);
      if (seen) return resolve(seen);
      const t = setTimeout(() => reject(new Error(`no matching log line from ${name} in ${ms} ms; last: ${JSON.stringify(logs.slice(-5))}`)), ms);
      waiters.push({ pred, resolve: (l) => (clearTimeout(t), resolve(l)) });
      void exited.then((code) => reject(new Error(`${name} exited (${code}) before the log line; last: ${JSON.stringify(logs.slice(-8))}`)));
    });
  const running = () => proc.exitCode === null && proc.signalCode === null;
  return {
    proc,
    logs,
    waitForLog,
    stop: async () => {
      if (running()) proc.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      if (running()) proc.kill('SIGKILL');
      await exited;
    },
  };
}
