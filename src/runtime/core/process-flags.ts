/**
 * What the two runtime processes (hub controller, klusterlet) share at start-up: the flag error
 * (exit 2), the flags both have, and the cluster config they run against (--kubeconfig, else the
 * pod's ServiceAccount; never a localhost fallback).
 */
import fs from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadKubeConfig } from '../../kube/config.js';
import { KubeConfig } from '../../kube/kubeconfig.js';
import type { LogLevel } from './log.js';

export type { LogLevel };

/** Bad process flags: the process prints its usage and exits 2. */
export class FlagError extends Error {}

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** node:util parseArgs, strict, with its errors as FlagError. */
export function parseProcessArgs<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, strict: true, allowPositionals: false, options }).values;
  } catch (err) {
    throw new FlagError((err as Error).message);
  }
}

/** --log-level, strictly (log.ts's parseLogLevel falls back instead: for environment variables). */
export function logLevelFlag(text: string | undefined): LogLevel {
  const level = text as LogLevel;
  if (!LEVELS.includes(level)) throw new FlagError(`--log-level must be one of ${LEVELS.join(', ')}, got "${text}"`);
  return level;
}

/** --token-refresh <namespace>/<serviceaccount>. */
export function parseTokenRefresh(text: string | undefined): { namespace: string; name: string } | undefined {
  if (text === undefined) return undefined;
  const m = /^([a-z0-9][-a-z0-9]*)\/([a-z0-9][-a-z0-9.]*)$/.exec(text);
  if (!m) throw new FlagError(`--token-refresh must be <namespace>/<serviceaccount>, got "${text}"`);
  return { namespace: m[1]!, name: m[2]! };
}

const SERVICEACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** A loaded config, else --kubeconfig, else in-cluster; a FlagError when there is none. */
export function processKubeConfig(opts: { kubeConfig?: KubeConfig; kubeconfig?: string }, what: string): KubeConfig {
  if (opts.kubeConfig) return opts.kubeConfig;
  if (opts.kubeconfig) return loadKubeConfig({ kubeconfig: opts.kubeconfig }, what);
  if (!fs.existsSync(SERVICEACCOUNT_TOKEN)) throw new FlagError('no --kubeconfig given and not running in a pod (no ServiceAccount token mounted)');
  const kc = new KubeConfig();
  kc.loadFromCluster();
  return kc;
}
