import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import yaml from 'js-yaml';
import type { KubeObject } from '../kube/client.js';

/** src/templates in a checkout, and the same folder next to dist/ in the package. */
export const TEMPLATES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/templates');

const hb = Handlebars.create();
// JSON string literal: safe for any value inside YAML (quotes, colons, newlines, base64 '=').
hb.registerHelper('quote', (v: unknown) => JSON.stringify(v === undefined || v === null ? '' : String(v)));
hb.registerHelper('json', (v: unknown) => JSON.stringify(v ?? null));
hb.registerHelper('b64', (v: unknown) => Buffer.from(String(v ?? '')).toString('base64'));
hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);

const cache = new Map<string, Handlebars.TemplateDelegate>();

function compile(name: string): Handlebars.TemplateDelegate {
  let t = cache.get(name);
  if (!t) {
    const file = path.join(TEMPLATES_DIR, name);
    t = hb.compile(fs.readFileSync(file, 'utf8'), { noEscape: true, strict: true });
    cache.set(name, t);
  }
  return t;
}

/** Renders one template (path relative to src/templates) to text. Missing values throw (strict). */
export function renderText(name: string, values: object): string {
  return compile(name)(values);
}

/** Renders a multi-document YAML template into objects, dropping empty documents. */
export function renderObjects(name: string, values: object): KubeObject[] {
  const docs = yaml.loadAll(renderText(name, values)) as Array<KubeObject | null | undefined>;
  return docs.filter((d): d is KubeObject => !!d && typeof d === 'object');
}

/** Objects back to one multi-document YAML text (for --dry-run and --output-file). */
export function toYaml(objects: KubeObject[]): string {
  return objects.map((o) => yaml.dump(o, { noRefs: true, lineWidth: -1 })).join('---\n');
}
