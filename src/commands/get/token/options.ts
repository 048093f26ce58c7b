/** `ocmadm get token` flags → validated options. Pure. */
import { parseOutputFormat } from '../../../ui/output.js';
import { resolveTtl } from '../../../install/hub/token-options.js';

export interface GetTokenFlags {
  ttl?: string;
  useBootstrapToken?: boolean;
  output?: string;
}

export interface GetTokenOptions {
  ttlSeconds: number;
  useBootstrapToken: boolean;
  output: 'text' | 'json';
}

export function validateGetTokenOptions(f: GetTokenFlags): GetTokenOptions {
  const useBootstrapToken = !!f.useBootstrapToken;
  return {
    ttlSeconds: resolveTtl(f.ttl, useBootstrapToken),
    useBootstrapToken,
    output: parseOutputFormat(f.output, ['text', 'json']) as 'text' | 'json',
  };
}
