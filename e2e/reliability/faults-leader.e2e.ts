/**
 * Two local hub controller replicas never both act. e2e/hub/leader.e2e.ts covers the handover on
 * SIGTERM (the standby reconciles nothing while the leader runs); here the leader is frozen
 * (SIGSTOP: a long GC pause or a partition, it still believes it leads) until the standby has
 * taken the Lease and acted, then thawed: it must step down without a single reconcile, start
 * again as a standby in the same process, and leave the Lease where it is.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { KubeClient } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { MANAGED_CLUSTERS, TYPE, type ManagedCluster } from '../../src/api/index.js';
import { COND } from '../../src/api/names.js';
import { startFleet, type Fleet } from '../support/fleet.js';
import { ROOT, eventually, until } from '../support/clusters.js';
import { initHub } from '../handshake/support.js';
import { condition, keepRuntimeLogs, report, runtimeLogs, runtimeProcess } from './faults-support.js';
import type { Lease } from '../../src/kube/core.js';
import { LEASE_REF } from '../../src/install/hub/runtime.js';


let fleet: Fleet;
let hub: KubeClient;

beforeAll(async () => {
  fleet = await startFleet('faults-ha', ['hub']);
  hub = await fleet.client('hub');
  await initHub(fleet);
}, 300_000);
afterAll(async () => {
  if (!fleet) return;
  keepRuntimeLogs(fleet, 'faults-ha');
  await fleet.stop();
});

/**
 * A second replica beside the one `init` started: the same entrypoint and flags (from its pid
 * record), a copy of its kubeconfig (each refreshes its own token file), its own state directory
 * (so fleet.stop() ends it too) and its own identity.
 */
function startSecondReplica(firstLog: string): { pid: number; logFile: string } {
  const firstDir = path.dirname(firstLog);
  const dir = path.join(path.dirname(firstDir), 'second-replica');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const kubeconfig = path.join(dir, 'kubeconfig');
  fs.copyFileSync(path.join(firstDir, 'kubeconfig'), kubeconfig);
  const rec = JSON.parse(fs.readFileSync(path.join(firstDir, 'pid.json'), 'utf8')) as { args: string[] };
  // The record holds the flags after the entrypoint (dist/runtime/hub/main.js, what `init` runs).
  const flags = rec.args.map((a, i) => (rec.args[i - 1] === '--kubeconfig' ? kubeconfig : a));
  const args = [path.join(ROOT, 'dist', 'runtime', 'hub', 'main.js'), ...flags];
  const logFile = path.join(dir, 'runtime.log');
  const out = fs.openSync(logFile, 'a', 0o600);
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', out, out], cwd: dir });
  fs.closeSync(out);
  child.unref();
  fs.writeFileSync(path.join(dir, 'pid.json'), JSON.stringify({ pid: child.pid, startedAt: new Date().toISOString(), args: flags }), { mode: 0o600 });
  return { pid: child.pid!, logFile };
}

const identityIn = (logFile: string) => runtimeLogs(logFile).find((l) => typeof l.identity === 'string')?.identity as string | undefined;
const holder = (o: Lease | undefined) => o?.spec?.holderIdentity;

async function acceptCluster(name: string): Promise<void> {
  await hub.create(resourcePath(MANAGED_CLUSTERS), { ...TYPE.managedCluster, metadata: { name }, spec: { hubAcceptsClient: true } });
  await until<ManagedCluster>(hub, { ...MANAGED_CLUSTERS, name }, (o) => condition(o, COND.cluster.hubAccepted) === 'True', `${name} accepted`);
}

test('a frozen leader, once thawed, steps down without acting; only the replica holding the Lease reconciles', async () => {
  const first = runtimeProcess(fleet, 'hub-controller');
  const second = startSecondReplica(first.logFile);
  const replicas = [{ pid: first.pid, logFile: first.logFile }, second];
  await eventually(async () => replicas.every((r) => !!identityIn(r.logFile)), { ms: 30_000, describe: () => 'a replica never logged its identity' });
  const lease = await until<Lease>(hub, LEASE_REF, (o) => replicas.some((r) => identityIn(r.logFile) === holder(o)), 'a replica holds the Lease');
  const [leader, standby] = identityIn(replicas[0]!.logFile) === holder(lease) ? [replicas[0]!, replicas[1]!] : [replicas[1]!, replicas[0]!];
  const standbyId = identityIn(standby.logFile)!;

  process.kill(leader.pid, 'SIGSTOP');
  const frozenAt = Date.now();
  let thawed = false;
  try {
    const taken = await until<Lease>(hub, LEASE_REF, (o) => holder(o) === standbyId, 'the standby took the Lease from the frozen leader', 120_000);
    report(`frozen leader → standby holds the Lease ${Date.now() - frozenAt} ms (lease duration ${taken!.spec?.leaseDurationSeconds} s)`);
    await acceptCluster('while-frozen');
    process.kill(leader.pid, 'SIGCONT');
    thawed = true;
  } finally {
    if (!thawed) process.kill(leader.pid, 'SIGCONT');
  }
  const thawedAt = Date.now();
  await eventually(async () => runtimeLogs(leader.logFile, thawedAt).some((l) => l.msg === 'starting the hub controller again after the lost leadership'), {
    ms: 60_000,
    describe: () => 'the thawed leader did not step down and start again',
  });
  report(`thawed leader stepped down and started again as a standby ${Date.now() - thawedAt} ms after SIGCONT`);
  await acceptCluster('after-thaw');

  // What the thawed replica did from its freeze on: no reconcile (no acceptance), no leadership.
  const fromFreeze = runtimeLogs(leader.logFile, frozenAt);
  expect(fromFreeze.filter((l) => l.msg === 'cluster accepted' || l.msg === 'became leader' || l.msg === 'manager running')).toEqual([]);
  const acceptedBy = (r: { logFile: string }) => runtimeLogs(r.logFile, frozenAt).filter((l) => l.msg === 'cluster accepted').map((l) => l.cluster);
  // The replica logs the acceptance after its status write lands, so the line may trail the condition.
  await eventually(async () => acceptedBy(standby).length === 2, { ms: 10_000, describe: () => `the standby logged acceptances of ${JSON.stringify(acceptedBy(standby))}` });
  expect(acceptedBy(standby).sort()).toEqual(['after-thaw', 'while-frozen']);
  expect(holder(await hub.get<Lease>(resourcePath(LEASE_REF)))).toBe(standbyId);
});
