import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fetch } from 'undici';
import { freePort, releasePorts } from '../ports.js';
import { startComponent, type Component } from '../process.js';
import { waitForCondition } from '../readiness.js';
import { findImageTools, type ImageTools } from './tools.js';

/**
 * A local OCI registry for the sandbox's nodes: distribution's `registry` (built by
 * e2e/k8sbins/build.sh), on a loopback address, storing under `dir`. With `auth` it requires
 * HTTP basic auth (htpasswd, bcrypt) on every request, so that a pull with an imagePullSecret
 * and one without can be told apart.
 */
const execFileP = promisify(execFile);

export interface RegistryAuth {
  username: string;
  password: string;
}

export interface StartRegistryOptions {
  /** Holds the registry's storage, config and log (created when missing; reused by a restart). */
  dir: string;
  /** Address to listen on (default 127.0.0.1; a node's network namespace may need another). */
  host?: string;
  port?: number;
  auth?: RegistryAuth;
  /** Deadline for the registry to answer (default 30 s). */
  timeoutMs?: number;
  tools?: ImageTools;
  /** The registry outlives this process (a sandbox records its pid and stops it on `down`). */
  outlive?: boolean;
  /** Log every request (method, path, status, user) to its log file, to tell a pull from none. */
  accessLog?: boolean;
}

export interface Registry {
  /** host:port, as image references and hosts.toml name it. */
  address: string;
  auth?: RegistryAuth;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

/** The registry's config file (distribution's YAML; JSON is YAML). */
export function registryConfig(opts: { dir: string; address: string; htpasswd?: string; accessLog?: boolean }): string {
  const config: Record<string, unknown> = {
    version: 0.1,
    // With the access log, info level adds one line per request naming the authenticated user.
    log: opts.accessLog ? { level: 'info', formatter: 'json', accesslog: { disabled: false } } : { level: 'warn', accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: path.join(opts.dir, 'data') },
      delete: { enabled: true },
      maintenance: { uploadpurging: { enabled: false } },
    },
    // A fixed secret per directory: otherwise each start makes one up and says so in the log.
    http: { addr: opts.address, secret: secretFor(opts.dir) },
  };
  if (opts.htpasswd) config.auth = { htpasswd: { realm: 'ocmadm-sandbox', path: opts.htpasswd } };
  return JSON.stringify(config, null, 2) + '\n';
}

function secretFor(dir: string): string {
  const file = path.join(dir, 'http-secret');
  if (!fs.existsSync(file)) fs.writeFileSync(file, randomBytes(24).toString('hex'), { mode: 0o600 });
  return fs.readFileSync(file, 'utf8').trim();
}

async function writeHtpasswd(tools: ImageTools, file: string, auth: RegistryAuth): Promise<void> {
  const line = await new Promise<string>((resolve, reject) => {
    const child = execFile(tools.htpasswd, [auth.username], (err, stdout) => (err ? reject(err) : resolve(stdout)));
    child.stdin!.end(auth.password + '\n');
  });
  fs.writeFileSync(file, line, { mode: 0o600 });
}

/** Whether the registry at `address` answers its API root (401 counts: it is up and wants auth). */
export async function registryAnswers(address: string): Promise<boolean> {
  const res = await fetch(`http://${address}/v2/`, { signal: AbortSignal.timeout(5_000) });
  await res.body?.cancel();
  return res.status === 200 || res.status === 401;
}

