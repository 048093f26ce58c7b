/** `ocmadm delete token` flags → validated options. Pure. */
import { parseOutputFormat } from '../../../ui/output.js';

export interface DeleteTokenFlags {
  useBootstrapToken?: boolean;
  output?: string;
}

export interface DeleteTokenOptions {
  useBootstrapToken: boolean;
  output: 'text' | 'json';
}

export function validateDeleteTokenOptions(f: DeleteTokenFlags): DeleteTokenOptions {
  return { useBootstrapToken: !!f.useBootstrapToken, output: parseOutputFormat(f.output, ['text', 'json']) as 'text' | 'json' };
}
