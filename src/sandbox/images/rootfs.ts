import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { TarEntry } from './tar.js';

/**
 * What goes into the sandbox's Node.js image: the node binary, exactly the shared libraries it
 * and /bin/sh link (as `ldd` lists them, at the paths the host keeps them), and the few files of a
 * Debian slim image that Node and Kubernetes pods rely on (users, groups, name service switch,
 * CA bundle, writable /tmp).
 */

/** The host's shared libraries of an ELF binary, as `ldd` prints them (vdso excluded). */
export function linkedLibraries(binary: string): string[] {
  let out: string;
  try {
    out = execFileSync('ldd', [binary], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    // ldd exits 1 on a static binary or a script.
    const e = err as { stdout?: string; stderr?: string };
    if (/not a dynamic executable/.test(`${e.stdout}${e.stderr}`)) return [];
    throw err;
  }
  if (/statically linked/.test(out)) return [];
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(0x/.exec(line);
    if (m?.[1]) libs.push(m[1]);
    else if (/=>\s*not found/.test(line)) throw new Error(`${binary} links a library the host lacks: ${line.trim()}`);
  }
  return libs;
}

/** Collects file and symlink entries for host paths, placed at the same paths in the image. */
export class HostFiles {
  private readonly entries = new Map<string, TarEntry>();

  /** Copies host path `p` (following symlinks, each link kept as a link) to the same image path. */
  add(p: string, imagePath?: string): void {
    if (imagePath) {
      this.put({ type: 'file', path: rel(imagePath), mode: fs.statSync(p).mode & 0o777, source: p });
      return;
    }
    for (let hop = 0; hop < 16; hop++) {
      // The directory's real path: /lib/x.so on a merged-/usr host is /usr/lib/x.so.
      const canonical = path.join(fs.realpathSync(path.dirname(p)), path.basename(p));
      const st = fs.lstatSync(canonical);
      if (!st.isSymbolicLink()) {
        this.put({ type: 'file', path: rel(canonical), mode: st.mode & 0o777, source: canonical });
        return;
      }
      const target = fs.readlinkSync(canonical);
      this.put({ type: 'symlink', path: rel(canonical), target });
      p = path.resolve(path.dirname(canonical), target);
    }
    throw new Error(`too many symlinks resolving ${p}`);
  }

  /** The host's merged-/usr links (/bin -> usr/bin, /lib -> usr/lib, ...), where it has them. */
  addTopLevelLinks(names = ['bin', 'lib', 'lib64', 'sbin']): void {
    for (const n of names) {
      const p = `/${n}`;
      try {
        if (fs.lstatSync(p).isSymbolicLink()) this.put({ type: 'symlink', path: n, target: fs.readlinkSync(p) });
      } catch {
        /* not on this host */
      }
    }
  }

  put(e: TarEntry): void {
    this.entries.set(e.path, e);
  }

  /** Every entry plus the directories that hold them (0755, root), unless given explicitly. */
  list(dirs: TarEntry[] = []): TarEntry[] {
    const all = new Map(this.entries);
    for (const d of dirs) all.set(d.path, d);
    const links = [...all.values()].filter((e) => e.type === 'symlink').map((e) => e.path);
    for (const e of [...all.values()]) {
      for (let dir = path.posix.dirname(e.path); dir !== '.'; dir = path.posix.dirname(dir)) {
        // A parent that is a top-level link (lib -> usr/lib) must stay a link.
        if (all.has(dir) || links.includes(dir)) break;
        all.set(dir, { type: 'dir', path: dir, mode: 0o755 });
      }
    }
    return [...all.values()];
  }
}

function rel(p: string): string {
  return p.replace(/^\/+/, '');
}

/** Users as in the official image (node 1000) plus distroless' nonroot (65532) for pods. */
export const PASSWD = [
  'root:x:0:0:root:/root:/bin/sh',
  'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
  'node:x:1000:1000::/home/node:/bin/sh',
  'nonroot:x:65532:65532:nonroot:/home/nonroot:/usr/sbin/nologin',
].join('\n');

export const GROUP = ['root:x:0:', 'nogroup:x:65534:', 'node:x:1000:', 'nonroot:x:65532:'].join('\n');

export const NSSWITCH = ['passwd: files', 'group: files', 'shadow: files', 'hosts: files dns', 'networks: files', 'protocols: files', 'services: files'].join('\n');

const text = (s: string): Buffer => Buffer.from(s + '\n');

/** The layer of docker.io/library/node:24-bookworm-slim as built here. */
export function nodeRootfs(nodeBinary: string, shell: string | undefined): TarEntry[] {
  const files = new HostFiles();
  files.addTopLevelLinks();
  files.add(nodeBinary, '/usr/local/bin/node');
  for (const lib of linkedLibraries(nodeBinary)) files.add(lib);
  if (shell) {
    // /bin/sh for `kubectl exec` and shell-form commands: Debian's dash, as in the official image.
    files.add(shell, '/usr/bin/dash');
    files.put({ type: 'symlink', path: 'usr/bin/sh', target: 'dash' });
    for (const lib of linkedLibraries(shell)) files.add(lib);
  }
  files.put({ type: 'file', path: 'etc/passwd', mode: 0o644, source: text(PASSWD) });
  files.put({ type: 'file', path: 'etc/group', mode: 0o644, source: text(GROUP) });
  files.put({ type: 'file', path: 'etc/nsswitch.conf', mode: 0o644, source: text(NSSWITCH) });
  const ca = '/etc/ssl/certs/ca-certificates.crt';
  if (fs.existsSync(ca)) files.put({ type: 'file', path: rel(ca), mode: 0o644, source: fs.realpathSync(ca) });
  return files.list([
    { type: 'dir', path: 'tmp', mode: 0o1777 },
    { type: 'dir', path: 'var/tmp', mode: 0o1777 },
    { type: 'dir', path: 'root', mode: 0o700 },
    { type: 'dir', path: 'usr/sbin', mode: 0o755 },
    { type: 'dir', path: 'home/node', mode: 0o755, uid: 1000, gid: 1000 },
    { type: 'dir', path: 'home/nonroot', mode: 0o755, uid: 65532, gid: 65532 },
    // Mount points the runtime fills in.
    { type: 'dir', path: 'dev', mode: 0o755 },
    { type: 'dir', path: 'proc', mode: 0o555 },
    { type: 'dir', path: 'sys', mode: 0o555 },
    { type: 'dir', path: 'run', mode: 0o755 },
  ]);
}
