import yaml from 'js-yaml';
import { UsageError } from '../cli/errors.js';

export type OutputFormat = 'text' | 'json' | 'yaml';

/** `textName`: what the command's --help calls its text format ("table" for get and list commands). */
export function parseOutputFormat(value: string | undefined, allowed: OutputFormat[] = ['text', 'json', 'yaml'], textName = 'text'): OutputFormat {
  const v = (value ?? 'text') === 'table' ? 'text' : (value ?? 'text');
  if (!allowed.includes(v as OutputFormat)) {
    throw new UsageError(`unknown output format "${value}": use one of ${allowed.map((f) => (f === 'text' ? textName : f)).join(', ')}`);
  }
  return v as OutputFormat;
}

/** Renders a result: JSON/YAML of the data, or the command's own text renderer. */
export function formatResult<T>(result: T, format: OutputFormat, text: (r: T) => string, data: (r: T) => unknown = (r) => r): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(data(result), null, 2)}\n`;
    case 'yaml':
      return yaml.dump(data(result), { noRefs: true, lineWidth: -1 });
    default: {
      const s = text(result);
      return s.endsWith('\n') || s === '' ? s : `${s}\n`;
    }
  }
}

/** A plain kubectl-style table: upper-case headers, columns padded by three spaces. */
export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - visibleLength(c) + 3)))
      .join('')
      .trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...rows.map(line)].join('\n') + '\n';
}

function visibleLength(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, '').length;
}

/** kubectl-style age: 5s, 3m, 2h, 4d. */
export function age(timestamp: string | undefined, now = Date.now()): string {
  if (!timestamp) return '<unknown>';
  const s = Math.max(0, Math.floor((now - Date.parse(timestamp)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}
