import type { Readable, Writable } from 'node:stream';
import type { KubeConfig } from '../kube/kubeconfig.js';
import type { KubeClient } from '../kube/client.js';
import { asCliError } from './errors.js';
import type { KubeAccess } from '../kube/config.js';
import { Progress } from '../ui/progress.js';
import { makeStyle, type Style } from '../ui/style.js';

/** The process's streams, passed in so commands can run inside tests. */
export interface Io {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  stdin: Readable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** Flags every command accepts. */
export interface GlobalOptions extends KubeAccess {
  timeout: number;
  verbose: boolean;
  color: boolean;
}

/** What a command's run() gets besides its own options. */
export class CommandContext {
  readonly style: Style;
  readonly progress: Progress;
  /** Aborted on SIGINT/SIGTERM: long waits listen to it and stop with exit 130. */
  readonly signal: AbortSignal;
  private readonly clients: KubeClient[] = [];

  constructor(
    readonly io: Io,
    readonly globals: GlobalOptions,
    signal?: AbortSignal,
  ) {
    const color = globals.color && !io.env.NO_COLOR && !!io.stderr.isTTY;
    this.style = makeStyle(color);
    this.progress = new Progress(io.stderr, this.style, !!io.stderr.isTTY, globals.verbose);
    this.signal = signal ?? new AbortController().signal;
  }

  get interactive(): boolean {
    return !!this.io.stdin.isTTY && !!this.io.stderr.isTTY;
  }

  /** A deadline (epoch ms) from --timeout. */
  deadline(): number {
    return Date.now() + this.globals.timeout * 1000;
  }

  /**
   * The kubeconfig of --kubeconfig/--context (or another access). The kubeconfig and client
   * modules (a YAML parser among them) load here, on first use: commands that never talk to a
   * cluster, `--help` and `--version` start without them.
   */
  async kubeConfig(access: KubeAccess = this.globals, what?: string): Promise<KubeConfig> {
    const { loadKubeConfig } = await import('../kube/config.js');
    try {
      return loadKubeConfig(access, what);
    } catch (err) {
      throw asCliError(err);
    }
  }

  /** A client for --kubeconfig/--context (or another access), closed when the command ends. */
  async client(access: KubeAccess = this.globals, what?: string): Promise<KubeClient> {
    const [kc, { KubeClient }] = await Promise.all([this.kubeConfig(access, what), import('../kube/client.js')]);
    return this.track(await KubeClient.create(kc, 'ocmadm'));
  }

  track(client: KubeClient): KubeClient {
    this.clients.push(client);
    return client;
  }

  async close(): Promise<void> {
    this.progress.stop();
    await Promise.all(this.clients.map((c) => c.close()));
  }
}
