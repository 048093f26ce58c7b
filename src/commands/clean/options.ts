/** `ocmadm clean` flags → validated options. Pure. */
import { parseOutputFormat } from '../../ui/output.js';

export interface CleanFlags {
  force?: boolean;
  dryRun?: boolean;
  output?: string;
}

export interface CleanOptions {
  /** Also when clusters are still accepted: they are deleted first, while the hub controller still runs. */
  force: boolean;
  dryRun: boolean;
  output: 'text' | 'json';
}

export function validateCleanOptions(f: CleanFlags): CleanOptions {
  return { force: !!f.force, dryRun: !!f.dryRun, output: parseOutputFormat(f.output, ['text', 'json']) as 'text' | 'json' };
}
