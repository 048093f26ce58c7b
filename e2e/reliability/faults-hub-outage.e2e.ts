/**
 * The hub's own processes go away for real under a joined spoke with work applied
 * (`init --runtime local`, `join`, `accept`, `deploy`):
 * - kube-apiserver stopped for 90 s: nothing on the spoke moves, the agent is back within 10 s of
 *   the hub's /readyz (lease renewed, a new work applied), no new CSR, Available stays/gets True,
 *   the unchanged work is not applied again, and the hub controller leads again in the same process;
 * - etcd SIGKILLed and started on the same data: the lease resumes, Available, a new work applies.
 */
import fs from 'node:fs';
import { resourcePath } from '../../src/kube/resources.js';
import { MANAGED_CLUSTERS } from '../../src/api/index.js';
import { NAMESPACES } from '../hub/support.js';
import { eventually } from '../support/clusters.js';
import {
  apiserverReady,
  appDir,
  appliedWorkPaths,
  createProbeWork,
  csrCount,
  hubLeaderRenewedAfter,
  joinedAndAvailable,
  joinedFleet,
  keepRuntimeLogs,
  leaseRenewedAfter,
  report,
  resourceVersions,
  runtimeLogs,
  runtimeProcess,
  untilCluster,
  untilConfigMap,
  type JoinedFleet,
} from './faults-support.js';

const OUTAGE_MS = 90_000;
const RECONNECT_BUDGET_MS = 10_000;
const APP_NS = 'faults-app';
let f: JoinedFleet;

beforeAll(async () => {
  f = await joinedFleet('faults-hub', ['spoke']);
  const dir = appDir(APP_NS, '1');
  const r = await f.fleet.cli('hub', ['deploy', 'steady', '-f', dir, '--clusters', 'spoke', '--wait']).finally(() => fs.rmSync(dir, { recursive: true, force: true }));
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
}, 300_000);
afterAll(async () => {
  if (!f) return;
  keepRuntimeLogs(f.fleet, 'faults-hub');
  await f.fleet.stop();
});

test('hub kube-apiserver down 90 s: spoke untouched, agent back within 10 s, no new CSR, nothing re-applied', async () => {
  const { fleet, hub } = f;
  const spoke = f.spokes.spoke!;
  const hubInfo = fleet.info('hub');
  const agent = runtimeProcess(fleet, 'klusterlet', 'spoke');
  const controller = runtimeProcess(fleet, 'hub-controller');
  const paths = [`/api/v1/namespaces/${APP_NS}/configmaps/app`, resourcePath({ ...NAMESPACES, name: APP_NS }), ...(await appliedWorkPaths(spoke))];
  expect(paths).toHaveLength(3);
  const before = await resourceVersions(spoke, paths);
  const csrsBefore = await csrCount(hub, 'spoke');

  // A graceful stop takes seconds (the apiserver drains first): clients see it go from its start.
  const stoppingAt = Date.now();
  await fleet.clusters.hub!.stopComponent('kube-apiserver');
  const downAt = Date.now();
  // The agent notices at once: its watch of the hub's works fails and keeps being retried.
  const lostHub = (l: Record<string, unknown>) => (l.msg === 'watch failed, reconnecting' || l.msg === 'list failed, retrying') && l.informer === 'hub-manifestworks';
  await eventually(async () => runtimeLogs(agent.logFile, stoppingAt).some(lostHub), {
    ms: 60_000,
    describe: () => 'the agent never noticed that the hub was down',
  });
  expect(await resourceVersions(spoke, paths)).toEqual(before);
  // The fault itself: the hub stays down for the full 90 s (a timer that keeps a server down,
  // not a wait for a condition; nothing on the hub can be observed meanwhile).
  await new Promise((r) => setTimeout(r, Math.max(0, downAt + OUTAGE_MS - Date.now())));
  expect(await resourceVersions(spoke, paths)).toEqual(before);
  expect(await apiserverReady(hubInfo)).toBe(false);

  await fleet.clusters.hub!.startComponent('kube-apiserver');
  const readyAt = Date.now();
  const outageMs = readyAt - downAt;
  // A change on the hub after its return: a new work, applied by the agent.
  await createProbeWork(hub, 'spoke', 'after-outage', APP_NS);
  // The first renewal since the stop is the reconnect; it may land before /readyz is seen (negative).
  const [renewedAt, appliedAt] = await Promise.all([leaseRenewedAfter(hub, 'spoke', downAt), untilConfigMap(spoke, APP_NS, 'after-outage')]);
  report(`hub apiserver outage ${outageMs} ms (exited → /readyz; SIGTERM to exit ${downAt - stoppingAt} ms); /readyz → agent lease renewed ${renewedAt - readyAt} ms; → new work applied on the spoke ${appliedAt - readyAt} ms`);
  expect(renewedAt - readyAt).toBeLessThan(RECONNECT_BUDGET_MS);
  expect(appliedAt - readyAt).toBeLessThan(RECONNECT_BUDGET_MS);

  // The hub controller lost its leadership during the outage and leads again, same process.
  const leader = await hubLeaderRenewedAfter(hub, downAt);
  report(`hub controller leads again ${Date.parse(leader.spec!.renewTime!) - readyAt} ms after /readyz (holder ${leader.spec!.holderIdentity})`);
  expect(runtimeProcess(fleet, 'hub-controller').pid).toBe(controller.pid);
  const said = [...new Set(runtimeLogs(controller.logFile, stoppingAt).map((l) => l.msg))];
  expect(said).toEqual(expect.arrayContaining(['lost the leader lease; stopping', 'starting the hub controller again after the lost leadership']));

  const mc = await untilCluster(hub, 'spoke', joinedAndAvailable, 'Joined and Available after the outage');
  expect(mc).toBeDefined();
  expect(await csrCount(hub, 'spoke')).toBe(csrsBefore);
  expect(await resourceVersions(spoke, paths)).toEqual(before);
  expect(runtimeProcess(fleet, 'klusterlet', 'spoke').pid).toBe(agent.pid);
});

