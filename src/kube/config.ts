import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from './kubeconfig.js';
import { KubeConfigError } from './errors.js';

export interface KubeAccess {
  kubeconfig?: string;
  context?: string;
}

/**
 * Loads a kubeconfig the way kubectl does (--kubeconfig, then $KUBECONFIG, then ~/.kube/config),
 * but never falls back to localhost:8080 as client-node's loadFromDefault does: no file is an error.
 */
export function loadKubeConfig(access: KubeAccess, what = 'cluster'): KubeConfig {
  const kc = new KubeConfig();
  const files = candidateFiles(access.kubeconfig);
  if (files.length === 0) {
    throw new KubeConfigError(`no kubeconfig found for the ${what}`, 'none-found');
  }
  try {
    if (files.length === 1) kc.loadFromFile(files[0]!);
    else {
      // $KUBECONFIG may list several files: first one wins for each name, as in kubectl.
      const merged = new KubeConfig();
      for (const f of files) {
        const part = new KubeConfig();
        part.loadFromFile(f);
        mergeInto(merged, part);
      }
      kc.loadFromString(merged.exportConfig());
    }
  } catch (err) {
    throw new KubeConfigError(`cannot read kubeconfig ${files.join(':')}: ${(err as Error).message.split('\n')[0]}`, 'unreadable');
  }
  if (access.context) {
    if (!kc.getContexts().some((c) => c.name === access.context)) {
      const known = kc.getContexts().map((c) => c.name).join(', ') || 'none';
      throw new KubeConfigError(`context "${access.context}" is not in ${files.join(':')} (contexts: ${known})`, 'unknown-context');
    }
    kc.setCurrentContext(access.context);
  }
  if (!kc.getCurrentContext() || !kc.getCurrentCluster()) {
    throw new KubeConfigError(`kubeconfig ${files.join(':')} has no current context`, 'no-current-context');
  }
  return kc;
}

function candidateFiles(explicit?: string): string[] {
  if (explicit) {
    if (!fs.existsSync(explicit)) throw new KubeConfigError(`kubeconfig file ${explicit} does not exist`, 'file-missing');
    return [explicit];
  }
  const env = process.env.KUBECONFIG;
  if (env) {
    const files = env.split(path.delimiter).filter((f) => f && fs.existsSync(f));
    if (files.length === 0) throw new KubeConfigError(`KUBECONFIG=${env} names no existing file`, 'env-names-no-file');
    return files;
  }
  const home = path.join(os.homedir(), '.kube', 'config');
  return fs.existsSync(home) ? [home] : [];
}

function mergeInto(into: KubeConfig, from: KubeConfig): void {
  const has = <T extends { name: string }>(list: T[], name: string) => list.some((x) => x.name === name);
  for (const c of from.clusters) if (!has(into.clusters, c.name)) into.addCluster(c);
  for (const u of from.users) if (!has(into.users, u.name)) into.addUser(u);
  for (const c of from.contexts) if (!has(into.contexts, c.name)) into.addContext(c);
  if (!into.currentContext && from.currentContext) into.setCurrentContext(from.currentContext);
}
