/** Checks made before a runtime's first write. */
import type { KubeClient } from '../kube/client.js';
import { isNotFound } from '../kube/errors.js';
import { resourcePath } from '../kube/resources.js';
import { SECRETS } from '../kube/core.js';
import { CliError } from '../cli/errors.js';

/** Every --image-pull-secret must exist in the runtime's namespace: a pod cannot use a missing one. */
export async function requirePullSecrets(client: KubeClient, namespace: string, names: string[]): Promise<void> {
  for (const name of names) {
    try {
      await client.get(resourcePath({ ...SECRETS, namespace, name }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
      throw new CliError(
        `--image-pull-secret: Secret ${namespace}/${name} does not exist; create it first (kubectl create namespace ${namespace}; kubectl -n ${namespace} create secret docker-registry ${name} ...); nothing was changed`,
      );
    }
  }
}