test('hub etcd SIGKILLed and started again on its data: lease resumes, Available, a new work applies', async () => {
  const { fleet, hub } = f;
  const spoke = f.spokes.spoke!;
  const hubInfo = fleet.info('hub');
  const csrsBefore = await csrCount(hub, 'spoke');
  // A 10 s lease (renewed every 10–12.5 s) so that its resumption is seen without waiting out the
  // default 60 s period; the agent follows the spec and renews at once.
  const shortenedAt = Date.now();
  await hub.patch(resourcePath({ ...MANAGED_CLUSTERS, name: 'spoke' }), { spec: { leaseDurationSeconds: 10 } }, 'merge');
  await leaseRenewedAfter(hub, 'spoke', shortenedAt);

  await fleet.clusters.hub!.stopComponent('etcd', 'SIGKILL');
  const killedAt = Date.now();
  // The apiserver notices its storage is gone before etcd comes back.
  await eventually(async () => !(await apiserverReady(hubInfo)), { ms: 60_000, describe: () => 'the hub apiserver stayed ready without etcd' });
  await fleet.clusters.hub!.startComponent('etcd');
  await eventually(() => apiserverReady(hubInfo), { ms: 120_000, describe: () => 'the hub apiserver did not get ready again after etcd restarted' });
  const readyAt = Date.now();

  await createProbeWork(hub, 'spoke', 'after-etcd', APP_NS);
  const [renewedAt, appliedAt] = await Promise.all([leaseRenewedAfter(hub, 'spoke', killedAt), untilConfigMap(spoke, APP_NS, 'after-etcd')]);
  await untilCluster(hub, 'spoke', joinedAndAvailable, 'Joined and Available after etcd restarted');
  report(`hub etcd SIGKILL → apiserver ready again ${readyAt - killedAt} ms; → lease renewed ${renewedAt - readyAt} ms; → new work applied ${appliedAt - readyAt} ms; → Available ${Date.now() - readyAt} ms`);
  expect(await csrCount(hub, 'spoke')).toBe(csrsBefore);
});
