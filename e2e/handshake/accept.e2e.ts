/**
 * `ocmadm accept` end to end on a private hub and two spokes running the local klusterlet: two
 * spokes joining at once become Joined and Available after one accept (timed); refusals give a
 * reason per cluster and change nothing; competing agents are named and --requesters picks one;
 * and what an accepted agent's certificate (and the bootstrap token) can NOT do on the hub.
 */
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { KubeApiError } from '../../src/kube/errors.js';
import { resourcePath } from '../../src/kube/resources.js';
import { MANAGED_CLUSTERS, MANIFEST_WORKS, TYPE } from '../../src/api/index.js';
import { COND, HUB_KUBECONFIG_KEYS, NS, SECRET } from '../../src/api/names.js';
import { CSRS } from '../../src/kube/certificates.js';
import { LIST_ALL_ABOVE } from '../../src/commands/accept/run.js';
import { userClient } from '../support/clusters.js';
import { startFleet, type Fleet } from '../support/fleet.js';
import { errorLines } from '../cli/support.js';
import { clusterCsrs, condition, getToken, hubSnapshot, initHub, joinArgs, pendingCsrs, untilCluster, type JoinToken } from './support.js';

let fleet: Fleet;
let hub: KubeClient;
let sa: JoinToken;
let bt: JoinToken;

interface AcceptJson {
  clusters: { cluster: string; outcome: string; reason?: string; message: string; approvedCsrs: string[]; requester?: string; available?: boolean; availableAfterSeconds?: number }[];
}

beforeAll(async () => {
  fleet = await startFleet('accept', ['hub', 'spoke1', 'spoke2']);
  hub = await fleet.client('hub');
  sa = await initHub(fleet);
  bt = await getToken(fleet, ['--use-bootstrap-token']);
});
afterAll(() => fleet?.stop());

const accept = async (...args: string[]) => {
  const r = await fleet.cli('hub', ['accept', ...args]);
  return { ...r, json: args.includes('json') && r.stdout ? (JSON.parse(r.stdout) as AcceptJson) : undefined };
};

/** The status code of a request that must be refused. */
const refusedWith = async (p: Promise<unknown>): Promise<number> => {
  try {
    await p;
  } catch (err) {
    if (err instanceof KubeApiError) return err.status;
    throw err;
  }
  return 200;
};

