/** `ocmadm sandbox` flags → validated options (pure). */
import { UsageError } from '../../cli/errors.js';
import { parseOutputFormat } from '../../ui/output.js';

export const DEFAULT_NAME = 'ocm';
export const DEFAULT_SPOKES = 2;
/** Each control plane takes ~300 MB and a share of the CPU: more than this is no sandbox. */
export const MAX_SPOKES = 8;
/** Cluster names `<name>-spokeN` must stay within the control planes' 42-character limit. */
const NAME_RE = /^[a-z0-9]([a-z0-9-]{0,28}[a-z0-9])?$/;

export interface UpFlags {
  name?: string;
  spokes?: string;
  bare?: boolean;
  nodes?: string;
  output?: string;
}

export interface UpOptions {
  name: string;
  spokes: number;
  bare: boolean;
  /** 0: control planes only; 1: one real node per cluster; undefined: 1 where the machine can run nodes. */
  nodes?: 0 | 1;
  output: 'text' | 'json';
}

export function checkSandboxName(name: string | undefined): string {
  const n = name ?? DEFAULT_NAME;
  if (!NAME_RE.test(n)) throw new UsageError(`--name "${n}" must be 1-30 lowercase letters, digits and dashes, starting and ending with a letter or digit`);
  return n;
}

export function upOptions(f: UpFlags): UpOptions {
  const name = checkSandboxName(f.name);
  const raw = f.spokes ?? String(DEFAULT_SPOKES);
  const spokes = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || spokes > MAX_SPOKES) throw new UsageError(`--spokes must be a whole number from 0 to ${MAX_SPOKES}, got "${raw}"`);
  const output = parseOutputFormat(f.output, ['text', 'json']) as 'text' | 'json';
  if (f.nodes !== undefined && !/^[01]$/.test(f.nodes.trim())) throw new UsageError(`--nodes must be 0 (control planes only) or 1 (one real node per cluster), got "${f.nodes}"`);
  const nodes = f.nodes === undefined ? undefined : (Number(f.nodes) as 0 | 1);
  return { name, spokes, bare: !!f.bare, nodes, output };
}

export interface DownOptions {
  name: string;
  output: 'text' | 'json';
}

export function downOptions(f: { name?: string; output?: string }): DownOptions {
  return { name: checkSandboxName(f.name), output: parseOutputFormat(f.output, ['text', 'json']) as 'text' | 'json' };
}

export interface StatusOptions {
  /** Only this sandbox; all when undefined. */
  name?: string;
  output: 'text' | 'json';
}

export function statusOptions(f: { name?: string; output?: string }): StatusOptions {
  return { name: f.name === undefined ? undefined : checkSandboxName(f.name), output: parseOutputFormat(f.output, ['text', 'json']) as 'text' | 'json' };
}
