import fs from 'node:fs/promises';
import { pemData, singleContextConfig, type User } from '../kube/kubeconfig.js';

/** Credentials of one kubeconfig user: a client certificate or a bearer token. */
export type KubeconfigUser = { certPem: string; keyPem: string } | { token: string };

export interface KubeconfigSpec {
  /** Used for the cluster, user and context names. */
  name: string;
  server: string;
  caPem: string;
  user: KubeconfigUser;
  userName?: string;
}

/** A self-contained kubeconfig (certificates embedded) with one context, made current. */
export function kubeconfigYaml(spec: KubeconfigSpec): string {
  const name = spec.userName ?? `${spec.name}-user`;
  const user: User = 'token' in spec.user ? { name, token: spec.user.token } : { name, certData: pemData(spec.user.certPem), keyData: pemData(spec.user.keyPem) };
  return singleContextConfig({ cluster: { name: spec.name, server: spec.server, caData: pemData(spec.caPem) }, user, context: { name: spec.name } }).toYaml();
}

/** Writes the kubeconfig with mode 0600 and returns the path. */
export async function writeKubeconfig(file: string, spec: KubeconfigSpec): Promise<string> {
  await fs.writeFile(file, kubeconfigYaml(spec), { mode: 0o600 });
  return file;
}
