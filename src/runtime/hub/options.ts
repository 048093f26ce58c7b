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
}

export const USAGE = `usage: main.js [--kubeconfig <file>] [--namespace <ns>] [--health-port <n>] [--health-bind <addr>]
               [--id <identity>] [--token-refresh <namespace/serviceaccount>] [--log-level debug|info|warn|error]`;

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
  });
  const port = Number(values['health-port']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new FlagError(`--health-port must be 0–65535, got "${values['health-port']}"`);
  const level = logLevelFlag(values['log-level']);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(values.namespace!)) throw new FlagError(`--namespace "${values.namespace}" is not a namespace name`);
  const tokenRefresh = parseTokenRefresh(values['token-refresh']);
  return {
    kubeconfig: values.kubeconfig,
    namespace: values.namespace!,
    healthPort: port,
    healthBind: values['health-bind']!,
    identity: values.id ?? defaultIdentity(),
    tokenRefresh,
    logLevel: level,
  };
}
