/**
 * The everyday hub commands on a hub made by `ocmadm init` with a real spoke joined by `ocmadm
 * join` (both local runtimes): --dry-run on every command that writes changes nothing on either
 * cluster (one table), then `create placement` (the hub controller decides it), `delete work`,
 * `clusterset unbind|delete` and `get clusters -o wide`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { CSRS } from '../../src/kube/certificates.js';
import { waitForObject } from '../../src/kube/wait.js';
import { MANAGED_CLUSTERS, MANAGED_CLUSTER_SETS, MANAGED_CLUSTER_SET_BINDINGS, MANIFEST_WORKS, PLACEMENT_DECISIONS, PLACEMENTS, TYPE } from '../../src/api/index.js';
import { LABEL } from '../../src/api/names.js';
import { startFleet, type Fleet } from '../support/fleet.js';
import { errorLines, snapshot, SNAPSHOT_KINDS, type SnapshotKind } from './support.js';

let fleet: Fleet;
let admin: KubeClient;
let spoke: KubeClient;
let joinArgs: string[];
let appFile: string;

const NAMESPACES = { group: '', version: 'v1', resource: 'namespaces' };
const placementRef = (name: string) => ({ ...PLACEMENTS, namespace: 'default', name });
const workRef = (cluster: string) => ({ ...MANIFEST_WORKS, namespace: cluster, name: 'hello' });
const bindingRef = (set: string) => ({ ...MANAGED_CLUSTER_SET_BINDINGS, namespace: 'default', name: set });
const exists = (ref: Parameters<typeof resourcePath>[0]) => admin.get(resourcePath(ref)).then(() => true, () => false);
const within = (ms: number) => Date.now() + ms;
/** Every wait of the CLI ends within two minutes, so a stuck one fails its test with the CLI's own message. */
const cli = (on: string, args: string[]) => fleet.cli(on, ['--timeout', '120', ...args]);

/** Everything a writer could touch: what init writes, the OCM objects, CSRs, and every Secret and ConfigMap. */
const KINDS: SnapshotKind[] = [
  ...SNAPSHOT_KINDS,
  MANAGED_CLUSTERS,
  MANAGED_CLUSTER_SETS,
  MANAGED_CLUSTER_SET_BINDINGS,
  PLACEMENTS,
  MANIFEST_WORKS,
  CSRS,
  { group: '', version: 'v1', resource: 'secrets' },
  { group: '', version: 'v1', resource: 'configmaps' },
];
const SPOKE_KINDS: SnapshotKind[] = [...SNAPSHOT_KINDS, { group: '', version: 'v1', resource: 'secrets' }, { group: '', version: 'v1', resource: 'configmaps' }];
/** alpha has no agent: the hub controller taints it (a spec change) on its own schedule, so it is left out. */
const both = async () => ({ hub: (await snapshot(admin, KINDS)).filter((l) => !l.startsWith('managedclusters /alpha@')), spoke: await snapshot(spoke, SPOKE_KINDS) });

