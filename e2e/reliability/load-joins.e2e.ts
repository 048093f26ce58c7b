/**
 * Load: 50 clusters join one real hub at once. The hub is a private control plane set up by the
 * real `ocmadm init --runtime local`; the 50 agents are simulated registration agents (real keys
 * and CSRs signed by kube-controller-manager, real ManagedClusters created as the bootstrap
 * identity, real status patches and lease renewals with each agent's own certificate), all
 * registering concurrently, then accepted together by the real `ocmadm accept --wait`.
 */
import { resourcePath } from '../../src/kube/resources.js';
import { waitForList } from '../../src/kube/wait.js';
import type { KubeClient } from '../../src/kube/client.js';
import { MANAGED_CLUSTERS, type ManagedCluster } from '../../src/api/index.js';
import { COND, LABEL } from '../../src/api/names.js';
import { CSRS, type CertificateSigningRequest } from '../../src/kube/certificates.js';
import { SimAgents } from '../../src/sandbox/sim-agents.js';
import { startFleet, type Fleet } from '../support/fleet.js';

const CLUSTERS = 50;
// Short leases: an agent whose first renewal finds no Lease yet tries again a lease duration later,
// as OCM's does (up to 1.25 of it, jittered).
const LEASE_SECONDS = 10;
const names = Array.from({ length: CLUSTERS }, (_, i) => `load-${String(i).padStart(2, '0')}`);

let fleet: Fleet;
let admin: KubeClient;
let sims: SimAgents | undefined;
const stopSims = new AbortController();
let running: Promise<void> | undefined;

beforeAll(async () => {
  fleet = await startFleet('load-joins', ['hub']);
  admin = await fleet.client('hub');
  const init = await fleet.cli('hub', ['init', '--runtime', 'local', '--wait'], { timeoutMs: 180_000 });
  expect(init.stderr).toBe(init.code === 0 ? init.stderr : '');
  expect(init.code).toBe(0);
});
afterAll(async () => {
  stopSims.abort();
  await running;
  await sims?.close();
  await fleet?.stop();
});

const status = (mc: ManagedCluster, type: string) => mc.status?.conditions?.find((c) => c.type === type)?.status;
const joinedAndAvailable = (mc: ManagedCluster) =>
  mc.spec?.hubAcceptsClient === true &&
  status(mc, COND.cluster.hubAccepted) === 'True' &&
  status(mc, COND.cluster.joined) === 'True' &&
  status(mc, COND.cluster.available) === 'True';

test(`${CLUSTERS} clusters registering at once are all accepted, Joined and Available`, async () => {
  const t0 = Date.now();
  const token = await fleet.cli('hub', ['get', 'token', '--ttl', '30m', '-o', 'json']);
  expect(token.code).toBe(0);
  const hub = fleet.clusters.hub!;
  sims = new SimAgents({ server: hub.server, caPem: hub.caPem }, { userAgent: 'ocmadm-e2e-load' });
  // Every agent at once: key, ManagedCluster and CSR, as the bootstrap identity.
  await sims.register(JSON.parse(token.stdout)['hub-token'], names, { concurrency: CLUSTERS, leaseSeconds: LEASE_SECONDS });
  running = sims.run(admin, stopSims.signal);
  const registered = Date.now();

  const accept = await fleet.cli('hub', ['accept', '--clusters', names.join(','), '--wait', '--timeout', '120', '-o', 'json'], { timeoutMs: 150_000 });
  expect(accept.stderr.trim().split('\n').filter((l) => /error/i.test(l))).toEqual([]);
  expect(accept.code).toBe(0);
  const accepted = Date.now();

  // All of them, seen by the hub's API.
  const clusters = await waitForList<ManagedCluster>(admin, resourcePath(MANAGED_CLUSTERS), (mcs) => names.every((n) => mcs.some((m) => m.metadata?.name === n && joinedAndAvailable(m))), {
    deadline: Date.now() + 60_000,
    what: `${CLUSTERS} clusters Joined and Available`,
  });
  expect(clusters.filter((m) => names.includes(m.metadata!.name!) && joinedAndAvailable(m)).map((m) => m.metadata!.name).sort()).toEqual(names);
  // Nothing lost or doubled: one CSR per cluster, each approved and issued.
  const csrs = (await admin.list<CertificateSigningRequest>(resourcePath(CSRS), { labelSelector: LABEL.clusterName })).items;
  const csrClusters = csrs.map((c) => c.metadata!.labels![LABEL.clusterName]!).filter((n) => names.includes(n)).sort();
  expect(csrClusters).toEqual(names);
  expect(csrs.filter((c) => c.status?.conditions?.some((k) => k.type === 'Approved') && c.status?.certificate).length).toBe(CLUSTERS);
  expect(sims.failures).toEqual([]);
  // Every agent renews its lease with its own certificate once the hub has made it.
  await sims.allRenewed(3 * LEASE_SECONDS * 1000);
  const s = (a: number, b: number) => `${((b - a) / 1000).toFixed(1)} s`;
  process.stderr.write(`load-joins: ${CLUSTERS} clusters in ${s(t0, Date.now())}: registered ${s(t0, registered)}, accept --wait ${s(registered, accepted)}, checks ${s(accepted, Date.now())}\n`);
});
