/**
 * Helpers for the secrets suite: the secret values to look for (needles), a search of every
 * listable object on a cluster, and a walk of the files ocmadm wrote with their modes.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { KubeClient } from '../../src/kube/client.js';
import { KubeApiError } from '../../src/kube/errors.js';

/** A secret value, by what it is (named in failures instead of the value). */
export interface Needle {
  what: string;
  value: string;
}

/** The needles a text contains, by name. */
export const leaked = (text: string, needles: Needle[]): string[] => needles.filter((n) => n.value && text.includes(n.value)).map((n) => n.what);

/** The text followed by every base64 run in it, decoded (Secret data, kubeconfig certificate data). */
export const withBase64Decoded = (text: string): string =>
  [text, ...(text.match(/[A-Za-z0-9+/]{40,}={0,2}/g) ?? []).map((b) => Buffer.from(b, 'base64').toString('latin1'))].join('\n');

/** Needles for a PEM private key: the header, its base64 body (first line), and the base64 of the PEM as stored in a Secret. */
export function keyNeedles(who: string, keyPem: string): Needle[] {
  const body = keyPem.split('\n').find((l) => l && !l.startsWith('-----')) ?? '';
  return [
    { what: 'a "PRIVATE KEY" PEM header', value: 'PRIVATE KEY' },
    { what: `${who}'s private key (PEM body)`, value: body.slice(0, 40) },
    { what: `${who}'s private key (base64 of the PEM, as in a Secret)`, value: Buffer.from(keyPem).toString('base64').slice(0, 40) },
  ];
}

interface ApiResourceList {
  groupVersion: string;
  resources: { name: string; namespaced: boolean; verbs: string[] }[];
}

/** The path of every resource on the server that can be listed (preferred version of each group). */
export async function listablePaths(client: KubeClient): Promise<string[]> {
  const groups = await client.get<{ groups: { preferredVersion: { groupVersion: string } }[] }>('/apis');
  const lists: { base: string; list: ApiResourceList }[] = [{ base: '/api/v1', list: await client.get<ApiResourceList>('/api/v1') }];
  for (const g of groups.groups) {
    const gv = g.preferredVersion.groupVersion;
    lists.push({ base: `/apis/${gv}`, list: await client.get<ApiResourceList>(`/apis/${gv}`) });
  }
  return lists.flatMap(({ base, list }) => list.resources.filter((r) => !r.name.includes('/') && r.verbs.includes('list')).map((r) => `${base}/${r.name}`));
}

/** Every object the client can list on the cluster, one JSON text per resource path. */
export async function everyObject(client: KubeClient): Promise<{ path: string; text: string }[]> {
  const out: { path: string; text: string }[] = [];
  for (const p of await listablePaths(client)) {
    try {
      out.push({ path: p, text: JSON.stringify(await client.list(p)) });
    } catch (err) {
      // Aggregated or deprecated kinds a bare control plane lists as unavailable.
      if (!(err instanceof KubeApiError) || ![404, 405, 503].includes(err.status)) throw err;
    }
  }
  return out;
}

/** Every file and directory under `root`, with its permission bits. */
export function walkModes(root: string): { path: string; dir: boolean; mode: number }[] {
  const out: { path: string; dir: boolean; mode: number }[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      const st = fs.lstatSync(p);
      if (st.isSymbolicLink()) continue;
      out.push({ path: path.relative(root, p), dir: st.isDirectory(), mode: st.mode & 0o777 });
      if (st.isDirectory()) walk(p);
    }
  };
  walk(root);
  return out;
}

export const octal = (mode: number) => `0${mode.toString(8)}`;

/** Every regular file under `root` and its text. */
export function filesUnder(root: string): { path: string; text: string }[] {
  return walkModes(root)
    .filter((e) => !e.dir)
    .map((e) => ({ path: e.path, text: fs.readFileSync(path.join(root, e.path), 'utf8') }));
}