beforeAll(async () => {
  fleet = await startFleet('commands', ['hub', 'spoke']);
  admin = await fleet.client('hub');
  spoke = await fleet.client('spoke');
  const init = await cli('hub', ['init', '--runtime', 'local', '--wait', '-o', 'json']);
  expect(init.code).toBe(0);
  const { 'hub-token': token, 'hub-apiserver': server } = JSON.parse(init.stdout);
  joinArgs = ['join', '--hub-token', token, '--hub-apiserver', server, '--cluster-name', 'spoke1', '--runtime', 'local'];
  // alpha: a cluster whose status is written as an agent would, in set team (bound to default), with a work.
  await admin.create(resourcePath(MANAGED_CLUSTERS), {
    ...TYPE.managedCluster,
    metadata: { name: 'alpha', labels: { env: 'prod' } },
    spec: { hubAcceptsClient: true, managedClusterClientConfigs: [{ url: 'https://alpha.example:6443' }] },
  });
  const now = new Date().toISOString();
  const cond = (type: string) => ({ type, status: 'True', reason: 'E2E', message: 'set by the test', lastTransitionTime: now });
  await admin.patch(`${resourcePath({ ...MANAGED_CLUSTERS, name: 'alpha' })}/status`, { status: { conditions: [cond('ManagedClusterJoined'), cond('ManagedClusterConditionAvailable')], version: { kubernetes: 'v1.36.3' } } }, 'merge');
  await admin.patch(resourcePath({ ...NAMESPACES, name: 'alpha' }), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'alpha' } }, 'apply', { fieldManager: 'ocmadm-e2e', force: true });
  await admin.create(resourcePath({ ...MANIFEST_WORKS, namespace: 'alpha' }), {
    ...TYPE.manifestWork,
    metadata: { name: 'hello', namespace: 'alpha' },
    spec: { workload: { manifests: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hello', namespace: 'default' }, data: { a: 'b' } }] } },
  });
  for (const args of [['clusterset', 'create', 'team'], ['clusterset', 'bind', 'team', '-n', 'default'], ['clusterset', 'set', 'team', '--clusters', 'alpha']]) {
    expect((await cli('hub', args)).code).toBe(0);
  }
  appFile = path.join(fleet.stateDir, 'app.yaml');
  fs.writeFileSync(appFile, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n  namespace: default\ndata:\n  color: blue\n');
});
afterAll(() => fleet?.stop());

describe('--dry-run writes nothing, on the hub or the spoke', () => {
  type Row = [string, 'hub' | 'spoke', () => string[], RegExp];
  const rows: Row[] = [
    ['init', 'hub', () => ['init', '--runtime', 'local', '--dry-run'], /kind: CustomResourceDefinition/],
    ['join', 'spoke', () => [...joinArgs, '--dry-run'], /spoke1/],
    ['accept (a pending cluster)', 'hub', () => ['accept', '--clusters', 'spoke1', '--dry-run'], /would be accepted/],
    ['clusterset create', 'hub', () => ['clusterset', 'create', 'other', '--dry-run'], /cluster set other would be created \(dry run/],
    ['clusterset bind', 'hub', () => ['clusterset', 'bind', 'global', '-n', 'default', '--dry-run'], /would be bound to namespace default/],
    ['clusterset set', 'hub', () => ['clusterset', 'set', 'default', '--clusters', 'alpha', '--dry-run'], /alpha: would move from team to default/],
    ['clusterset unbind', 'hub', () => ['clusterset', 'unbind', 'team', '-n', 'default', '--dry-run'], /would be unbound/],
    ['clusterset delete', 'hub', () => ['clusterset', 'delete', 'team', '--force', '--dry-run'], /team would be deleted; its bindings in default would be deleted too/],
    ['create placement', 'hub', () => ['create', 'placement', 'dry', '--clustersets', 'team', '--dry-run'], /placement default\/dry would be created/],
    ['delete work', 'hub', () => ['delete', 'work', 'hello', '--clusters', 'alpha', '--dry-run'], /alpha\/hello: would be deleted/],
    ['deploy', 'hub', () => ['deploy', 'web', '-f', appFile, '--clusters', 'alpha', '--dry-run'], /web/],
    ['delete token', 'hub', () => ['delete', 'token', '--dry-run'], /Would delete and re-create/],
    ['unjoin', 'spoke', () => ['unjoin', '--cluster-name', 'spoke1', '--dry-run'], /spoke1/],
    ['clean', 'hub', () => ['clean', '--force', '--dry-run'], /./],
  ];
  test.each(rows)('%s', async (name, on, args, says) => {
    if (name.startsWith('accept')) {
      // A real join first (its --wait returns once the agent's CSR is pending), so there is something to accept.
      const j = await cli('spoke', [...joinArgs, '--wait']);
      expect({ code: j.code, errors: errorLines(j.stderr) }).toEqual({ code: 0, errors: [] });
    }
    const before = await both();
    const r = await cli(on, args());
    expect({ code: r.code, errors: errorLines(r.stderr) }).toEqual({ code: 0, errors: [] });
    expect(r.stdout).toMatch(says);
    expect(await both()).toEqual(before);
  });
});

describe('get hub-info and klusterlet-info (local runtimes, found as ocmadm version finds them)', () => {
  test('hub-info: the controller process, healthy and leading, every CRD, registration counts', async () => {
    const r = await cli('hub', ['get', 'hub-info', '-o', 'json']);
    expect({ code: r.code, errors: errorLines(r.stderr) }).toEqual({ code: 0, errors: [] });
    const info = JSON.parse(r.stdout);
    expect(info).toMatchObject({ controller: { runtime: 'local', healthy: true, local: { running: true } }, crds: { missing: [] } });
    expect(info.controller.leader.holder).toEqual(expect.any(String));
    // alpha (accepted and Joined as written above; Available turns Unknown once the hub sees no lease) and spoke1 (its CSR pending).
    expect(info.registration).toMatchObject({ clusters: 2, accepted: 1, joined: 1, pendingCsrs: 1 });
    expect(info.registration.available).toBeLessThanOrEqual(1);
    const text = await cli('hub', ['get', 'hub-info']);
    expect(text.stdout).toMatch(/^health\s+Healthy$/m);
  });

  test('klusterlet-info before and after accept: credentials, expiry, accepted, Joined, Available', async () => {
    const before = await cli('spoke', ['get', 'klusterlet-info', '-o', 'json']);
    expect({ code: before.code, errors: errorLines(before.stderr) }).toEqual({ code: 0, errors: [] });
    const b = JSON.parse(before.stdout);
    expect(b).toMatchObject({ runtime: 'local', healthy: true, clusterName: 'spoke1', hub: fleet.info('hub').server, bootstrap: { present: true, accepted: true, expired: false }, hubCredential: { present: false } });
    expect(Date.parse(b.bootstrap.expires)).toBeGreaterThan(Date.now());
    expect((await cli('hub', ['accept', '--clusters', 'spoke1', '--wait'])).code).toBe(0);
    const after = JSON.parse((await cli('spoke', ['get', 'klusterlet-info', '-o', 'json'])).stdout);
    expect(after).toMatchObject({ accepted: true, joined: 'True', available: 'True', hubCredential: { present: true, accepted: true, expired: false } });
    const text = await cli('spoke', ['get', 'klusterlet-info']);
    expect(text.stdout).toMatch(/^hub kubeconfig\s+accepted by the hub, expires /m);
    const hub = JSON.parse((await cli('hub', ['get', 'hub-info', '-o', 'json'])).stdout);
    expect(hub.registration).toMatchObject({ clusters: 2, accepted: 2, pendingCsrs: 0 });
    expect(hub.registration.available).toBeGreaterThanOrEqual(1);
  });
});

describe('get clusters -o wide', () => {
  test('adds the URL, every set the cluster is in, and its labels', async () => {
    const r = await cli('hub', ['get', 'clusters', 'alpha', '-o', 'wide']);
    expect(r.code).toBe(0);
    const [header, row] = r.stdout.trimEnd().split('\n').map((l) => l.split(/\s{2,}/));
    expect(header).toEqual(['NAME', 'ACCEPTED', 'JOINED', 'AVAILABLE', 'VERSION', 'CLUSTERSET', 'CPU', 'MEMORY', 'AGE', 'URL', 'CLUSTERSETS', 'LABELS']);
    expect([...row!.slice(0, 3), ...row!.slice(4, 6)]).toEqual(['alpha', 'true', 'True', 'v1.36.3', 'team']);
    expect(row!.slice(9)).toEqual(['https://alpha.example:6443', 'global,team', expect.stringMatching(new RegExp(`^${LABEL.clusterSet}=team,env=prod`))]);
  });
});

describe('create placement', () => {
  test('bad flags: one line, exit 2; an unbound set: exit 1; nothing written', async () => {
    const bad = await cli('hub', ['create', 'placement', 'web', '--prioritizers', 'Fastest:1']);
    expect({ code: bad.code, errors: errorLines(bad.stderr) }).toEqual({ code: 2, errors: [expect.stringMatching(/unknown built-in prioritizer "Fastest"/)] });
    const unbound = await cli('hub', ['create', 'placement', 'web', '--clustersets', 'global']);
    expect({ code: unbound.code, errors: errorLines(unbound.stderr) }).toEqual({ code: 1, errors: [expect.stringMatching(/cluster set global is not bound to namespace default; bind it first: ocmadm clusterset bind global -n default/)] });
    expect(await exists(placementRef('web'))).toBe(false);
  });

  test('creates the Placement clusteradm would, and the hub controller selects the real spoke by label and claim', async () => {
    expect((await cli('hub', ['clusterset', 'bind', 'default', '-n', 'default'])).code).toBe(0);
    const args = ['--clustersets', 'default', '--label-selectors', `${LABEL.clusterSet}=default`, '--claim-selectors', 'id.k8s.io', '--prioritizers', 'Steady:3', '--count', '1'];
    const r = await cli('hub', ['create', 'placement', 'web', ...args, '-o', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).spec).toEqual({
      clusterSets: ['default'],
      numberOfClusters: 1,
      predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { [LABEL.clusterSet]: 'default' } }, claimSelector: { matchExpressions: [{ key: 'id.k8s.io', operator: 'Exists' }] } } }],
      prioritizerPolicy: { mode: 'Additive', configurations: [{ scoreCoordinate: { type: 'BuiltIn', builtIn: 'Steady' }, weight: 3 }] },
      sortBy: 'ClusterName', // CRD defaults
      scoreRateLimit: '1m',
    });
    const decided = await waitForObject(admin, placementRef('web'), (p) => (p?.status as { numberOfSelectedClusters?: number } | undefined)?.numberOfSelectedClusters === 1, {
      deadline: within(60_000),
      what: 'placement web to select spoke1',
    });
    expect(decided).toBeDefined();
  });

  test('--cel-selector: an expression that does not compile is refused with its line:column and nothing is written', async () => {
    for (const [expr, why] of [
      ['managedCluster.metadata.labels["env"] ==', /does not compile: 1:\d+: /],
      ['semver(managedCluster.status.version.kubernetes).isNewer(semver("1.30.0"))', /does not compile: 1:\d+: undeclared reference to function 'isNewer'/],
      ['cluster.metadata.name == "spoke1"', /does not compile: 1:1: undeclared reference 'cluster'/],
    ] as const) {
      const before = await both();
      const r = await cli('hub', ['create', 'placement', 'bad-cel', '--clustersets', 'default', '--cel-selector', 'true', '--cel-selector', expr]);
      expect({ code: r.code, errors: errorLines(r.stderr) }).toEqual({ code: 2, errors: [expect.stringMatching(why)] });
      expect(errorLines(r.stderr)[0]).toContain(JSON.stringify(expr));
      expect(await both()).toEqual(before);
    }
    expect(await exists(placementRef('bad-cel'))).toBe(false);
  });

  test('--cel-selector with the Kubernetes libraries: the hub controller selects by them', async () => {
    const version = 'semver(managedCluster.status.version.kubernetes, true)';
    const newer = await cli('hub', ['create', 'placement', 'cel-newer', '--clustersets', 'default', '--cel-selector', `${version}.isGreaterThan(semver("1.20.0"))`, '--cel-selector', 'managedCluster.metadata.name.find("[a-z]+") == "spoke"', '-o', 'json']);
    expect(newer.code).toBe(0);
    expect(JSON.parse(newer.stdout).spec.predicates).toEqual([
      { requiredClusterSelector: { celSelector: { celExpressions: [`${version}.isGreaterThan(semver("1.20.0"))`, 'managedCluster.metadata.name.find("[a-z]+") == "spoke"'] } } },
    ]);
    const older = await cli('hub', ['create', 'placement', 'cel-older', '--clustersets', 'default', '--cel-selector', `${version}.isLessThan(semver("1.20.0"))`]);
    expect(older.code).toBe(0);
    const selected = (name: string, n: number) =>
      waitForObject(admin, placementRef(name), (p) => (p?.status as { numberOfSelectedClusters?: number } | undefined)?.numberOfSelectedClusters === n, { deadline: within(60_000), what: `placement ${name} to select ${n} cluster(s)` });
    await selected('cel-newer', 1);
    await selected('cel-older', 0);
    const decisions = await admin.list<KubeObject & { status?: { decisions?: { clusterName: string }[] } }>(resourcePath({ ...PLACEMENT_DECISIONS, namespace: 'default' }), { labelSelector: `${LABEL.placement}=cel-newer` });
    expect(decisions.items.flatMap((d) => d.status?.decisions ?? []).map((d) => d.clusterName)).toEqual(['spoke1']);
  });

  test('an existing name is refused without --overwrite; --overwrite replaces the spec', async () => {
    const again = await cli('hub', ['create', 'placement', 'web']);
    expect({ code: again.code, errors: errorLines(again.stderr) }).toEqual({ code: 1, errors: ['Error: placement default/web already exists; pass --overwrite to replace its spec, or choose another name'] });
    const over = await cli('hub', ['create', 'placement', 'web', '--clustersets', 'team', '--count', '2', '--overwrite']);
    expect({ code: over.code, out: over.stdout }).toEqual({ code: 0, out: 'placement default/web updated\n' });
    expect((await admin.get<KubeObject>(resourcePath(placementRef('web')))).spec).toEqual({ clusterSets: ['team'], numberOfClusters: 2, sortBy: 'ClusterName', scoreRateLimit: '1m' });
  });
});

