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
 * a build through e2e/k8sbins/build.sh when Go is installed; otherwise a clear error.
 */
export const K8S_BINARIES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kubectl'] as const;
export type K8sBinary = (typeof K8S_BINARIES)[number];
export type BinaryPaths = Record<K8sBinary, string>;

const execFileP = promisify(execFile);
/** src/sandbox and dist/sandbox are both two levels below the package root. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const K8SBINS_MODULE = path.join(ROOT, 'e2e', 'k8sbins');
const BUILD_SCRIPT = path.join(K8SBINS_MODULE, 'build.sh');

function complete(dir: string): BinaryPaths | undefined {
  const out = {} as BinaryPaths;
  for (const b of K8S_BINARIES) {
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

export function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'ocmadm', 'k8sbins');
}

/** The `go version` line, or undefined when no Go toolchain is on PATH. */
async function goVersion(): Promise<string | undefined> {
  try {
    const { stdout } = await execFileP('go', ['version'], { env: { ...process.env, GOTOOLCHAIN: 'local' } });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

/** The cache key build.sh uses: sha256 of go.sum followed by the `go version` line. */
export function cacheKey(goSum: Buffer, goVersionLine: string): string {
  return createHash('sha256').update(goSum).update(goVersionLine + '\n').digest('hex').slice(0, 16);
}

function runBuildScript(): Promise<string> {
  return new Promise((resolve, reject) => {
    // Progress (stderr) goes straight to the user; the last stdout line is the directory.
    const child = spawn('bash', [BUILD_SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${BUILD_SCRIPT} failed with exit code ${code}; its output is above`));
      const last = stdout.trim().split('\n').pop() ?? '';
      resolve(last);
    });
  });
}

/** Finds (or builds, once) the control-plane binaries. */
export async function findBinaries(opts: { build?: boolean } = {}): Promise<BinaryPaths> {
  const explicit = process.env.OCMADM_K8S_BIN;
  if (explicit) {
    const found = complete(explicit);
    if (!found) throw new Error(`OCMADM_K8S_BIN=${explicit} must hold executable ${K8S_BINARIES.join(', ')}`);
    return found;
  }
  const go = await goVersion();
  if (!go) {
    throw new Error(
      `no Kubernetes control-plane binaries: install a Go toolchain (they are built from ${K8SBINS_MODULE} on first use) ` +
        `or set OCMADM_K8S_BIN to a directory with ${K8S_BINARIES.join(', ')}`,
    );
  }
  const goSum = path.join(K8SBINS_MODULE, 'go.sum');
  if (fs.existsSync(goSum)) {
    const cached = complete(path.join(cacheRoot(), cacheKey(fs.readFileSync(goSum), go)));
    if (cached) return cached;
  }
  if (opts.build === false) throw new Error(`the control-plane binaries are not built yet: run npm run k8s:bins`);
  if (!fs.existsSync(BUILD_SCRIPT)) throw new Error(`cannot build the control-plane binaries: ${BUILD_SCRIPT} is missing`);
  const dir = await runBuildScript();
  const built = complete(dir);
  if (!built) throw new Error(`${BUILD_SCRIPT} reported ${dir}, which lacks one of ${K8S_BINARIES.join(', ')}`);
  return built;
}
