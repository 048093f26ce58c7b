/**
 * Status feedback: values read from a live resource by a work's feedbackRules. `WellKnownStatus`
 * uses OCM's built-in paths for Deployments, DaemonSets, Jobs and Pods; `JSONPaths` uses the rule's own paths.
 * Paths are the subset of Kubernetes JSONPath that feedback rules use: `.a.b`, `[n]`, `['key']`
 * and filters `[?(@.field=="value")]`. A path that finds nothing yields no value (not an error).
 */
import type { KubeObject } from '../../../kube/client.js';
import { splitApiVersion } from '../../../kube/resources.js';
import type { FeedbackRuleT, FieldValueT } from '../../../api/work.js';

export interface FeedbackValue {
  name: string;
  fieldValue: FieldValueT;
}

type Path = { name: string; path: string; version?: string };

const WELL_KNOWN: Record<string, Path[]> = {
  'apps/v1/Deployment': [
    { name: 'ReadyReplicas', path: '.status.readyReplicas' },
    { name: 'Replicas', path: '.status.replicas' },
    { name: 'AvailableReplicas', path: '.status.availableReplicas' },
  ],
  'apps/v1/DaemonSet': [
    { name: 'NumberReady', path: '.status.numberReady' },
    { name: 'DesiredNumberScheduled', path: '.status.desiredNumberScheduled' },
    { name: 'NumberAvailable', path: '.status.numberAvailable' },
  ],
  'batch/v1/Job': [
    { name: 'JobComplete', path: '.status.conditions[?(@.type=="Complete")].status' },
    { name: 'JobSucceeded', path: '.status.succeeded' },
  ],
  'v1/Pod': [
    { name: 'PodReady', path: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'PodPhase', path: '.status.phase' },
  ],
};

/** JsonRaw values longer than this are refused, as the CRD's maxLength says. */
export const MAX_JSON_RAW = 1024;

type Step = { key: string } | { index: number } | { filter: { field: string[]; value: unknown } };

/** Parses a feedback path into steps; throws on syntax it does not support. */
export function parsePath(path: string): Step[] {
  const steps: Step[] = [];
  let s = path.trim().replace(/^\{(.*)\}$/, '$1').replace(/^\$/, '');
  while (s.length) {
    let m: RegExpMatchArray | null;
    if ((m = s.match(/^\.([A-Za-z0-9_-]+)/))) steps.push({ key: m[1]! });
    else if ((m = s.match(/^\[(\d+)\]/))) steps.push({ index: Number(m[1]) });
    else if ((m = s.match(/^\[\s*'([^']*)'\s*\]/) ?? s.match(/^\[\s*"([^"]*)"\s*\]/))) steps.push({ key: m[1]! });
    else if ((m = s.match(/^\[\?\(\s*@((?:\.[A-Za-z0-9_-]+)+)\s*==\s*("([^"]*)"|'([^']*)'|-?\d+(?:\.\d+)?|true|false)\s*\)\]/))) {
      const raw = m[2]!;
      const value = m[3] ?? m[4] ?? (raw === 'true' ? true : raw === 'false' ? false : Number(raw));
      steps.push({ filter: { field: m[1]!.slice(1).split('.'), value } });
    } else throw new Error(`unsupported JSONPath syntax at "${s}" in ${path}`);
    s = s.slice(m[0].length);
  }
  return steps;
}

/** Every value `path` finds in `obj` (filters may find several). */
export function findValues(obj: unknown, path: string): unknown[] {
  let cur: unknown[] = [obj];
  for (const step of parsePath(path)) {
    const next: unknown[] = [];
    for (const v of cur) {
      if ('key' in step) {
        if (v && typeof v === 'object' && !Array.isArray(v) && step.key in v) next.push((v as Record<string, unknown>)[step.key]);
      } else if ('index' in step) {
        if (Array.isArray(v) && step.index < v.length) next.push(v[step.index]);
      } else if (Array.isArray(v)) {
        const { field, value } = step.filter;
        for (const item of v) {
          const got = field.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), item);
          if (got === value) next.push(item);
        }
      }
    }
    cur = next;
  }
  return cur.filter((v) => v !== undefined && v !== null);
}

/** One found value as a FieldValue: integer, string, boolean, or JSON for anything else. */
export function toFieldValue(name: string, found: unknown[]): FieldValueT | undefined {
  if (found.length === 0) return undefined;
  const v = found.length === 1 ? found[0] : found;
  if (typeof v === 'number' && Number.isInteger(v)) return { type: 'Integer', integer: v };
  if (typeof v === 'string') return { type: 'String', string: v };
  if (typeof v === 'boolean') return { type: 'Boolean', boolean: v };
  const raw = JSON.stringify(v);
  if (raw.length > MAX_JSON_RAW) throw new Error(`the value of ${name} is longer than ${MAX_JSON_RAW} characters as JSON`);
  return { type: 'JsonRaw', jsonRaw: raw };
}

/** The paths of the well-known status of obj's kind, if OCM defines one. */
export function wellKnownPaths(obj: KubeObject): Path[] | undefined {
  return WELL_KNOWN[`${obj.apiVersion ?? ''}/${obj.kind ?? ''}`];
}

/** Values of all rules for `obj`; errors are collected (a bad path does not hide the good ones). */
export function feedbackValues(obj: KubeObject, rules: readonly FeedbackRuleT[]): { values: FeedbackValue[]; errors: string[] } {
  const values: FeedbackValue[] = [];
  const errors: string[] = [];
  const version = splitApiVersion(obj.apiVersion ?? '').version;
  for (const rule of rules) {
    let paths: Path[];
    if (rule.type === 'WellKnownStatus') {
      const known = wellKnownPaths(obj);
      if (!known) {
        errors.push(`no well-known status for ${obj.apiVersion ?? ''} ${obj.kind ?? ''}`);
        continue;
      }
      paths = known;
    } else paths = rule.jsonPaths ?? [];
    for (const p of paths) {
      if (p.version && p.version !== version) {
        errors.push(`the version ${p.version} of path ${p.name} does not match the resource's ${version}`);
        continue;
      }
      try {
        const fv = toFieldValue(p.name, findValues(obj, p.path));
        if (fv) values.push({ name: p.name, fieldValue: fv });
      } catch (err) {
        errors.push(`${p.name}: ${(err as Error).message}`);
      }
    }
  }
  return { values, errors };
}
