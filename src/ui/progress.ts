import type { Writable } from 'node:stream';
import type { Style } from './style.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Progress on stderr: a spinner line on a TTY, plain lines otherwise. stdout is never touched,
 * so `-o json` output stays clean.
 */
export class Progress {
  private timer: NodeJS.Timeout | undefined;
  private current = '';
  private frame = 0;

  constructor(
    private readonly out: Writable,
    private readonly style: Style,
    private readonly tty: boolean,
    private readonly verbose: boolean,
  ) {}

  /** Starts a step; a TTY shows a spinner until done()/fail() or the next start(). */
  start(message: string): void {
    this.clear();
    this.current = message;
    if (!this.tty) {
      this.out.write(`${message}...\n`);
      return;
    }
    this.render();
    this.timer = setInterval(() => this.render(), 80);
    this.timer.unref();
  }

  done(message = this.current): void {
    this.clear();
    this.out.write(`${this.style.ok('✓')} ${message}\n`);
  }

  fail(message = this.current): void {
    this.clear();
    this.out.write(`${this.style.err('✗')} ${message}\n`);
  }

  info(message: string): void {
    this.clear();
    this.out.write(`${message}\n`);
    if (this.current && this.tty && this.timer) this.render();
  }

  warn(message: string): void {
    this.info(`${this.style.warn('warning:')} ${message}`);
  }

  /** Only with -v/--verbose. */
  debug(message: string): void {
    if (this.verbose) this.info(this.style.dim(message));
  }

  stop(): void {
    this.clear();
    this.current = '';
  }

  private render(): void {
    this.frame = (this.frame + 1) % FRAMES.length;
    this.out.write(`\r\x1b[2K${this.style.cmd(FRAMES[this.frame]!)} ${this.current}`);
  }

  private clear(): void {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.out.write('\r\x1b[2K');
    }
  }
}
