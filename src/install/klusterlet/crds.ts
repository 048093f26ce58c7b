/**
 * The spoke CRDs (AppliedManifestWork, ClusterClaim): applied server-side, then waited on until
 * Established and actually serving (right after Established a list can still answer 503 while
 * the storage initialises: retried on a capped backoff until the deadline).
 */
import type { KubeClient, KubeObject } from '../../kube/client.js';
import { KubeApiError } from '../../kube/errors.js';
import { resourcePath } from '../../kube/resources.js';
import { waitForObject } from '../../kube/wait.js';
import { crdName, crdObject, crdsFor } from '../../api/crds.js';
import { FIELD_MANAGER } from '../../api/names.js';
import { sleep } from '../../runtime/core/clock.js';

export const CRDS_REF = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' } as const;

type Crd = KubeObject & {
  spec: { group: string; names: { plural: string }; versions: { name: string; served: boolean }[] };
  status?: { conditions?: { type: string; status: string }[] };
};

export const spokeCrds = (): KubeObject[] => crdsFor('spoke').map(crdObject);
export const spokeCrdNames = (): string[] => crdsFor('spoke').map(crdName);

export async function applyCrdsAndWait(client: KubeClient, crds: KubeObject[], deadline: number, signal?: AbortSignal): Promise<void> {
  for (const crd of crds) {
    await client.patch(resourcePath({ ...CRDS_REF, name: crd.metadata!.name! }), crd, 'apply', { fieldManager: FIELD_MANAGER.cli, force: true });
  }
  for (const crd of crds) {
    const name = crd.metadata!.name!;
    const live = (await waitForObject<Crd>(
      client,
      { ...CRDS_REF, name },
      (o) => !!o?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'),
      { deadline, signal, what: `CRD ${name} to be Established` },
    ))!;
    for (const v of live.spec.versions.filter((x) => x.served)) {
      const collection = resourcePath({ group: live.spec.group, version: v.name, resource: live.spec.names.plural });
      for (let delay = 20; ; delay = Math.min(delay * 2, 500)) {
        try {
          await client.list(collection, { limit: 1 });
          break;
        } catch (err) {
          const retriable = err instanceof KubeApiError && (err.status === 503 || err.status === 429 || err.status === 404);
          if (!retriable || Date.now() + delay > deadline) throw err;
          await sleep(delay, signal);
        }
      }
    }
  }
}
