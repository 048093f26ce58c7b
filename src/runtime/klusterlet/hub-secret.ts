/**
 * `hub-kubeconfig-secret` on the spoke, read one way: from the agent namespace's Secret informer
 * (started and synced before anyone asks). Written by the registration alone: created, or its
 * data updated in place with the resourceVersion the cache holds (keys put there by others, e.g.
 * an operator, are kept); a concurrent change makes that a 409 and the caller writes again once
 * the watch has brought the newer object.
 */
import type { KubeClient } from '../../kube/client.js';
import { SECRETS, secretValue, type Secret } from '../../kube/core.js';
import { resourcePath } from '../../kube/resources.js';
import { LABEL, MANAGED_BY, SECRET } from '../../api/names.js';
import type { Informer } from '../core/types.js';

export type { Secret } from '../../kube/core.js';

export class HubKubeconfigSecret {
  readonly name = SECRET.hubKubeconfig;

  constructor(
    private readonly spoke: KubeClient,
    private readonly secrets: Informer<Secret>,
    private readonly namespace: string,
  ) {}

  /** The secret as the cache has it. */
  get(): Secret | undefined {
    return this.secrets.get(`${this.namespace}/${this.name}`);
  }

  /** Its data (base64 values), as `checkHubKubeconfigSecret` reads it. */
  data(): Record<string, string> | undefined {
    return this.get()?.data;
  }

  /** The cluster and agent names it records (they survive restarts here). */
  names(): { cluster?: string; agent?: string } {
    const s = this.get();
    return { cluster: secretValue(s, 'cluster-name') || undefined, agent: secretValue(s, 'agent-name') || undefined };
  }

  async write(data: Record<string, string>, cluster: string): Promise<void> {
    const existing = this.get();
    if (!existing) {
      await this.spoke.create(resourcePath({ ...SECRETS, namespace: this.namespace }), {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'Opaque',
        metadata: { name: this.name, namespace: this.namespace, labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.clusterName]: cluster } },
        data,
      });
      return;
    }
    // PUT with the cached resourceVersion: a concurrent change makes this a 409, never a lost write.
    await this.spoke.replace(resourcePath({ ...SECRETS, namespace: this.namespace, name: this.name }), { ...existing, apiVersion: 'v1', kind: 'Secret', data: { ...(existing.data ?? {}), ...data } });
  }
}
