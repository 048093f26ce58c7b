import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { tarStream, type TarEntry } from './tar.js';

/**
 * Writes an image as an OCI image layout directory (oci-layout, index.json, blobs/sha256/...),
 * the format `crane push DIR` and `ctr images import` read. Layers are gzip'd tars; every
 * digest is computed while writing, so the image is streamed to disk once.
 */
export const MEDIA = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

/** The parts of an OCI image config's `config` that the sandbox's images set. */
export interface RuntimeConfig {
  User?: string;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  WorkingDir?: string;
  Labels?: Record<string, string>;
}

export interface ImageSpec {
  /** Full reference, e.g. docker.io/library/node:24-bookworm-slim. */
  name: string;
  layers: TarEntry[][];
  config: RuntimeConfig;
}

export interface BuiltImage {
  name: string;
  dir: string;
  manifestDigest: string;
  /** Bytes of the gzip'd layers (what a pull downloads) and of the tars (what it unpacks). */
  compressedSize: number;
  uncompressedSize: number;
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

function hashing(hash: ReturnType<typeof createHash>, count: { n: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      count.n += chunk.length;
      done(null, chunk);
    },
  });
}

async function writeBlob(blobs: string, data: Buffer, mediaType: string): Promise<Descriptor> {
  const hex = createHash('sha256').update(data).digest('hex');
  await fs.promises.writeFile(path.join(blobs, hex), data);
  return { mediaType, digest: `sha256:${hex}`, size: data.length };
}

async function writeLayer(blobs: string, entries: TarEntry[]): Promise<{ desc: Descriptor; diffId: string; tarSize: number }> {
  const tmp = path.join(blobs, `.layer-${process.pid}-${Date.now()}`);
  const diff = createHash('sha256');
  const blob = createHash('sha256');
  const tarCount = { n: 0 };
  const gzCount = { n: 0 };
  await pipeline(
    Readable.from(tarStream(entries)),
    hashing(diff, tarCount),
    zlib.createGzip({ level: 6 }),
    hashing(blob, gzCount),
    fs.createWriteStream(tmp),
  );
  const hex = blob.digest('hex');
  await fs.promises.rename(tmp, path.join(blobs, hex));
  return { desc: { mediaType: MEDIA.layer, digest: `sha256:${hex}`, size: gzCount.n }, diffId: `sha256:${diff.digest('hex')}`, tarSize: tarCount.n };
}

/** The tag part of a reference (after the last ':' that follows the last '/'). */
export function tagOf(name: string): string {
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon <= slash) throw new Error(`image name ${name} has no tag`);
  return name.slice(colon + 1);
}

/** Writes `spec` as an OCI layout into the empty directory `dir`. */
export async function writeOciLayout(dir: string, spec: ImageSpec): Promise<BuiltImage> {
  const blobs = path.join(dir, 'blobs', 'sha256');
  await fs.promises.mkdir(blobs, { recursive: true });
  const layers = [];
  for (const entries of spec.layers) layers.push(await writeLayer(blobs, entries));
  const config = {
    // No `created` or history timestamps: the same inputs give the same digest on every machine.
    architecture: 'amd64',
    os: 'linux',
    config: spec.config,
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
  };
  const configDesc = await writeBlob(blobs, Buffer.from(JSON.stringify(config)), MEDIA.config);
  const manifest = { schemaVersion: 2, mediaType: MEDIA.manifest, config: configDesc, layers: layers.map((l) => l.desc) };
  const manifestDesc = await writeBlob(blobs, Buffer.from(JSON.stringify(manifest)), MEDIA.manifest);
  const index = {
    schemaVersion: 2,
    manifests: [
      {
        ...manifestDesc,
        annotations: { 'org.opencontainers.image.ref.name': tagOf(spec.name), 'io.containerd.image.name': spec.name },
      },
    ],
  };
  await fs.promises.writeFile(path.join(dir, 'index.json'), JSON.stringify(index));
  await fs.promises.writeFile(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const uncompressedSize = layers.reduce((n, l) => n + l.tarSize, 0);
  // Not part of the layout (tools ignore it): the one figure the blobs cannot give back cheaply.
  await fs.promises.writeFile(path.join(dir, 'sizes.json'), JSON.stringify({ uncompressedSize }));
  return {
    name: spec.name,
    dir,
    manifestDigest: manifestDesc.digest,
    compressedSize: layers.reduce((n, l) => n + l.desc.size, 0),
    uncompressedSize,
  };
}

/** Reads back what writeOciLayout wrote (a cached image). */
export function readOciLayout(dir: string): BuiltImage {
  const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8')) as { manifests: Array<Descriptor> };
  const m = index.manifests[0];
  if (!m) throw new Error(`${dir}/index.json lists no image`);
  const name = m.annotations?.['io.containerd.image.name'];
  if (!name) throw new Error(`${dir}/index.json names no image`);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'blobs', 'sha256', m.digest.slice(7)), 'utf8')) as { layers: Descriptor[] };
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'sizes.json'), 'utf8')) as { uncompressedSize: number };
  return {
    name,
    dir,
    manifestDigest: m.digest,
    compressedSize: manifest.layers.reduce((n, l) => n + l.size, 0),
    uncompressedSize: meta.uncompressedSize,
  };
}
