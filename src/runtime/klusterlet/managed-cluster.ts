/**
 * Creating the ManagedCluster during bootstrap (ocm-protocol.md §1 "Creating the ManagedCluster"),
 * with the bootstrap identity: on 404 create it with the agent's client configs (the spoke's own
 * https URL and CA) and `agent.open-cluster-management.io/` annotations only, never sending
 * hubAcceptsClient; when it exists, update only if the number of client configs differs. 401 and
 * 403 are not errors (the bootstrap identity may not be allowed; the hub admin creates it then).
 */
import type { KubeClient } from '../../kube/client.js';
import { isAlreadyExists, isForbidden, isNotFound, isUnauthorized } from '../../kube/errors.js';
import { resourcePath } from '../../kube/resources.js';
import { MANAGED_CLUSTERS, TYPE, type ManagedCluster } from '../../api/index.js';
import { ANNOTATION } from '../../api/names.js';

export interface ClientConfig {
  url: string;
  /** Base64 PEM CA bundle for `url`. */
  caBundle?: string;
}

/** Only annotations with OCM's agent prefix are set on the cluster. */
export function agentAnnotations(annotations: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations).filter(([k]) => k.startsWith(ANNOTATION.agentPrefix)));
}

/** The cluster object the agent creates. */
export function managedClusterObject(name: string, clientConfigs: ClientConfig[], annotations?: Record<string, string>): ManagedCluster {
  const ann = agentAnnotations(annotations);
  const metadata: ManagedCluster['metadata'] = { name };
  if (Object.keys(ann).length) metadata.annotations = ann;
  return { ...TYPE.managedCluster, metadata, spec: { managedClusterClientConfigs: clientConfigs } } as ManagedCluster;
}

/** Existing configs plus those whose URL is not there yet (OCM's decorator). */
export function mergeClientConfigs(existing: ClientConfig[] = [], wanted: ClientConfig[]): ClientConfig[] {
  const out = [...existing];
  for (const w of wanted) if (!out.some((e) => e.url === w.url)) out.push(w);
  return out;
}

export type EnsureOutcome = 'created' | 'exists' | 'updated' | 'not-allowed';

const ignorable = (err: unknown) => isUnauthorized(err) || isForbidden(err);

export async function ensureManagedCluster(
  hub: KubeClient,
  name: string,
  clientConfigs: ClientConfig[],
  annotations?: Record<string, string>,
): Promise<EnsureOutcome> {
  const path = resourcePath({ ...MANAGED_CLUSTERS, name });
  let existing: ManagedCluster;
  try {
    existing = await hub.get<ManagedCluster>(path);
  } catch (err) {
    if (ignorable(err)) return 'not-allowed';
    if (!isNotFound(err)) throw err;
    try {
      await hub.create(resourcePath(MANAGED_CLUSTERS), managedClusterObject(name, clientConfigs, annotations));
      return 'created';
    } catch (e) {
      if (isAlreadyExists(e)) return 'exists';
      if (ignorable(e)) return 'not-allowed';
      throw e;
    }
  }
  const current = existing.spec?.managedClusterClientConfigs ?? [];
  const merged = mergeClientConfigs(current, clientConfigs);
  if (merged.length === current.length) return 'exists';
  try {
    await hub.replace(path, { ...existing, spec: { ...existing.spec, managedClusterClientConfigs: merged } });
    return 'updated';
  } catch (err) {
    if (ignorable(err)) return 'not-allowed';
    throw err;
  }
}
