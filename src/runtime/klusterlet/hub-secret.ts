/**
 * Writing `hub-kubeconfig-secret` on the spoke: create it, or update its data in place (keys put
 * there by others, e.g. an operator, are kept). A conflicting concurrent write fails with 409 and
 * the caller writes again from a fresh read.
 */
import type { KubeClient, KubeObject } from '../../kube/client.js';
import { isNotFound } from '../../kube/errors.js';
import { resourcePath } from '../../kube/resources.js';
import { LABEL, MANAGED_BY, SECRET } from '../../api/names.js';

export type Secret = KubeObject & { data?: Record<string, string>; type?: string };

export async function writeHubKubeconfigSecret(spoke: KubeClient, namespace: string, data: Record<string, string>, cluster: string): Promise<void> {
  const collection = resourcePath({ group: '', version: 'v1', resource: 'secrets', namespace });
  const path = resourcePath({ group: '', version: 'v1', resource: 'secrets', namespace, name: SECRET.hubKubeconfig });
  let existing: Secret | undefined;
  try {
    existing = await spoke.get<Secret>(path);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  if (!existing) {
    await spoke.create(collection, {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: SECRET.hubKubeconfig, namespace, labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.clusterName]: cluster } },
      data,
    });
    return;
  }
  // PUT with the resourceVersion just read: a concurrent change makes this a 409, never a lost write.
  await spoke.replace(path, { ...existing, data: { ...(existing.data ?? {}), ...data } });
}
