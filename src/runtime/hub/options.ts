/**
 * Flags of the hub controller process (dist/runtime/hub/main.js), parsed into the options of
 * startHubController(). Pure, so the parsing rules are unit-tested.
 */
import os from 'node:os';
import { NS } from '../../api/names.js';

import { FlagError, logLevelFlag, parseProcessArgs, parseTokenRefresh, type LogLevel } from '../core/process-flags.js';

export { FlagError, type LogLevel };

export interface HubControllerFlags {
  /** Kubeconfig file; without it the in-cluster ServiceAccount config is used. */
  kubeconfig?: string;
  /** Namespace of the leader-election Lease (the runtime's own namespace). */
  namespace: string;
  /** Port of /healthz and /readyz; 0 picks a free port (logged as healthPort). */
  healthPort: number;
  /** Address the health server binds. */
  healthBind: string;
  /** This replica's identity in the leader Lease. */
  identity: string;
  /** ServiceAccount whose token the local runtime keeps fresh in its kubeconfig. */
  tokenRefresh?: { namespace: string; name: string };
  logLevel: LogLevel;
  /** Bootstrap identities whose clusters are accepted without `accept` (OCM's auto-approval). */
  autoApproveUsers: string[];
}

export const USAGE = `usage: main.js [--kubeconfig <file>] [--namespace <ns>] [--health-port <n>] [--health-bind <addr>]
               [--id <identity>] [--token-refresh <namespace/serviceaccount>] [--log-level debug|info|warn|error]
               [--auto-approve-users <user>,...]`;

/** A replica identity unique enough for leader election: host plus a random suffix. */
export function defaultIdentity(): string {
  return `${os.hostname()}_${Math.random().toString(36).slice(2, 10)}`;
}

export function parseHubFlags(argv: string[]): HubControllerFlags {
  const values = parseProcessArgs(argv, {
    kubeconfig: { type: 'string' },
    namespace: { type: 'string', default: NS.hubRuntime },
    'health-port': { type: 'string', default: '8000' },
    'health-bind': { type: 'string', default: '0.0.0.0' },
    id: { type: 'string' },
    'token-refresh': { type: 'string' },
    'log-level': { type: 'string', default: 'info' },
    'auto-approve-users': { type: 'string' },
  });
  const port = Number(values['health-port']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new FlagError(`--health-port must be 0–65535, got "${values['health-port']}"`);
  const level = logLevelFlag(values['log-level']);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(values.namespace!)) throw new FlagError(`--namespace "${values.namespace}" is not a namespace name`);
  const tokenRefresh = parseTokenRefresh(values['token-refresh']);
  let autoApproveUsers: string[] = [];
  if (values['auto-approve-users'] !== undefined) {
    autoApproveUsers = parseIdentityList(values['auto-approve-users']);
    if (!autoApproveUsers.length) throw new FlagError('--auto-approve-users needs at least one user name');
  }
  return {
    kubeconfig: values.kubeconfig,
    namespace: values.namespace!,
    healthPort: port,
    healthBind: values['health-bind']!,
    identity: values.id ?? defaultIdentity(),
    tokenRefresh,
    logLevel: level,
    autoApproveUsers,
  };
}

/** "a, b,,c" → [a, b, c]; a name with white space inside is refused (Kubernetes user names have none). */
export function parseIdentityList(text: string): string[] {
  const names = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = names.find((n) => /\s/.test(n));
  if (bad !== undefined) throw new FlagError(`"${bad}" is not a user name (it contains white space)`);
  return [...new Set(names)];
}
