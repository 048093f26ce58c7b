import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

/**
 * Where the control-plane binaries (etcd, kube-apiserver, kube-controller-manager, kubectl)
 * come from, in order: $OCMADM_K8S_BIN; the build cache for the current go.sum and Go version;
 * any complete build in the cache; a build through e2e/k8sbins/build.sh when Go is installed
 * and this is a checkout (the module is not in the npm package); otherwise a clear error.
 */
export const K8S_BINARIES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kubectl'] as const;
export type K8sBinary = (typeof K8S_BINARIES)[number];
export type BinaryPaths = Record<K8sBinary, string>;

const execFileP = promisify(execFile);
/** src/sandbox and dist/sandbox are both two levels below the package root. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const K8SBINS_MODULE = path.join(ROOT, 'e2e', 'k8sbins');

/** The paths of `names` in `dir`, or undefined unless every one is an executable file there. */
export function executablesIn<T extends string>(dir: string, names: readonly T[]): Record<T, string> | undefined {
  const out = {} as Record<T, string>;
  for (const b of names) {
    const file = path.join(dir, b);
    try {
      fs.accessSync(file, fs.constants.X_OK);
    } catch {
      return undefined;
    }
    out[b] = file;
  }
  return out;
}

const complete = (dir: string): BinaryPaths | undefined => executablesIn(dir, K8S_BINARIES);

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'ocmadm', 'k8sbins');
}

/** The `go version` line, or undefined when no Go toolchain is on PATH. */
async function goVersion(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  try {
    const { stdout } = await execFileP('go', ['version'], { env: { ...env, GOTOOLCHAIN: 'local' } });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

/**
 * The newest complete build in the cache, whatever its key: used when the key cannot be
 * computed (no Go, or an installed package without the build module). Any build works.
 */
function newestCached(root: string): BinaryPaths | undefined {
  let entries: string[];
  try {
    entries = fs.readdirSync(root).filter((n) => !n.startsWith('.'));
  } catch {
    return undefined;
  }
  const dirs = entries.map((n) => path.join(root, n)).sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  for (const d of dirs) {
    const found = complete(d);
    if (found) return found;
  }
  return undefined;
}

/** The files a build depends on besides Go, in build.sh's order (its KEY_FILES). */
export const KEY_FILES = ['go.sum', 'images/go.sum', 'images/pause/main.go', 'images/htpasswd/main.go'] as const;

/** The cache key build.sh uses: sha256 of the KEY_FILES' contents followed by the `go version` line. */
export function cacheKey(keyFiles: Buffer[], goVersionLine: string): string {
  const h = createHash('sha256');
  for (const f of keyFiles) h.update(f);
  return h.update(goVersionLine + '\n').digest('hex').slice(0, 16);
}

/** The cache key of the build module in `moduleDir` (undefined when one of its KEY_FILES is missing). */
export function moduleCacheKey(moduleDir: string, goVersionLine: string): string | undefined {
  try {
    return cacheKey(KEY_FILES.map((f) => fs.readFileSync(path.join(moduleDir, f))), goVersionLine);
  } catch {
    return undefined;
  }
}

function runBuildScript(script: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    // Progress (stderr) goes straight to the user; the last stdout line is the directory.
    const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'inherit'], env });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${script} failed with exit code ${code}; its output is above`));
      const last = stdout.trim().split('\n').pop() ?? '';
      resolve(last);
    });
  });
}

export interface FindBinariesOptions {
  /** false: never build, fail instead. */
  build?: boolean;
  /** Where the Go build module is (default: e2e/k8sbins of this checkout). */
  moduleDir?: string;
  env?: NodeJS.ProcessEnv;
}

const WANTED = `a directory holding ${K8S_BINARIES.join(', ')}`;

/** Finds (or builds, once) the control-plane binaries; fails with what is missing and how to get it. */
export async function findBinaries(opts: FindBinariesOptions = {}): Promise<BinaryPaths> {
  const env = opts.env ?? process.env;
  const moduleDir = opts.moduleDir ?? K8SBINS_MODULE;
  const explicit = env.OCMADM_K8S_BIN;
  if (explicit) {
    const found = complete(explicit);
    if (!found) throw new Error(`OCMADM_K8S_BIN=${explicit} must be ${WANTED} (all executable)`);
    return found;
  }
  const go = await goVersion(env);
  const goSum = path.join(moduleDir, 'go.sum');
  const script = path.join(moduleDir, 'build.sh');
  const checkout = fs.existsSync(goSum) && fs.existsSync(script);
  if (go && checkout) {
    // A checkout builds exactly what its go.sum pins (a bumped version must not reuse old ones).
    const key = moduleCacheKey(moduleDir, go);
    const cached = key ? complete(path.join(cacheRoot(env), key)) : undefined;
    if (cached) return cached;
    if (opts.build === false) throw new Error('the control-plane binaries are not built yet: run npm run k8s:bins');
    const dir = await runBuildScript(script, env);
    const built = complete(dir);
    if (!built) throw new Error(`${script} reported ${dir}, which lacks one of ${K8S_BINARIES.join(', ')}`);
    return built;
  }
  const any = newestCached(cacheRoot(env));
  if (any) return any;
  if (!checkout) {
    throw new Error(
      `no Kubernetes control-plane binaries: set OCMADM_K8S_BIN to ${WANTED}, or build them from an ocmadm checkout ` +
        `(git clone, npm ci, npm run k8s:bins; needs Go >= 1.26): this installation has no build module (${moduleDir} is missing)`,
    );
  }
  // A checkout without Go.
  throw new Error(
    `no Kubernetes control-plane binaries: install Go >= 1.26 (https://go.dev/dl/) so ocmadm can build them from ${moduleDir} ` +
      `(once, 5-20 min), or set OCMADM_K8S_BIN to ${WANTED}`,
  );
}
