/**
 * CRDs as OCM uses them: a CRD becomes Established, its custom resources can be created, and
 * server-side apply tracks field managers (conflict without force, takeover with force).
 */
import { KubeClient, type KubeObject } from '../../src/kube/client.js';
import { isConflict, isNotFound } from '../../src/kube/errors.js';
import { applyObject, Discovery, resourcePath } from '../../src/kube/resources.js';
import { waitForObject } from '../../src/kube/wait.js';
import { adminClient, uniqueName } from '../support/clusters.js';

const CRDS = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' };
let client: KubeClient;
let group: string;
let crdName: string;

type Cond = { type: string; status: string };
const established = (o: KubeObject | undefined) =>
  ((o?.status as { conditions?: Cond[] } | undefined)?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');

beforeAll(async () => {
  client = await adminClient('hub');
  group = `${uniqueName('smoke')}.e2e.ocmadm.io`;
  crdName = `gadgets.${group}`;
});

afterAll(async () => {
  await client.delete(resourcePath({ ...CRDS, name: crdName })).catch((e: unknown) => {
    if (!isNotFound(e)) throw e;
  });
  await client.close();
});

test('a CRD becomes Established, a custom resource round-trips, server-side apply tracks managers', async () => {
  await client.create(resourcePath(CRDS), {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: crdName },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', listKind: 'GadgetList' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: { type: 'object', properties: { size: { type: 'integer', minimum: 1 }, color: { type: 'string' } } },
                status: { type: 'object', properties: { ready: { type: 'boolean' } } },
              },
            },
          },
        },
      ],
    },
  });
  await waitForObject(client, { ...CRDS, name: crdName }, established, { deadline: Date.now() + 60_000, what: `CRD ${crdName} Established` });

  const gadgets = { group, version: 'v1', resource: 'gadgets', namespace: 'default' };
  const created = await client.create<KubeObject>(resourcePath(gadgets), {
    apiVersion: `${group}/v1`,
    kind: 'Gadget',
    metadata: { name: 'g1' },
    spec: { size: 3, color: 'red' },
  });
  expect(created.metadata?.uid).toBeTruthy();
  expect((await client.get<KubeObject>(resourcePath({ ...gadgets, name: 'g1' }))).spec).toEqual({ size: 3, color: 'red' });

  // The schema is enforced.
  await expect(
    client.create(resourcePath(gadgets), { apiVersion: `${group}/v1`, kind: 'Gadget', metadata: { name: 'bad' }, spec: { size: 0 } }),
  ).rejects.toMatchObject({ status: 422 });

  const discovery = new Discovery(client);
  const applied: KubeObject = { apiVersion: `${group}/v1`, kind: 'Gadget', metadata: { name: 'g2', namespace: 'default' }, spec: { size: 5 } };
  const a = await applyObject(client, discovery, applied, { fieldManager: 'smoke-a', force: false });
  expect(a.spec).toEqual({ size: 5 });
  const managers = (a.metadata?.managedFields as { manager: string; operation: string }[]).map((m) => `${m.manager}/${m.operation}`);
  expect(managers).toContain('smoke-a/Apply');

  // Another manager changing a field smoke-a owns conflicts unless it forces.
  const other = { ...applied, spec: { size: 7 } };
  const conflict = await applyObject(client, discovery, other, { fieldManager: 'smoke-b', force: false }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isConflict(conflict)).toBe(true);
  const b = await applyObject(client, discovery, other, { fieldManager: 'smoke-b', force: true });
  expect(b.spec).toEqual({ size: 7 });
  const owners = (b.metadata?.managedFields as { manager: string; fieldsV1: { 'f:spec'?: Record<string, unknown> } }[])
    .filter((m) => m.fieldsV1['f:spec']?.['f:size'])
    .map((m) => m.manager);
  expect(owners).toEqual(['smoke-b']);
});