describe('delete work', () => {
  test('a missing work anywhere: exit 1 and nothing deleted', async () => {
    const r = await cli('hub', ['delete', 'work', 'hello', '--clusters', 'alpha,spoke1']);
    expect({ code: r.code, errors: errorLines(r.stderr) }).toEqual({ code: 1, errors: ['Error: no ManifestWork hello in cluster spoke1 (ocmadm get works lists them); nothing was deleted'] });
    expect(await exists(workRef('alpha'))).toBe(true);
    expect((await cli('hub', ['delete', 'work', 'hello'])).code).toBe(2);
  });

  test('--wait: deleted and gone', async () => {
    const r = await cli('hub', ['delete', 'work', 'hello', '--clusters', 'alpha', '--wait', '-o', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ name: 'hello', dryRun: false, clusters: [{ cluster: 'alpha', change: 'deleted', gone: true }] });
    expect(await exists(workRef('alpha'))).toBe(false);
  });
});

describe('clusterset unbind and delete', () => {
  test('delete refuses a bound, non-empty set and says what binds it and which clusters are in it', async () => {
    const r = await cli('hub', ['clusterset', 'delete', 'team']);
    expect({ code: r.code, errors: errorLines(r.stderr) }).toEqual({
      code: 1,
      errors: ['Error: cluster set team is in use (bound to namespace default; clusters in it: alpha): free it (ocmadm clusterset unbind team -n NS, ocmadm clusterset set OTHER --clusters ...) or pass --force; nothing was deleted'],
    });
    expect(await exists({ ...MANAGED_CLUSTER_SETS, name: 'team' })).toBe(true);
  });

  test('unbind removes the binding and names the placements that lose its clusters; twice is exit 1', async () => {
    const r = await cli('hub', ['clusterset', 'unbind', 'team', '-n', 'default']);
    expect({ code: r.code, out: r.stdout }).toEqual({ code: 0, out: 'cluster set team unbound from namespace default; placements there that lose its clusters: web\n' });
    expect(await exists(bindingRef('team'))).toBe(false);
    const again = await cli('hub', ['clusterset', 'unbind', 'team', '-n', 'default']);
    expect({ code: again.code, errors: errorLines(again.stderr) }).toEqual({ code: 1, errors: [expect.stringMatching(/cluster set team is not bound to namespace default: nothing to unbind/)] });
  });

  test('still refused while clusters are in it; --force deletes it', async () => {
    const r = await cli('hub', ['clusterset', 'delete', 'team']);
    expect({ code: r.code, errors: errorLines(r.stderr) }).toEqual({ code: 1, errors: [expect.stringContaining('(clusters in it: alpha)')] });
    const forced = await cli('hub', ['clusterset', 'delete', 'team', '--force', '-o', 'json']);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toEqual({ action: 'delete', clusterSet: 'team', change: 'deleted', bindings: [], members: ['alpha'] });
    await waitForObject(admin, { ...MANAGED_CLUSTER_SETS, name: 'team' }, (s) => !s, { deadline: within(30_000), what: 'set team to be gone' });
    const bad = await cli('hub', ['clusterset', 'delete', 'Bad_Name']);
    expect(bad.code).toBe(2);
  });
});