describe('two spokes join at once, one accept makes both Joined and Available', () => {
  beforeAll(async () => {
    const t0 = Date.now();
    const joins = await Promise.all([fleet.cli('spoke1', joinArgs(sa, 'a', '--wait')), fleet.cli('spoke2', joinArgs(sa, 'b', '--wait'))]);
    process.stderr.write(`e2e: two concurrent joins (--runtime local --wait) took ${Date.now() - t0} ms\n`);
    for (const j of joins) expect({ code: j.code, stderr: j.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  });

  test('accept --clusters a,b --wait: exit 0, both Available; the time is measured', async () => {
    const t0 = Date.now();
    const r = await accept('--clusters', 'a,b', '--wait', '-o', 'json');
    const ms = Date.now() - t0;
    expect(r.code).toBe(0);
    const byName = Object.fromEntries(r.json!.clusters.map((c) => [c.cluster, c]));
    for (const c of ['a', 'b']) {
      expect(byName[c]).toMatchObject({ outcome: 'accepted', available: true, approvedCsrs: [expect.stringMatching(new RegExp(`^${c}-`))] });
      const mc = await untilCluster(hub, c, (o) => !!o, 'exists');
      expect([condition(mc, COND.cluster.hubAccepted), condition(mc, COND.cluster.joined), condition(mc, COND.cluster.available)]).toEqual(['True', 'True', 'True']);
    }
    process.stderr.write(
      `e2e: accept --clusters a,b --wait took ${ms} ms in all; Joined and Available after accept: a ${byName.a!.availableAfterSeconds} s, b ${byName.b!.availableAfterSeconds} s\n`,
    );
  });

  test('accepting an accepted cluster exits 0 and says so, approving nothing', async () => {
    const before = await hubSnapshot(hub);
    const r = await accept('--clusters', 'a');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^a\s+already accepted\s+/m);
    expect(await hubSnapshot(hub)).toEqual(before);
  });
});

describe('refusals: a reason per cluster, exit 1, nothing changed', () => {
  beforeAll(async () => {
    // A ManagedCluster nobody's agent asked for: no CSR to approve.
    await hub.create(resourcePath(MANAGED_CLUSTERS), { ...TYPE.managedCluster, metadata: { name: 'lonely' }, spec: { hubAcceptsClient: false } });
    // The hub controller taints it (a spec change) on its own: wait for that before taking snapshots.
    await untilCluster(hub, 'lonely', (o) => (o?.spec?.taints ?? []).length > 0, 'tainted by the hub controller');
  });

  test('no such cluster, no pending CSR, and an accepted one in one run (-o json)', async () => {
    const before = await hubSnapshot(hub);
    const r = await accept('--clusters', 'a,nope,lonely', '-o', 'json');
    expect(r.code).toBe(1);
    const byName = Object.fromEntries(r.json!.clusters.map((c) => [c.cluster, c]));
    expect(byName.a).toMatchObject({ outcome: 'already-accepted' });
    expect(byName.nope).toMatchObject({ outcome: 'not-accepted', reason: 'no-such-cluster', message: expect.stringMatching(/no ManagedCluster nope on this hub: run `ocmadm join --cluster-name nope`/) });
    expect(byName.lonely).toMatchObject({ outcome: 'not-accepted', reason: 'no-pending-csr', message: expect.stringMatching(/no pending CSR from a bootstrap identity for lonely/) });
    expect(await hubSnapshot(hub)).toEqual(before);
  });

  test('the same verdicts when more than LIST_ALL_ABOVE clusters are planned from two lists', async () => {
    const before = await hubSnapshot(hub);
    const absent = Array.from({ length: LIST_ALL_ABOVE }, (_, i) => `nope-${i}`);
    const r = await accept('--clusters', ['a', 'lonely', ...absent].join(','), '-o', 'json');
    expect(r.code).toBe(1);
    const byName = Object.fromEntries(r.json!.clusters.map((c) => [c.cluster, c]));
    expect(byName.a).toMatchObject({ outcome: 'already-accepted' });
    expect(byName.lonely).toMatchObject({ outcome: 'not-accepted', reason: 'no-pending-csr' });
    for (const n of absent) expect(byName[n]).toMatchObject({ outcome: 'not-accepted', reason: 'no-such-cluster' });
    expect(await hubSnapshot(hub)).toEqual(before);
  });

  test('text output: one line per cluster, NOT accepted with the reason', async () => {
    const r = await accept('--clusters', 'nope');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^nope\s+NOT accepted\s+no ManagedCluster nope on this hub/m);
  });

  test('no TTY and no --clusters: exit 2 with one line', async () => {
    const r = await accept();
    expect({ code: r.code, errors: errorLines(r.stderr) }).toEqual({ code: 2, errors: [expect.stringMatching(/--clusters is required when not on a terminal/)] });
  });
});

describe("what an accepted agent's certificate cannot do on the hub", () => {
  let agentA: KubeClient;
  let bootstrap: KubeClient;
  const mcPath = (c: string) => resourcePath({ ...MANAGED_CLUSTERS, name: c });

  beforeAll(async () => {
    const spoke1 = await fleet.client('spoke1');
    const s = await spoke1.get<KubeObject & { data: Record<string, string> }>(`/api/v1/namespaces/${NS.agent}/secrets/${SECRET.hubKubeconfig}`);
    const pem = (k: string) => Buffer.from(s.data[k]!, 'base64').toString();
    agentA = await userClient(fleet.info('hub'), { certPem: pem(HUB_KUBECONFIG_KEYS.cert), keyPem: pem(HUB_KUBECONFIG_KEYS.key) });
    bootstrap = await userClient(fleet.info('hub'), { token: sa.token });
    await hub.create(resourcePath({ ...MANIFEST_WORKS, namespace: 'b' }), { ...TYPE.manifestWork, metadata: { name: 'w', namespace: 'b' }, spec: { workload: { manifests: [] } } });
  });
  afterAll(async () => {
    await agentA?.close();
    await bootstrap?.close();
  });

  test('it cannot accept another cluster, nor itself once denied', async () => {
    expect(await refusedWith(agentA.patch(mcPath('lonely'), { spec: { hubAcceptsClient: true } }, 'merge'))).toBe(403);
    expect(await refusedWith(agentA.patch(mcPath('b'), { spec: { hubAcceptsClient: false } }, 'merge'))).toBe(403);
    await hub.patch(mcPath('a'), { spec: { hubAcceptsClient: false } }, 'merge');
    try {
      await untilCluster(hub, 'a', (o) => condition(o, COND.cluster.hubAccepted) === 'False', 'denied');
      expect(await refusedWith(agentA.patch(mcPath('a'), { spec: { hubAcceptsClient: true } }, 'merge'))).toBe(403);
      expect((await hub.get<{ spec: { hubAcceptsClient?: boolean } }>(mcPath('a'))).spec.hubAcceptsClient).toBe(false);
    } finally {
      const r = await accept('--clusters', 'a', '--wait');
      expect(r.code).toBe(0);
    }
  });

  test("it cannot touch another cluster's ManagedCluster or namespace, approve CSRs, or read Secrets", async () => {
    expect(await refusedWith(agentA.get(mcPath('b')))).toBe(403);
    expect(await refusedWith(agentA.patch(`${mcPath('b')}/status`, { status: { conditions: [] } }, 'merge'))).toBe(403);
    expect(await refusedWith(agentA.list(resourcePath({ ...MANIFEST_WORKS, namespace: 'b' })))).toBe(403);
    expect(await refusedWith(agentA.patch(resourcePath({ ...MANIFEST_WORKS, namespace: 'b', name: 'w' }), { metadata: { labels: { x: 'y' } } }, 'merge'))).toBe(403);
    expect(await refusedWith(agentA.list(`/apis/coordination.k8s.io/v1/namespaces/b/leases`))).toBe(403);
    for (const where of ['a', 'b', 'kube-system', NS.hubBootstrap]) {
      expect({ where, status: await refusedWith(agentA.list(`/api/v1/namespaces/${where}/secrets`)) }).toEqual({ where, status: 403 });
    }
    const csr = (await clusterCsrs(hub, 'b'))[0]!;
    expect(await refusedWith(agentA.replace(resourcePath({ ...CSRS, name: csr.metadata!.name!, subresource: 'approval' }), csr))).toBe(403);
  });

  test('the bootstrap token can register a cluster but never accept one', async () => {
    const body = { ...TYPE.managedCluster, metadata: { name: 'sneaky' }, spec: { hubAcceptsClient: true } };
    const status = await refusedWith(bootstrap.create(resourcePath(MANAGED_CLUSTERS), body));
    expect(status).toBe(403);
    expect(await refusedWith(bootstrap.patch(mcPath('lonely'), { spec: { hubAcceptsClient: true } }, 'merge'))).toBe(403);
  });
});

