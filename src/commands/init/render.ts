/** Printing an InitResult: the join command alone on its line (text), clean JSON, or dry-run YAML. */
import type { KubeObject } from '../../kube/client.js';
import { toYaml } from '../../render/index.js';
import { formatDuration } from '../../install/hub/duration.js';
import { joinCommand } from '../../install/hub/tokens.js';
import type { InitResult } from './run.js';

/** `-o json`: what scripts need to join a cluster, nothing else. */
export function initJson(r: InitResult): Record<string, unknown> {
  if (r.dryRun) return dryRunList(r.objects);
  return {
    'hub-token': r.token?.token,
    'hub-apiserver': r.hubApiserver,
    'expires-at': r.token?.expiresAt ?? null,
    'token-type': r.token?.kind,
  };
}

/** --dry-run -o json: a v1 List kubectl can apply. */
export function dryRunList(objects: KubeObject[]): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'List', items: objects };
}

export function expiryPhrase(expiresAt: string | undefined, now = Date.now()): string {
  if (!expiresAt) return 'never expires';
  return `expires ${expiresAt} (in ${formatDuration((Date.parse(expiresAt) - now) / 1000)})`;
}

export function initText(r: InitResult, now = Date.now()): string {
  if (r.dryRun) return toYaml(r.objects);
  const runtime =
    r.runtime.type === 'local'
      ? `the hub controller runs as local process ${r.runtime.pid} (log: ${r.runtime.logFile})`
      : `the hub controller runs as Deployment ${r.runtime.deployment}`;
  const token = r.token!;
  return [
    `The hub ${r.hubApiserver} is initialized; ${runtime}${r.runtime.leader ? ' and leads' : ''}.`,
    '',
    `To register a cluster, run this on it (the ${token.kind === 'bootstrap-token' ? 'bootstrap token' : 'token'} ${expiryPhrase(token.expiresAt, now)}):`,
    '',
    joinCommand(token.token, r.hubApiserver),
    '',
    'Replace <cluster_name> with the name of that cluster, e.g. cluster1; then accept it here with: ocmadm accept --clusters <cluster_name>',
    'A new token at any time: ocmadm get token',
    '',
  ].join('\n');
}
