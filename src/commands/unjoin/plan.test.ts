import { decideResource, hubHash } from './applied-works.js';
import { planUnjoin, summarize, type Inventory, type Ref } from './plan.js';

const ref = (resource: string, name: string, namespace?: string): Ref => ({ group: '', version: 'v1', resource, name, namespace });
const crd = (name: string): Ref => ({ group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions', name });

const inventory = (i: Partial<Inventory> = {}): Inventory => ({
  cluster: 'c1',
  spokeServer: 'https://spoke:6443',
  joinedAs: ['c1'],
  localInstances: [{ instance: 'c1.spoke-6443', running: true, dir: '/state/klusterlet/c1.spoke-6443' }],
  works: [
    {
      name: 'h-w1',
      uid: 'w1',
      finalizers: [],
      resources: [
        { ref: ref('configmaps', 'a', 'app'), uid: 'u1', label: 'configmaps app/a', action: 'delete', why: 'owned by this work only' },
        { ref: ref('configmaps', 'b', 'app'), uid: 'u2', label: 'configmaps app/b', action: 'keep', why: 'orphaned' },
        { ref: ref('configmaps', 'c', 'app'), uid: 'u3', label: 'configmaps app/c', action: 'gone', why: 'already gone' },
      ],
    },
  ],
  foreignWorks: [],
  objects: [{ kind: 'Secret', ref: ref('secrets', 'hub-kubeconfig-secret', 'open-cluster-management-agent') }],
  claims: [],
  namespace: ref('namespaces', 'open-cluster-management-agent'),
  crds: [crd('appliedmanifestworks.work.open-cluster-management.io'), crd('clusterclaims.cluster.open-cluster-management.io')],
  otherKlusterlets: [],
  ...i,
});

describe('planUnjoin', () => {
  test('order: agent, workloads, AppliedManifestWorks, objects, namespace, CRDs, local state', () => {
    const steps = planUnjoin(inventory(), { purge: false });
    expect(steps.map((s) => `${s.kind}:${s.action}`)).toEqual([
      'agent:stop',
      'applied-resource:delete',
      'applied-resource:keep',
      'applied-work:delete',
      'object:delete',
      'namespace:delete',
      'crd:keep',
      'crd:keep',
      'local-state:delete',
    ]);
    expect(steps.find((s) => s.kind === 'applied-resource')).toMatchObject({ owner: 'w1', uid: 'u1' });
  });

  test('a Deployment runtime is deleted as the agent step', () => {
    const steps = planUnjoin(inventory({ localInstances: [], deployment: { group: 'apps', version: 'v1', resource: 'deployments', namespace: 'ns', name: 'klusterlet-agent' } }), { purge: false });
    expect(steps[0]).toMatchObject({ kind: 'agent', action: 'delete', label: 'Deployment ns/klusterlet-agent' });
    expect(steps.some((s) => s.kind === 'local-state')).toBe(false);
  });

  test('--purge deletes the CRDs only when no other klusterlet remains', () => {
    expect(planUnjoin(inventory(), { purge: true }).filter((s) => s.kind === 'crd').map((s) => s.action)).toEqual(['delete', 'delete']);
    const kept = planUnjoin(inventory({ otherKlusterlets: ['Klusterlet klusterlet'] }), { purge: true }).filter((s) => s.kind === 'crd');
    expect(kept.map((s) => s.action)).toEqual(['keep', 'keep']);
    expect(kept[0]!.why).toMatch(/another klusterlet remains \(Klusterlet klusterlet\)/);
  });

  test("AppliedManifestWorks of another hub are kept, and so is their CRD under --purge", () => {
    const steps = planUnjoin(inventory({ foreignWorks: ['other-w'] }), { purge: true });
    expect(steps.find((s) => s.label === 'AppliedManifestWork other-w')).toMatchObject({ action: 'keep' });
    expect(steps.filter((s) => s.kind === 'crd').map((s) => s.action)).toEqual(['keep', 'delete']);
  });

  test('summarize counts what will go', () => {
    expect(summarize(planUnjoin(inventory(), { purge: true }).filter((s) => s.action !== 'keep'))).toBe('1 agent, 1 applied workload, 1 AppliedManifestWork, 2 objects, 2 CRDs');
  });
});

describe('decideResource (the work agent\'s deletion rules)', () => {
  const owned = (...uids: string[]) => ({ metadata: { uid: 'u1', ownerReferences: uids.map((uid) => ({ apiVersion: 'v1', kind: 'K', name: 'n', uid })) } });
  test.each([
    ['gone', undefined, false, 'gone'],
    ['a successor with another UID', { metadata: { uid: 'other' } }, false, 'gone'],
    ['owned only by this work', owned('w1'), false, 'delete'],
    ['shared with another owner', owned('w1', 'w2'), false, 'release'],
    ['orphaned by the delete option (no owner ref)', owned('w2'), false, 'keep'],
    ['--orphan-workloads', owned('w1'), true, 'orphan'],
  ])('%s → %s', (_, live, orphan, action) => {
    expect(decideResource(live, 'u1', 'w1', orphan as boolean).action).toBe(action);
  });

  test('hubHash is the hex sha256 of the server URL as written', () => {
    expect(hubHash('https://hub:6443')).toMatch(/^[0-9a-f]{64}$/);
    expect(hubHash('https://hub:6443')).not.toBe(hubHash('https://hub:6443/'));
  });
});
