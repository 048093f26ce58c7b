/** `ocmadm delete token` flags → validated options. Pure. */
import { parseOutputFormat } from '../../../ui/output.js';

export interface DeleteTokenFlags {
  useBootstrapToken?: boolean;
  dryRun?: boolean;
  output?: string;
}

export interface DeleteTokenOptions {
  useBootstrapToken: boolean;
  dryRun: boolean;
  output: 'text' | 'json';
}

export function validateDeleteTokenOptions(f: DeleteTokenFlags): DeleteTokenOptions {
  return { useBootstrapToken: !!f.useBootstrapToken, dryRun: !!f.dryRun, output: parseOutputFormat(f.output, ['text', 'json']) as 'text' | 'json' };
}
