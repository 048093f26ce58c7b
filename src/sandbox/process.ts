import fs from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';

/**
 * One control-plane component as a child process: its own process group (so a stop reaches
 * anything it forks), stdout and stderr appended to a log file, and an exit that is observed.
 */
export interface Component {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Set once the process has exited. */
  readonly exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** Resolves when the process exits, however that happens. */
  readonly exit: Promise<void>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to the group at once (a crash, for fault tests); resolves when the process is gone. */
  kill(): Promise<void>;
}

/** Every live process group started here, so that an exiting parent can take them along. */
const live = new Set<number>();
let exitHookInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* the group is already gone */
  }
}

/** SIGKILLs every component still running (synchronous: usable in an 'exit' handler). */
export function killAllComponentsSync(): void {
  for (const pid of live) killGroup(pid, 'SIGKILL');
  live.clear();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Children run in their own groups and would outlive a parent that exits without stop().
  process.on('exit', killAllComponentsSync);
}

export interface StartComponentOptions {
  env?: NodeJS.ProcessEnv;
  /**
   * The process outlives this one (a sandbox): no exit hook takes it along and it does not keep
   * the event loop alive. Whoever starts it records its pid to stop it later.
   */
  outlive?: boolean;
}

export function startComponent(name: string, binary: string, args: string[], logFile: string, opts: StartComponentOptions = {}): Component {
  const { env, outlive = false } = opts;
  if (!outlive) installExitHook();
  const fd = fs.openSync(logFile, 'a', 0o600);
  fs.writeSync(fd, `# ${new Date().toISOString()} ${binary} ${args.join(' ')}\n`);
  let child: ChildProcess;
  try {
    child = spawn(binary, args, { detached: true, stdio: ['ignore', fd, fd], env: env ?? process.env });
  } finally {
    fs.closeSync(fd);
  }
  let exited: Component['exited'];
  let spawnError: Error | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      if (child.pid) live.delete(child.pid);
      resolve();
    });
    child.once('error', (err) => {
      spawnError = err;
      exited ??= { code: null, signal: null };
      resolve();
    });
  });
  if (!child.pid) {
    throw new Error(`cannot start ${name} (${binary}): ${spawnError?.message ?? 'spawn failed'}`);
  }
  const pid = child.pid;
  if (outlive) child.unref();
  else live.add(pid);

  const stop = async (graceMs = 10_000): Promise<void> => {
    // Waiting for it now: an outliving (unref'd) child must hold the event loop until its exit is seen.
    child.ref();
    if (exited) {
      killGroup(pid, 'SIGKILL'); // stray grandchildren, if any
      return;
    }
    killGroup(pid, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
    const result = await Promise.race([exit.then(() => 'done' as const), deadline]);
    clearTimeout(timer);
    killGroup(pid, 'SIGKILL');
    if (result === 'late') await exit;
  };

  const kill = async (): Promise<void> => {
    child.ref();
    killGroup(pid, 'SIGKILL');
    await exit;
  };

  return {
    name,
    pid,
    logFile,
    get exited() {
      return exited;
    },
    exit,
    stop,
    kill,
  };
}

/** The last `lines` lines of a log file ('' when unreadable). */
export function tailFile(file: string, lines = 30): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
