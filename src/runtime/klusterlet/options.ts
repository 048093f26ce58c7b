/**
 * Flags of the klusterlet process (dist/runtime/klusterlet/main.js), parsed into options. Pure,
 * so the parsing rules are unit-tested.
 */

import { FlagError, logLevelFlag, parseProcessArgs, parseTokenRefresh, type LogLevel } from '../core/process-flags.js';

export { FlagError, type LogLevel };

export interface KlusterletFlags {
  /** Spoke kubeconfig; without it the in-cluster ServiceAccount config is used. */
  kubeconfig?: string;
  clusterName?: string;
  /** Default: the pod's namespace in a pod, else open-cluster-management-agent. */
  agentNamespace?: string;
  agentId?: string;
  spokeExternalServerUrl?: string;
  /** Port of /healthz, /readyz and /livez; 0 picks a free port (logged as healthPort). */
  healthPort: number;
  healthBind: string;
  /** ServiceAccount whose token the local runtime keeps fresh in --kubeconfig. */
  tokenRefresh?: { namespace: string; name: string };
  clientCertExpirationSeconds?: number;
  /** ClusterClaims to make sure exist at start (name → value). */
  clusterClaims: Record<string, string>;
  /** ManagedCluster annotations (only agent.open-cluster-management.io/ ones are used). */
  clusterAnnotations: Record<string, string>;
  reservedClaimSuffixes: string[];
  maxCustomClusterClaims: number;
  /** Work agent: how often the status of applied resources is read (OCM's --status-sync-interval). */
  statusSyncSeconds: number;
  /** Work agent: how long a record whose work vanished from the hub is kept (OCM's --appliedmanifestwork-eviction-grace-period). */
  evictionGraceSeconds: number;
  logLevel: LogLevel;
}

export const USAGE = `usage: main.js --cluster-name <name> [--kubeconfig <file>] [--agent-namespace <ns>] [--agent-id <id>]
               [--spoke-external-server-url <https-url>] [--health-port <n>] [--health-bind <addr>]
               [--token-refresh <namespace/serviceaccount>] [--client-cert-expiration-seconds <n>]
               [--cluster-claims k=v,...] [--cluster-annotations k=v,...] [--reserved-claim-suffixes s,...]
               [--max-custom-cluster-claims <n>] [--status-sync-interval <seconds>]
               [--appliedmanifestwork-eviction-grace-period <seconds>] [--log-level debug|info|warn|error]`;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** `k=v,k2=v2` → a map; empty text → {}. */
export function parsePairs(flag: string, text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const part of text.split(',')) {
    if (!part.trim()) continue;
    const i = part.indexOf('=');
    if (i <= 0) throw new FlagError(`${flag} wants key=value pairs separated by commas, got "${part}"`);
    out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

function int(flag: string, text: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new FlagError(`${flag} must be an integer from ${min} to ${max}, got "${text}"`);
  return n;
}

export function parseKlusterletFlags(argv: string[]): KlusterletFlags {
  const values = parseProcessArgs(argv, {
    kubeconfig: { type: 'string' },
    'cluster-name': { type: 'string' },
    'agent-namespace': { type: 'string' },
    'agent-id': { type: 'string' },
    'spoke-external-server-url': { type: 'string' },
    'health-port': { type: 'string', default: '8001' },
    'health-bind': { type: 'string', default: '0.0.0.0' },
    'token-refresh': { type: 'string' },
    'client-cert-expiration-seconds': { type: 'string' },
    'cluster-claims': { type: 'string' },
    'cluster-annotations': { type: 'string' },
    'reserved-claim-suffixes': { type: 'string' },
    'max-custom-cluster-claims': { type: 'string', default: '20' },
    'status-sync-interval': { type: 'string', default: '10' },
    'appliedmanifestwork-eviction-grace-period': { type: 'string', default: '3600' },
    'log-level': { type: 'string', default: 'info' },
  });
  const cluster = values['cluster-name'];
  if (cluster !== undefined && (!DNS_LABEL.test(cluster) || cluster.length > 63)) {
    throw new FlagError(`--cluster-name "${cluster}" must be a DNS-1123 label of at most 63 characters`);
  }
  const ns = values['agent-namespace'];
  if (ns !== undefined && !DNS_LABEL.test(ns)) throw new FlagError(`--agent-namespace "${ns}" is not a namespace name`);
  const agentId = values['agent-id'];
  if (agentId !== undefined && !/^[A-Za-z0-9][-A-Za-z0-9_.]*$/.test(agentId)) throw new FlagError(`--agent-id "${agentId}" may hold letters, digits, '-', '_' and '.' only`);
  const url = values['spoke-external-server-url'];
  if (url !== undefined && !/^https:\/\/[^\s/]+/.test(url)) throw new FlagError(`--spoke-external-server-url must be an https URL, got "${url}"`);
  const level = logLevelFlag(values['log-level']);
  const tokenRefresh = parseTokenRefresh(values['token-refresh']);
  const claims = parsePairs('--cluster-claims', values['cluster-claims']);
  for (const name of Object.keys(claims)) if (!DNS_SUBDOMAIN.test(name)) throw new FlagError(`--cluster-claims: "${name}" is not a valid claim name`);
  return {
    kubeconfig: values.kubeconfig,
    clusterName: cluster,
    agentNamespace: ns,
    agentId,
    spokeExternalServerUrl: url,
    healthPort: int('--health-port', values['health-port'], 0, 65535)!,
    healthBind: values['health-bind']!,
    tokenRefresh,
    // OCM's minimum for a requested client certificate lifetime.
    clientCertExpirationSeconds: int('--client-cert-expiration-seconds', values['client-cert-expiration-seconds'], 3600),
    clusterClaims: claims,
    clusterAnnotations: parsePairs('--cluster-annotations', values['cluster-annotations']),
    reservedClaimSuffixes: (values['reserved-claim-suffixes'] ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    maxCustomClusterClaims: int('--max-custom-cluster-claims', values['max-custom-cluster-claims'], 0)!,
    statusSyncSeconds: int('--status-sync-interval', values['status-sync-interval'], 1)!,
    evictionGraceSeconds: int('--appliedmanifestwork-eviction-grace-period', values['appliedmanifestwork-eviction-grace-period'], 0)!,
    logLevel: level,
  };
}
