/** The image layer and layout writers: what GNU tar reads back, and the same bytes from the same inputs. */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { readOciLayout, tagOf, writeOciLayout, type ImageSpec } from './oci.js';
import { sortEntries, tarHeader, type TarEntry } from './tar.js';
import { specKey } from './build.js';
import { tempDir } from '../../../test/temp-dirs.js';

const tmp = () => tempDir('oci');

function sampleSpec(dir: string): ImageSpec {
  const bin = path.join(dir, 'tool');
  fs.writeFileSync(bin, 'x'.repeat(1500), { mode: 0o755 });
  const long = `usr/share/${'deep/'.repeat(25)}file.txt`;
  const entries: TarEntry[] = [
    { type: 'file', path: 'usr/bin/tool', mode: 0o755, source: bin },
    { type: 'dir', path: 'tmp', mode: 0o1777 },
    { type: 'dir', path: 'home/node', mode: 0o755, uid: 1000, gid: 1000 },
    { type: 'symlink', path: 'bin', target: 'usr/bin' },
    { type: 'file', path: 'etc/passwd', mode: 0o644, source: Buffer.from('root:x:0:0::/root:/bin/sh\n') },
    { type: 'file', path: long, mode: 0o600, source: Buffer.from('deep\n') },
  ];
  return { name: 'docker.io/library/sample:1.0', layers: [sortEntries(entries)], config: { Cmd: ['tool'], Env: ['PATH=/usr/bin'] } };
}

describe('OCI layout', () => {
  test('GNU tar reads the layer back with the modes, owners, links, long paths and fixed mtimes given', async () => {
    const work = tmp();
    const img = await writeOciLayout(path.join(work, 'img'), sampleSpec(work));
    const manifest = JSON.parse(fs.readFileSync(path.join(img.dir, 'blobs/sha256', img.manifestDigest.slice(7)), 'utf8'));
    const layer = path.join(img.dir, 'blobs/sha256', manifest.layers[0].digest.slice(7));
    const listing = execFileSync('tar', ['--numeric-owner', '-tvzf', layer], { encoding: 'utf8' });
    expect(listing).toMatch(/^lrwxrwxrwx 0\/0 +0 1970-01-01 00:00 bin -> usr\/bin$/m);
    expect(listing).toMatch(/^drwxr-xr-x 1000\/1000 +0 1970-01-01 00:00 home\/node\/$/m);
    expect(listing).toMatch(/^drwxrwxrwt 0\/0 +0 1970-01-01 00:00 tmp\/$/m);
    expect(listing).toMatch(/^-rwxr-xr-x 0\/0 +1500 1970-01-01 00:00 usr\/bin\/tool$/m);
    expect(listing).toMatch(/usr\/share\/(deep\/){25}file\.txt$/m);
    expect(img.uncompressedSize % 512).toBe(0);
    expect(img.compressedSize).toBe(fs.statSync(layer).size);
    const config = JSON.parse(fs.readFileSync(path.join(img.dir, 'blobs/sha256', manifest.config.digest.slice(7)), 'utf8'));
    expect(config.config).toEqual({ Cmd: ['tool'], Env: ['PATH=/usr/bin'] });
    expect(config.rootfs.diff_ids).toHaveLength(1);
    expect(readOciLayout(img.dir)).toEqual(img);
  });

  test('the same inputs give the same digests; a changed file changes the key', async () => {
    const work = tmp();
    const spec = sampleSpec(work);
    const a = await writeOciLayout(path.join(work, 'a'), spec);
    const b = await writeOciLayout(path.join(work, 'b'), spec);
    expect(b.manifestDigest).toBe(a.manifestDigest);
    const key = specKey(spec);
    // Another size: hashes are remembered per (path, inode, size, mtime), and mtimes are coarse.
    fs.writeFileSync(path.join(work, 'tool'), 'y'.repeat(1501));
    expect(specKey(spec)).not.toBe(key);
  });

  test('a duplicate path, a path too long for ustar and a name without a tag are refused', () => {
    expect(() => sortEntries([{ type: 'dir', path: 'a', mode: 0o755 }, { type: 'dir', path: 'a', mode: 0o700 }])).toThrow(/two entries for a/);
    expect(() => tarHeader({ type: 'dir', path: 'x'.repeat(120), mode: 0o755 }, 0)).toThrow(/too long/);
    expect(tagOf('registry.k8s.io/pause:3.10.2')).toBe('3.10.2');
    expect(() => tagOf('127.0.0.1:5000/pause')).toThrow(/no tag/);
  });
});
