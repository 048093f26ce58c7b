import fs from 'node:fs/promises';
import yaml from 'js-yaml';

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

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A self-contained kubeconfig (certificates embedded) with one context, made current. */
export function kubeconfigYaml(spec: KubeconfigSpec): string {
  const userName = spec.userName ?? `${spec.name}-user`;
  const user =
    'token' in spec.user
      ? { token: spec.user.token }
      : { 'client-certificate-data': b64(spec.user.certPem), 'client-key-data': b64(spec.user.keyPem) };
  return yaml.dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: spec.name, cluster: { server: spec.server, 'certificate-authority-data': b64(spec.caPem) } }],
    users: [{ name: userName, user }],
    contexts: [{ name: spec.name, context: { cluster: spec.name, user: userName } }],
    'current-context': spec.name,
    preferences: {},
  });
}

/** Writes the kubeconfig with mode 0600 and returns the path. */
export async function writeKubeconfig(file: string, spec: KubeconfigSpec): Promise<string> {
  await fs.writeFile(file, kubeconfigYaml(spec), { mode: 0o600 });
  return file;
}