export async function startRegistry(opts: StartRegistryOptions): Promise<Registry> {
  const tools = opts.tools ?? (await findImageTools());
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? (await freePort());
  const address = `${host}:${port}`;
  fs.mkdirSync(path.join(opts.dir, 'data'), { recursive: true, mode: 0o700 });
  let htpasswd: string | undefined;
  if (opts.auth) {
    if (!opts.auth.username || opts.auth.username.includes(':')) throw new Error('registry auth: the username must be non-empty and without ":"');
    htpasswd = path.join(opts.dir, 'htpasswd');
    await writeHtpasswd(tools, htpasswd, opts.auth);
  }
  const configFile = path.join(opts.dir, 'config.yml');
  fs.writeFileSync(configFile, registryConfig({ dir: opts.dir, address, htpasswd, accessLog: opts.accessLog }), { mode: 0o600 });
  const logFile = path.join(opts.dir, 'registry.log');
  // No tracing exporter: distribution would otherwise try to reach an OTLP collector.
  const env = { ...process.env, OTEL_TRACES_EXPORTER: 'none' };
  const proc: Component = startComponent('registry', tools.registry, ['serve', configFile], logFile, { env, outlive: opts.outlive });
  const stop = async () => {
    await proc.stop();
    if (!opts.port) releasePorts([port]);
  };
  try {
    await waitForCondition(`the registry on ${address}`, () => registryAnswers(address), {
      deadline: Date.now() + (opts.timeoutMs ?? 30_000),
      watch: [proc],
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { address, auth: opts.auth, pid: proc.pid, logFile, stop };
}

/**
 * The repository path of `name` inside a mirror: docker.io/library/node:24 -> library/node:24,
 * registry.k8s.io/pause:3.10.2 -> pause:3.10.2 (what containerd asks a mirror for).
 */
export function mirrorPath(name: string): string {
  const slash = name.indexOf('/');
  if (slash < 0 || !/[.:]/.test(name.slice(0, slash))) throw new Error(`image name ${name} must start with its registry (docker.io/..., registry.k8s.io/...)`);
  return name.slice(slash + 1);
}

/** Registries whose images the sandbox's registry serves, for a containerd hosts.toml mirror. */
export const MIRRORED_REGISTRIES = ['docker.io', 'registry.k8s.io'] as const;

/**
 * The name under which a node sees the registry with auth (`startCluster({ authRegistry })`):
 * images such as `private.ocmadm.test/library/node:24-bookworm-slim` exist only there, and a pull
 * secret for this name is what the kubelet matches them with. (.test: reserved, never resolves.)
 */
export const AUTH_REGISTRY_HOST = 'private.ocmadm.test';

/**
 * Writes `<dir>/<registry>/hosts.toml` for each of `registries`, sending every pull to the
 * local registry and nowhere else (containerd's `config_path`, or `ctr --hosts-dir`). Routing
 * only: credentials come with each pull (the kubelet's, from a pull secret), never from here.
 */
export function writeMirrorHosts(dir: string, address: string, registries: readonly string[] = MIRRORED_REGISTRIES): void {
  for (const reg of registries) {
    fs.mkdirSync(path.join(dir, reg), { recursive: true });
    const body = `# ${reg} is served by the sandbox's local registry: no pull leaves this machine.\nserver = "http://${address}"\n\n[host."http://${address}"]\n  capabilities = ["pull", "resolve"]\n`;
    fs.writeFileSync(path.join(dir, reg, 'hosts.toml'), body);
  }
}

/** `crane push` of an OCI layout; blobs and manifests the registry already has are not sent again. */
export async function pushLayout(tools: ImageTools, layoutDir: string, ref: string, auth?: RegistryAuth): Promise<void> {
  // crane reads credentials from a Docker config: a private one per push, 0600, removed after.
  const dockerConfig = fs.mkdtempSync(path.join(path.dirname(layoutDir), '.crane-'));
  try {
    const registryHost = ref.slice(0, ref.indexOf('/'));
    const auths = auth ? { [registryHost]: { auth: Buffer.from(`${auth.username}:${auth.password}`).toString('base64') } } : {};
    fs.writeFileSync(path.join(dockerConfig, 'config.json'), JSON.stringify({ auths }), { mode: 0o600 });
    await execFileP(tools.crane, ['push', '--insecure', layoutDir, ref], { env: { ...process.env, DOCKER_CONFIG: dockerConfig } }).catch((err: Error & { stderr?: string }) => {
      throw new Error(`crane push ${ref} failed: ${(err.stderr ?? err.message).trim().split('\n').pop()}`);
    });
  } finally {
    fs.rmSync(dockerConfig, { recursive: true, force: true });
  }
}