describe('competing agents for one name', () => {
  let joinOut: { registration: { pendingCsrs: { name: string; requester: string }[] } }[];

  beforeAll(async () => {
    // Both spokes leave a and b (--force) and ask for the name dup, with different bootstrap identities.
    const joins = await Promise.all([
      fleet.cli('spoke1', joinArgs(sa, 'dup', '--force', '--wait', '-o', 'json')),
      fleet.cli('spoke2', joinArgs(bt, 'dup', '--force', '--wait', '-o', 'json')),
    ]);
    for (const j of joins) expect({ code: j.code, stderr: j.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    joinOut = joins.map((j) => JSON.parse(j.stdout));
    expect(await pendingCsrs(hub, 'dup')).toHaveLength(2);
    // Each join --wait reports its own agent's CSR, never the other spoke's.
    const [one, two] = joinOut.map((j) => j.registration.pendingCsrs);
    expect(one).toEqual([{ name: expect.any(String), requester: expect.stringContaining('(system:serviceaccount:open-cluster-management:agent-registration-bootstrap)') }]);
    expect(two).toEqual([{ name: expect.any(String), requester: expect.stringContaining('(system:bootstrap:ocmhub)') }]);
    expect(one![0]!.name).not.toBe(two![0]!.name);
  });

  test('accept refuses, names both agents and says how to pick; nothing changes', async () => {
    const before = await hubSnapshot(hub);
    const r = await accept('--clusters', 'dup');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^dup\s+NOT accepted\s+2 agents compete for the name dup: agent \w+ \(.*\), agent \w+ \(.*\); pick one with --requesters/m);
    // Both requesters are named (in the order their CSRs were filed).
    expect(r.stdout).toMatch(/agent \w+ \(system:serviceaccount:open-cluster-management:agent-registration-bootstrap\)/);
    expect(r.stdout).toMatch(/agent \w+ \(system:bootstrap:ocmhub\)/);
    expect(await hubSnapshot(hub)).toEqual(before);
  });

  test('--requesters picks spoke2\'s agent: only its CSR is approved and dup becomes Available', async () => {
    const mine = joinOut[1]!.registration.pendingCsrs[0]!;
    const agent = /^agent (\w+) /.exec(mine.requester)![1]!;
    const r = await accept('--clusters', 'dup', '--requesters', agent, '--wait', '-o', 'json');
    expect(r.code).toBe(0);
    expect(r.json!.clusters[0]).toMatchObject({ outcome: 'accepted', available: true, approvedCsrs: [mine.name] });
    const pending = (await pendingCsrs(hub, 'dup')).map((c) => c.metadata!.name);
    expect(pending).toEqual([joinOut[0]!.registration.pendingCsrs[0]!.name]);
  });
});
