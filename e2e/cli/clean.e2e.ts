/**
 * `ocmadm clean` on a hub made by `ocmadm init`: refuses while a cluster is accepted (naming it,
 * changing nothing), --dry-run changes nothing, --force removes the clusters first through the
 * running hub controller and then everything init installed, and the hub can be initialized again.
 */
import type { KubeClient } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { MANAGED_CLUSTERS, TYPE } from '../../src/api/index.js';
import { LABEL, MANAGED_BY, NS, RBAC } from '../../src/api/names.js';
import { waitForObject } from '../../src/kube/wait.js';
import { startFleet, type Fleet } from '../support/fleet.js';
import { errorLines, snapshot } from './support.js';

let fleet: Fleet;
let admin: KubeClient;
let pristine: string[];

beforeAll(async () => {
  fleet = await startFleet('clean', ['hub']);
  admin = await fleet.client('hub');
  pristine = await snapshot(admin);
  const r = await fleet.cli('hub', ['init', '--runtime', 'local', '--wait']);
  expect(r.code).toBe(0);
  await admin.create(resourcePath(MANAGED_CLUSTERS), { ...TYPE.managedCluster, metadata: { name: 'accepted-1' }, spec: { hubAcceptsClient: true } });
  await admin.create(resourcePath(MANAGED_CLUSTERS), { ...TYPE.managedCluster, metadata: { name: 'pending-1' }, spec: { hubAcceptsClient: false } });
  // Let the hub controller finish with the accepted cluster, so the snapshots below see only what
  // clean does (the snapshots leave out kube-controller-manager's default ServiceAccounts).
  const rbac = { group: 'rbac.authorization.k8s.io', version: 'v1' };
  const exists = (o: unknown) => o !== undefined;
  const waits: [Parameters<typeof waitForObject>[1], string][] = [
    [{ ...rbac, resource: 'clusterroles', name: RBAC.registrationClusterRole }, 'registration ClusterRole'],
    [{ ...rbac, resource: 'clusterroles', name: RBAC.workClusterRole }, 'work ClusterRole'],
    [{ ...rbac, resource: 'clusterroles', name: RBAC.clusterRole('accepted-1') }, 'cluster ClusterRole'],
    [{ ...rbac, resource: 'clusterrolebindings', name: RBAC.clusterRoleBinding('accepted-1') }, 'cluster ClusterRoleBinding'],
    [{ ...rbac, resource: 'rolebindings', namespace: 'accepted-1', name: RBAC.workRoleBinding('accepted-1') }, 'work RoleBinding'],
  ];
  await Promise.all(waits.map(([ref, what]) => waitForObject(admin, ref, exists, { deadline: Date.now() + 60_000, what })));
});
afterAll(() => fleet?.stop());

const names = (s: string[]) => s.map((x) => x.replace(/@\S+$/, ''));
const ours = async () => {
  const lists = await Promise.all(
    [
      { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' },
      { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles' },
      { group: '', version: 'v1', resource: 'namespaces' },
    ].map((k) => admin.list(resourcePath(k), { labelSelector: `${LABEL.managedBy}=${MANAGED_BY}` })),
  );
  return lists.flatMap((l) => l.items);
};

test('refuses while a cluster is accepted: exit 1 naming it, nothing changed', async () => {
  const before = await snapshot(admin);
  for (const args of [['clean'], ['clean', '--dry-run']]) {
    const r = await fleet.cli('hub', args);
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain('accepted-1');
    expect(r.stderr).not.toContain('pending-1');
    expect(r.stderr).toContain('--force');
  }
  expect(await snapshot(admin)).toEqual(before);
});

test('--dry-run --force lists everything and changes nothing', async () => {
  const before = await snapshot(admin);
  const r = await fleet.cli('hub', ['clean', '--dry-run', '--force', '-o', 'json']);
  expect(r.code).toBe(0);
  const plan = JSON.parse(r.stdout) as { removed: { kind: string; name: string }[]; localRuntime?: { pid?: number } };
  const kinds = new Set(plan.removed.map((o) => o.kind));
  for (const k of ['ManagedCluster', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'Namespace', 'ValidatingAdmissionPolicy', 'ManagedClusterSet']) expect(kinds).toContain(k);
  expect(plan.localRuntime?.pid).toBeGreaterThan(0);
  expect(await snapshot(admin)).toEqual(before);
});

test('--force: clusters go first (through the hub controller), then everything init installed', async () => {
  const t0 = Date.now();
  const r = await fleet.cli('hub', ['clean', '--force', '-o', 'json']);
  process.stderr.write(`e2e: ocmadm clean --force took ${Date.now() - t0} ms\n`);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  const result = JSON.parse(r.stdout) as { left: unknown[]; finalizersRemoved: unknown[]; removed: { kind: string; step: string }[] };
  expect(result.left).toEqual([]);
  // The hub controller was still running when the clusters were deleted: it removed their finalizers itself.
  expect(result.finalizersRemoved).toEqual([]);
  expect(result.removed[0]).toMatchObject({ kind: 'ManagedCluster', step: 'clusters' });
  expect(await ours()).toEqual([]);
  // Apart from the cluster namespaces (kept on purpose), the hub is as before init.
  const inClusterNamespace = (s: string) => /^namespaces \/(accepted-1|pending-1)$/.test(s) || / (accepted-1|pending-1)\//.test(s);
  const before = names(pristine);
  expect(names(await snapshot(admin)).filter((s) => !before.includes(s) && !inClusterNamespace(s))).toEqual([]);
  expect(await admin.list(resourcePath({ group: '', version: 'v1', resource: 'namespaces' }), { labelSelector: `${LABEL.managedBy}=${MANAGED_BY}` })).toMatchObject({ items: [] });
  const again = await fleet.cli('hub', ['clean']);
  expect(again.code).toBe(0);
  expect(again.stdout).toContain('Nothing of ocmadm is installed');
});

test('the hub can be initialized again after clean', async () => {
  const r = await fleet.cli('hub', ['init', '--runtime', 'local', '--wait']);
  expect(r.code).toBe(0);
  await admin.get(resourcePath({ group: '', version: 'v1', resource: 'namespaces', name: NS.hubBootstrap }));
});
