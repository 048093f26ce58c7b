/** Small helpers shared by the smoke suites. */
import type { KubeClient } from '../../src/kube/client.js';
import { deleteIfPresent, resourcePath, type ResourceRef } from '../../src/kube/resources.js';
import { waitForObject } from '../../src/kube/wait.js';
import { uniqueName } from '../support/clusters.js';
import { NAMESPACES, SERVICE_ACCOUNTS } from '../../src/kube/core.js';

export { NAMESPACES };

export async function createNamespace(client: KubeClient, prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  await client.create(resourcePath(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

/** Deletes if present; does not wait. */
export { deleteIfPresent };

/** Waits (watching) until the object no longer exists. */
export async function waitGone(client: KubeClient, ref: ResourceRef & { name: string }, what: string, timeoutMs = 60_000): Promise<void> {
  await waitForObject(client, ref, (o) => o === undefined, { deadline: Date.now() + timeoutMs, what });
}

/** A ServiceAccount (created) and a token for it from the TokenRequest API. */
export async function serviceAccountToken(client: KubeClient, namespace: string, name: string, expirationSeconds = 3600): Promise<string> {
  await client.create(resourcePath({ ...SERVICE_ACCOUNTS, namespace }), {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name },
  });
  const tr = await client.create<{ status: { token: string; expirationTimestamp: string } }>(
    resourcePath({ ...SERVICE_ACCOUNTS, namespace, name, subresource: 'token' }),
    { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds } },
  );
  return tr.status.token;
}
