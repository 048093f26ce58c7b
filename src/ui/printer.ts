/**
 * The one printer every `ocmadm get <noun>` uses: a kubectl-style table from column
 * definitions, or the objects themselves as a v1 List in JSON or YAML (what `kubectl get -o
 * json` gives, so scripts and jq work the same).
 */
import type { KubeObject } from '../kube/client.js';
import { formatResult, parseOutputFormat, renderTable, type OutputFormat } from './output.js';

export interface Column<T> {
  header: string;
  value: (obj: T, now: number) => string | number | boolean | undefined;
}

export const GET_FORMATS: OutputFormat[] = ['text', 'json', 'yaml'];

export const parseGetFormat = (value: string | undefined): OutputFormat => parseOutputFormat(value, GET_FORMATS, 'table');

export function printObjects<T extends KubeObject>(items: T[], columns: Column<T>[], format: OutputFormat, empty: string, now = Date.now()): string {
  return formatResult(
    items,
    format,
    (list) => (list.length ? renderTable(columns.map((c) => c.header), list.map((o) => columns.map((c) => cell(c.value(o, now))))) : `${empty}\n`),
    (list) => ({ apiVersion: 'v1', kind: 'List', items: list }),
  );
}

const cell = (v: string | number | boolean | undefined): string => (v === undefined || v === '' ? '<none>' : String(v));

/** The status of a condition ("True", "False", "Unknown"), or undefined. */
export function conditionStatus(obj: KubeObject, type: string): string | undefined {
  const conditions = (obj.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions;
  return conditions?.find((c) => c.type === type)?.status;
}

/** Objects sorted by namespace then name, as kubectl lists them. */
export const byName = <T extends KubeObject>(items: T[]): T[] =>
  [...items].sort((a, b) => `${a.metadata?.namespace ?? ''}/${a.metadata?.name}`.localeCompare(`${b.metadata?.namespace ?? ''}/${b.metadata?.name}`));
