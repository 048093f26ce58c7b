import fs from 'node:fs';

/**
 * A reproducible tar stream for image layers: ustar headers, entries in the order given (callers
 * sort them), owner, group and mtime fixed by the entry, never taken from the machine. Only what a
 * root file system needs: directories, regular files (content from a path or a buffer), symlinks.
 */
export type TarEntry =
  | { type: 'dir'; path: string; mode: number; uid?: number; gid?: number }
  | { type: 'file'; path: string; mode: number; uid?: number; gid?: number; source: string | Buffer }
  | { type: 'symlink'; path: string; target: string };

/** Every entry's mtime: the epoch, so that a layer's digest depends on its contents only. */
export const LAYER_MTIME = 0;
const BLOCK = 512;

function writeString(buf: Buffer, offset: number, length: number, value: string): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > length) throw new Error(`tar: "${value}" does not fit in ${length} bytes`);
  bytes.copy(buf, offset);
}

function writeOctal(buf: Buffer, offset: number, length: number, value: number): void {
  // length-1 octal digits and a NUL, as GNU tar and Go's archive/tar write them.
  writeString(buf, offset, length, value.toString(8).padStart(length - 1, '0') + '\0');
}

/** Splits a path into ustar's prefix (155 bytes) and name (100 bytes) at a slash. */
function splitName(p: string): { prefix: string; name: string } {
  if (Buffer.byteLength(p) <= 100) return { prefix: '', name: p };
  for (let i = p.lastIndexOf('/'); i > 0; i = p.lastIndexOf('/', i - 1)) {
    const prefix = p.slice(0, i);
    const name = p.slice(i + 1);
    if (name && Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { prefix, name };
  }
  throw new Error(`tar: path too long for ustar: ${p}`);
}

export function tarHeader(entry: TarEntry, size: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  const full = entry.type === 'dir' ? `${entry.path.replace(/\/$/, '')}/` : entry.path;
  const { prefix, name } = splitName(full);
  writeString(h, 0, 100, name);
  writeOctal(h, 100, 8, entry.type === 'symlink' ? 0o777 : entry.mode & 0o7777);
  writeOctal(h, 108, 8, entry.type === 'symlink' ? 0 : (entry.uid ?? 0));
  writeOctal(h, 116, 8, entry.type === 'symlink' ? 0 : (entry.gid ?? 0));
  writeOctal(h, 124, 12, size);
  writeOctal(h, 136, 12, LAYER_MTIME);
  h.write('        ', 148, 'ascii'); // the checksum field counts as spaces while summing
  h.write(entry.type === 'dir' ? '5' : entry.type === 'symlink' ? '2' : '0', 156, 'ascii');
  if (entry.type === 'symlink') writeString(h, 157, 100, entry.target);
  h.write('ustar\u000000', 257, 'binary');
  writeString(h, 345, 155, prefix);
  let sum = 0;
  for (const b of h) sum += b;
  writeString(h, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

/** The tar stream of `entries`, file contents read in chunks (a Node binary is ~120 MB). */
export async function* tarStream(entries: TarEntry[]): AsyncGenerator<Buffer> {
  for (const e of entries) {
    if (e.type !== 'file') {
      yield tarHeader(e, 0);
      continue;
    }
    if (Buffer.isBuffer(e.source)) {
      yield tarHeader(e, e.source.length);
      yield e.source;
      yield padding(e.source.length);
      continue;
    }
    const size = fs.statSync(e.source).size;
    yield tarHeader(e, size);
    let read = 0;
    for await (const chunk of fs.createReadStream(e.source, { highWaterMark: 1 << 20 })) {
      read += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
    if (read !== size) throw new Error(`tar: ${e.source} changed size while being read (${size} -> ${read} bytes)`);
    yield padding(size);
  }
  yield Buffer.alloc(2 * BLOCK); // end of archive
}

/** Sorts entries by path (parents before children) and rejects duplicates. */
export function sortEntries(entries: TarEntry[]): TarEntry[] {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  sorted.forEach((e, i) => {
    if (i > 0 && e.path === sorted[i - 1]?.path) throw new Error(`tar: two entries for ${e.path}`);
  });
  return sorted;
}
