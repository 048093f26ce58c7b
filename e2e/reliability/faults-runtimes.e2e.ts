/**
 * Our local runtimes SIGKILLed at their worst moments on a real hub, and started again the way
 * the CLI does (`init --runtime local` for the hub controller, `join --runtime local` for the
 * klusterlet):
 * - the hub controller killed the moment `accept` approved the CSR: the cluster still becomes
 *   Joined and Available once it runs again;
 * - the hub controller killed while a deleted cluster's cleanup waits on a work: the deletion
 *   completes (cluster, work, per-cluster RBAC and finalizers gone; the namespace is kept, as OCM);
 * - a spoke's klusterlet killed: Available goes Unknown after the lease grace, the cluster gets the
 *   unreachable taint and drops out of a Placement; started again, it is back and selected again.
 */
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { waitForList, waitForObject } from '../../src/kube/wait.js';
import { MANAGED_CLUSTERS, MANIFEST_WORKS, PLACEMENTS, PLACEMENT_DECISIONS, TYPE, type ManagedCluster } from '../../src/api/index.js';
import { COND, FINALIZER, LABEL, RBAC, TAINT } from '../../src/api/names.js';
import { CSRS, csrState, type CertificateSigningRequest } from '../../src/kube/certificates.js';
import { startFleet, type Fleet } from '../support/fleet.js';
import { NAMESPACES, RBAC_REFS } from '../hub/support.js';
import { initHub, joinArgs, type JoinToken } from '../handshake/support.js';
import { condition, csrCount, joinedAndAvailable, keepRuntimeLogs, report, runtimeProcess, sigkill, untilCluster } from './faults-support.js';

let fleet: Fleet;
let hub: KubeClient;
let token: JoinToken;

