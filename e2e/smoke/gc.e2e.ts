/**
 * kube-controller-manager's cleanup: a deleted namespace goes away with its content (namespace
 * controller), and a dependent named by an ownerReference is garbage-collected.
 */
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { waitForObject } from '../../src/kube/wait.js';
import { adminClient, uniqueName } from '../support/clusters.js';
import { createNamespace, deleteIfPresent, waitGone, NAMESPACES } from './util.js';

const configmaps = (namespace: string) => ({ group: '', version: 'v1', resource: 'configmaps', namespace });
let admin: KubeClient;

beforeAll(async () => {
  admin = await adminClient('spoke2');
});

afterAll(async () => {
  await admin.close();
});

test('deleting a namespace with content completes', async () => {
  const ns = await createNamespace(admin, 'smoke-nsdel');
  await admin.create(resourcePath(configmaps(ns)), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'payload' }, data: { a: 'b' } });
  await admin.create(resourcePath({ group: '', version: 'v1', resource: 'secrets', namespace: ns }), {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'payload' },
    stringData: { a: 'b' },
  });
  await admin.delete(resourcePath({ ...NAMESPACES, name: ns }));
  const terminating = await admin.get<KubeObject>(resourcePath({ ...NAMESPACES, name: ns })).catch(() => undefined);
  if (terminating) expect((terminating.status as { phase?: string }).phase).toBe('Terminating');
  await waitGone(admin, { ...NAMESPACES, name: ns }, `namespace ${ns} to be deleted by the namespace controller`, 90_000);
});

test('a dependent with an ownerReference is garbage-collected after its owner is deleted', async () => {
  const ns = await createNamespace(admin, 'smoke-gc');
  try {
    const owner = await admin.create<KubeObject>(resourcePath(configmaps(ns)), {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: uniqueName('owner') },
    });
    const dependentName = uniqueName('dependent');
    await admin.create(resourcePath(configmaps(ns)), {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: dependentName,
        ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: owner.metadata!.name!, uid: owner.metadata!.uid! }],
      },
    });
    const bystander = uniqueName('bystander');
    await admin.create(resourcePath(configmaps(ns)), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: bystander } });

    await admin.delete(resourcePath({ ...configmaps(ns), name: owner.metadata!.name! }), { propagationPolicy: 'Background' });
    await waitGone(admin, { ...configmaps(ns), name: dependentName }, `dependent ${dependentName} to be garbage-collected`, 90_000);

    // Foreground deletion: the owner stays (with the foregroundDeletion finalizer) until its dependent is gone.
    const owner2 = await admin.create<KubeObject>(resourcePath(configmaps(ns)), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: uniqueName('owner') } });
    const dep2 = uniqueName('dependent');
    await admin.create(resourcePath(configmaps(ns)), {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: dep2,
        ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: owner2.metadata!.name!, uid: owner2.metadata!.uid!, blockOwnerDeletion: true }],
      },
    });
    await admin.delete(resourcePath({ ...configmaps(ns), name: owner2.metadata!.name! }), { propagationPolicy: 'Foreground' });
    await waitGone(admin, { ...configmaps(ns), name: owner2.metadata!.name! }, 'the foreground-deleted owner', 90_000);
    await waitForObject(admin, { ...configmaps(ns), name: dep2 }, (o) => o === undefined, { deadline: Date.now() + 5_000, what: `${dep2} gone` });

    // Objects without an ownerReference stay.
    expect((await admin.get<KubeObject>(resourcePath({ ...configmaps(ns), name: bystander }))).metadata?.name).toBe(bystander);
  } finally {
    await deleteIfPresent(admin, { ...NAMESPACES, name: ns });
  }
});
