/**
 * Reading the manifests of `ocmadm deploy -f`: files, directories (their .yaml/.yml/.json files,
 * sorted) and stdin; YAML errors name file, line and column; every object must be whole (kind,
 * apiVersion, a fixed name) and appear once. Pure apart from reading files.
 */
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { CliError, UsageError } from '../../cli/errors.js';
import type { KubeObject } from '../../kube/client.js';

export interface Manifest {
  obj: KubeObject;
  /** "app.yaml:12" or "-": where it came from, for messages. */
  source: string;
}

/** The files a -f value stands for. */
export function expandPath(p: string): string[] {
  if (p === '-') return ['-'];
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    throw new CliError(`-f ${p}: no such file or directory; pass an existing file or directory, or - for stdin`);
  }
  if (!st.isDirectory()) return [p];
  const files = fs
    .readdirSync(p)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => path.join(p, f));
  if (!files.length) throw new UsageError(`-f ${p}: the directory holds no .yaml, .yml or .json file`);
  return files;
}

/** Parses one file's text into objects (a v1 List is unpacked, empty documents skipped). */
export function parseManifests(text: string, file: string): Manifest[] {
  let docs: unknown[];
  try {
    docs = yaml.loadAll(text);
  } catch (err) {
    const e = err as yaml.YAMLException;
    const where = e.mark ? `:${e.mark.line + 1}:${e.mark.column + 1}` : '';
    throw new UsageError(`${file}${where}: invalid YAML: ${e.reason ?? e.message}; fix the file there`);
  }
  const out: Manifest[] = [];
  docs.forEach((doc, i) => {
    if (doc === null || doc === undefined) return;
    const source = docs.length > 1 ? `${file} (document ${i + 1})` : file;
    if (typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`${source}: not a Kubernetes object`);
    const obj = doc as KubeObject & { items?: KubeObject[] };
    if (obj.kind === 'List' && Array.isArray(obj.items)) obj.items.forEach((item, j) => out.push({ obj: item, source: `${source} (item ${j + 1})` }));
    else out.push({ obj, source });
  });
  return out;
}

const idOf = (o: KubeObject) => `${(o.apiVersion ?? '').split('/').length > 1 ? o.apiVersion!.split('/')[0] : ''}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;

/** Checks that every object can be applied as it is, and that none appears twice. */
export function checkManifests(manifests: Manifest[]): void {
  if (!manifests.length) throw new UsageError('no manifests: the files given with -f hold no object');
  const seen = new Map<string, string>();
  for (const { obj, source } of manifests) {
    if (!obj.apiVersion || !obj.kind) throw new UsageError(`${source}: an object needs apiVersion and kind`);
    if (obj.metadata?.generateName && !obj.metadata.name) {
      throw new UsageError(`${source}: ${obj.kind} uses metadata.generateName: a work must name its objects (set metadata.name)`);
    }
    if (!obj.metadata?.name) throw new UsageError(`${source}: ${obj.kind} has no metadata.name; set one (a work must name its objects)`);
    const id = idOf(obj);
    const first = seen.get(id);
    if (first) throw new UsageError(`${source}: ${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name} is already in ${first}`);
    seen.set(id, source);
  }
}

/** Reads every -f value (stdin at most once) and returns the checked manifests. */
export function loadManifests(paths: string[], readStdin: () => string): Manifest[] {
  const files = paths.flatMap(expandPath);
  if (files.filter((f) => f === '-').length > 1) throw new UsageError('-f - (stdin) can be given only once');
  const manifests = files.flatMap((f) => parseManifests(f === '-' ? readStdin() : fs.readFileSync(f, 'utf8'), f === '-' ? '<stdin>' : f));
  checkManifests(manifests);
  return manifests;
}