beforeAll(async () => {
  fleet = await startFleet('faults-rt', ['hub', 'spoke1', 'spoke2']);
  hub = await fleet.client('hub');
  token = await initHub(fleet);
  const joins = await Promise.all(['spoke1', 'spoke2'].map((s) => fleet.cli(s, joinArgs(token, s, '--wait'))));
  for (const j of joins) expect({ code: j.code, stderr: j.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
}, 300_000);
afterAll(async () => {
  if (!fleet) return;
  keepRuntimeLogs(fleet, 'faults-rt');
  await fleet.stop();
});

/** Starts the hub controller again the way the CLI does (re-running init is safe). */
async function restartHubController(): Promise<number> {
  const t0 = Date.now();
  const r = await fleet.cli('hub', ['init', '--runtime', 'local']);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  return Date.now() - t0;
}

const gone = (o: unknown) => !o;
const deadline = (ms: number) => Date.now() + ms;

test('hub controller SIGKILLed the moment accept approved the CSR: the cluster still joins', async () => {
  const controller = runtimeProcess(fleet, 'hub-controller');
  const approved = waitForList<CertificateSigningRequest>(hub, resourcePath(CSRS), (items) => items.some((c) => csrState(c) === 'approved'), {
    labelSelector: `${LABEL.clusterName}=spoke2`,
    deadline: deadline(120_000),
    what: 'the CSR of spoke2 approved',
  });
  const accepting = fleet.cli('hub', ['accept', '--clusters', 'spoke2']);
  await approved;
  await sigkill(controller.pid);
  const killedAt = Date.now();
  const r = await accepting;
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  // What the controller had done when it died (its setup may have been cut anywhere).
  const mc = await hub.get<ManagedCluster>(resourcePath({ ...MANAGED_CLUSTERS, name: 'spoke2' }));
  const setUp = condition(mc, COND.cluster.hubAccepted) === 'True';

  const restartMs = await restartHubController();
  await untilCluster(hub, 'spoke2', joinedAndAvailable, 'Joined and Available after the hub controller restarted', 120_000);
  report(`hub controller killed at CSR approval (HubAccepted set before the kill: ${setUp}); init restarted it in ${restartMs} ms; kill → spoke2 Joined+Available ${Date.now() - killedAt} ms`);
  expect(await csrCount(hub, 'spoke2')).toBe(1);
});

test('hub controller SIGKILLed while a deleted cluster waits on its work: the deletion completes', async () => {
  const HOLD = 'e2e.ocmadm.io/agent';
  const name = 'doomed';
  await hub.create(resourcePath(MANAGED_CLUSTERS), { ...TYPE.managedCluster, metadata: { name }, spec: { hubAcceptsClient: true } });
  const mcRef = { ...MANAGED_CLUSTERS, name };
  const roleRef = { ...RBAC_REFS.clusterRoles, name: RBAC.clusterRole(name) };
  await waitForObject<ManagedCluster>(hub, mcRef, (o) => !!o?.metadata?.finalizers?.includes(FINALIZER.resourceCleanup), { deadline: deadline(60_000), what: `${name} finalized` });
  await waitForObject(hub, roleRef, (o) => !!o, { deadline: deadline(60_000), what: `ClusterRole of ${name}` });
  // A work the (absent) agent still holds: the cleanup must wait for it.
  const workRef = { ...MANIFEST_WORKS, namespace: name, name: 'held' };
  await hub.create(resourcePath({ ...MANIFEST_WORKS, namespace: name }), { ...TYPE.manifestWork, metadata: { name: 'held', namespace: name, finalizers: [HOLD] }, spec: { workload: { manifests: [] } } });

  await hub.delete(resourcePath(mcRef));
  await waitForObject<ManagedCluster>(hub, mcRef, (o) => condition(o, COND.cluster.deleting) === 'False', { deadline: deadline(60_000), what: `${name} cleanup waiting on its work` });
  await sigkill(runtimeProcess(fleet, 'hub-controller').pid);
  const killedAt = Date.now();
  // The agent lets go of the work while no controller runs: that event is missed.
  await hub.patch(resourcePath(workRef), { metadata: { finalizers: null } }, 'merge');
  await waitForObject(hub, workRef, gone, { deadline: deadline(60_000), what: 'work held gone' });
  expect((await hub.get<ManagedCluster>(resourcePath(mcRef))).metadata?.finalizers).toContain(FINALIZER.resourceCleanup);

  const restartMs = await restartHubController();
  await waitForObject(hub, mcRef, gone, { deadline: deadline(120_000), what: `${name} deleted` });
  const perCluster = [
    roleRef,
    { ...RBAC_REFS.clusterRoleBindings, name: RBAC.clusterRoleBinding(name) },
    { ...RBAC_REFS.roleBindings, namespace: name, name: RBAC.registrationRoleBinding(name) },
    { ...RBAC_REFS.roleBindings, namespace: name, name: RBAC.workRoleBinding(name) },
  ];
  for (const ref of perCluster) await waitForObject(hub, ref, gone, { deadline: deadline(60_000), what: `${ref.resource} ${ref.name} removed` });
  report(`hub controller killed during cluster cleanup; init restarted it in ${restartMs} ms; kill → cluster and its RBAC gone ${Date.now() - killedAt} ms`);
  // The namespace is kept (ocm-protocol.md: Cleanup), and nothing in it holds a finalizer.
  const ns = await hub.get<KubeObject>(resourcePath({ ...NAMESPACES, name }));
  expect(ns.metadata?.deletionTimestamp).toBeUndefined();
  expect((await hub.list(resourcePath({ ...MANIFEST_WORKS, namespace: name }))).items).toEqual([]);
});

test('a spoke whose klusterlet is SIGKILLed goes Unknown, leaves a Placement, and comes back', async () => {
  const acc = await fleet.cli('hub', ['accept', '--clusters', 'spoke1', '--wait']);
  expect({ code: acc.code, stderr: acc.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  await untilCluster(hub, 'spoke2', joinedAndAvailable, 'spoke2 Available', 120_000);
  // A short lease (grace = 5 × 5 s) so that expiry is seen in seconds; the agent follows the spec.
  await hub.patch(resourcePath({ ...MANAGED_CLUSTERS, name: 'spoke1' }), { spec: { leaseDurationSeconds: 5 } }, 'merge');
  const agent = runtimeProcess(fleet, 'klusterlet', 'spoke1');
  const csrsBefore = await csrCount(hub, 'spoke1');

  const ns = 'faults-placement';
  await hub.create(resourcePath(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const bind = await fleet.cli('hub', ['clusterset', 'bind', 'default', '-n', ns]);
  expect({ code: bind.code, stderr: bind.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  await hub.create(resourcePath({ ...PLACEMENTS, namespace: ns }), { ...TYPE.placement, metadata: { name: 'all', namespace: ns }, spec: { clusterSets: ['default'] } });
  type Decision = KubeObject & { status?: { decisions?: { clusterName: string }[] } };
  const selected = (want: string[]) =>
    waitForList<Decision>(hub, resourcePath({ ...PLACEMENT_DECISIONS, namespace: ns }), (items) => JSON.stringify(items.flatMap((d) => (d.status?.decisions ?? []).map((x) => x.clusterName)).sort()) === JSON.stringify(want), {
      labelSelector: 'cluster.open-cluster-management.io/placement=all',
      deadline: deadline(120_000),
      what: `placement all selecting ${want.join(',') || 'nothing'}`,
    });
  await selected(['spoke1', 'spoke2']);

  await sigkill(agent.pid);
  const killedAt = Date.now();
  const mcRef = { ...MANAGED_CLUSTERS, name: 'spoke1' };
  const unknown = await waitForObject<ManagedCluster>(hub, mcRef, (o) => condition(o, COND.cluster.available) === 'Unknown', { deadline: deadline(120_000), what: 'spoke1 Available Unknown' });
  const unknownMs = Date.now() - killedAt;
  expect(unknown).toBeDefined();
  await waitForObject<ManagedCluster>(hub, mcRef, (o) => !!o?.spec?.taints?.some((t) => t.key === TAINT.unreachable), { deadline: deadline(60_000), what: 'spoke1 tainted unreachable' });
  const taintedMs = Date.now() - killedAt;
  await selected(['spoke2']);
  const droppedMs = Date.now() - killedAt;

  const join = await fleet.cli('spoke1', joinArgs(token, 'spoke1'));
  expect({ code: join.code, stderr: join.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  const startedAt = Date.now();
  await untilCluster(hub, 'spoke1', joinedAndAvailable, 'spoke1 Available again', 120_000);
  const availableMs = Date.now() - startedAt;
  await waitForObject<ManagedCluster>(hub, mcRef, (o) => !o?.spec?.taints?.some((t) => t.key === TAINT.unreachable), { deadline: deadline(60_000), what: 'unreachable taint removed' });
  await selected(['spoke1', 'spoke2']);
  report(`klusterlet SIGKILL (lease 5 s, grace 25 s) → Available Unknown ${unknownMs} ms, → unreachable taint ${taintedMs} ms, → dropped by the placement ${droppedMs} ms; join again → Available ${availableMs} ms, → selected again ${Date.now() - startedAt} ms`);
  expect(await csrCount(hub, 'spoke1')).toBe(csrsBefore);
});
