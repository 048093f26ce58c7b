/**
 * `ocmadm deploy` on a hub made by `ocmadm init`, up to what the hub holds: input checks that
 * change nothing, works per named cluster (updated and pruned on re-runs), the Placement +
 * ManifestWorkReplicaSet for a selector, `get works|placements`, and --delete. What the spokes
 * do with the works is proven in e2e/workloads (real klusterlets).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { waitForObject } from '../../src/kube/wait.js';
import { MANAGED_CLUSTERS, MANAGED_CLUSTER_SET_BINDINGS, MANIFEST_WORKS, MANIFEST_WORK_REPLICA_SETS, PLACEMENTS, TYPE } from '../../src/api/index.js';
import { LABEL } from '../../src/api/names.js';
import { startFleet, type Fleet } from '../support/fleet.js';
import { errorLines } from './support.js';

let fleet: Fleet;
let admin: KubeClient;
let dir: string;
const works = async (selector = `${LABEL.deploy}=web`) => (await admin.list(resourcePath(MANIFEST_WORKS), { labelSelector: selector })).items;
const file = (name: string, text: string) => (fs.writeFileSync(path.join(dir, name), text), path.join(dir, name));
const APP = `apiVersion: v1
kind: Namespace
metadata:
  name: web
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: web
data:
  color: blue
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: web
spec:
  replicas: 1
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, image: nginx }] }
`;

beforeAll(async () => {
  fleet = await startFleet('deploy', ['hub']);
  admin = await fleet.client('hub');
  dir = fs.mkdtempSync(path.join(fleet.stateDir, 'manifests-'));
  expect((await fleet.cli('hub', ['init', '--runtime', 'local', '--wait'])).code).toBe(0);
  for (const [name, labels] of [['c1', { env: 'prod' }], ['c2', { env: 'dev' }]] as const) {
    await admin.create(resourcePath(MANAGED_CLUSTERS), { ...TYPE.managedCluster, metadata: { name, labels }, spec: { hubAcceptsClient: true } });
    // The hub controller makes the cluster namespace on accept: works live there.
    await waitForObject(admin, { group: '', version: 'v1', resource: 'namespaces', name }, (o) => !!o, { deadline: Date.now() + 30_000, what: `namespace ${name}` });
  }
});
afterAll(() => fleet?.stop());

describe('input checks: one line, exit code, nothing written', () => {
  afterAll(async () => expect(await works('')).toEqual([]));

  test('invalid YAML names the file, line and column', async () => {
    const f = file('bad.yaml', 'kind: ConfigMap\nmetadata: [\n');
    const r = await fleet.cli('hub', ['deploy', 'web', '-f', f, '--clusters', 'c1']);
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(new RegExp(`^Error: ${f}:3:1: invalid YAML`))]);
  });

  test.each([
    ['generateName', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: x-\n', /generateName/],
    ['duplicate', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n', /already in/],
  ])('%s is refused', async (name, text, msg) => {
    const r = await fleet.cli('hub', ['deploy', 'web', '-f', file(`${name}.yaml`, text), '--clusters', 'c1']);
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr)[0]).toMatch(msg);
  });

  test('unknown clusters, an empty selector, a missing namespace or placement: exit 1', async () => {
    const f = file('app.yaml', APP);
    const cases: [string[], RegExp][] = [
      [['--clusters', 'c1,ghost'], /no managed cluster named ghost/],
      [['--cluster-selector', 'env=nowhere'], /no managed cluster has the labels env=nowhere/],
      [['--cluster-selector', 'env=prod', '-n', 'missing'], /namespace "missing" does not exist/],
      [['--placement', 'ghost'], /no Placement "ghost" in namespace default/],
    ];
    for (const [args, msg] of cases) {
      const r = await fleet.cli('hub', ['deploy', 'web', '-f', f, ...args]);
      expect({ args, code: r.code }).toEqual({ args, code: 1 });
      expect(errorLines(r.stderr)).toEqual([expect.stringMatching(msg)]);
    }
  });

  test('--dry-run prints the works and writes nothing', async () => {
    const r = await fleet.cli('hub', ['deploy', 'web', '-f', file('app.yaml', APP), '--clusters', 'c1,c2', '--dry-run', '-o', 'json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { items: KubeObject[] };
    expect(list.items.map((w) => `${w.kind} ${w.metadata?.namespace}/${w.metadata?.name}`)).toEqual(['ManifestWork c1/web', 'ManifestWork c2/web']);
  });
});

describe('by cluster name', () => {
  test('one ManifestWork per cluster, with feedback rules for the Deployment', async () => {
    const r = await fleet.cli('hub', ['deploy', 'web', '-f', file('app.yaml', APP), '--clusters', 'c1,c2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('applied ManifestWork c1/web');
    const ws = await works();
    expect(ws.map((w) => w.metadata?.namespace).sort()).toEqual(['c1', 'c2']);
    const spec = ws[0]!.spec as { workload: { manifests: KubeObject[] }; manifestConfigs: unknown[]; deleteOption: unknown };
    expect(spec.workload.manifests.map((m) => m.kind)).toEqual(['Namespace', 'ConfigMap', 'Deployment']);
    expect(spec.deleteOption).toEqual({ propagationPolicy: 'Foreground' });
    // (the API server defaults feedbackScrapeType)
    expect(spec.manifestConfigs).toEqual([expect.objectContaining({ resourceIdentifier: { group: 'apps', resource: 'deployments', name: 'web', namespace: 'web' }, feedbackRules: [{ type: 'WellKnownStatus' }] })]);
  });

  test('a re-run with changed files updates the works; clusters no longer named lose theirs', async () => {
    const before = await admin.get<KubeObject>(resourcePath({ ...MANIFEST_WORKS, namespace: 'c1', name: 'web' }));
    const r = await fleet.cli('hub', ['deploy', 'web', '-f', file('app.yaml', APP.replace('color: blue', 'color: green')), '--clusters', 'c1']);
    expect(r.code).toBe(0);
    const after = await admin.get<KubeObject>(resourcePath({ ...MANIFEST_WORKS, namespace: 'c1', name: 'web' }));
    expect(after.metadata?.generation).toBe((before.metadata?.generation ?? 0) + 1);
    expect(JSON.stringify(after.spec)).toContain('green');
    expect((await works()).map((w) => w.metadata?.namespace)).toEqual(['c1']);
  });

  test('get works: table and JSON', async () => {
    const t = await fleet.cli('hub', ['get', 'works']);
    expect(t.code).toBe(0);
    const [header, row] = t.stdout.trimEnd().split('\n').map((l) => l.split(/\s{2,}/));
    expect(header).toEqual(['CLUSTER', 'NAME', 'MANIFESTS', 'APPLIED', 'AVAILABLE', 'FROM', 'MESSAGE', 'AGE']);
    expect(row!.slice(0, 7)).toEqual(['c1', 'web', '3', 'Unknown', 'Unknown', 'deploy', '<none>']);
    const j = await fleet.cli('hub', ['get', 'works', 'web', '--cluster', 'c1', '-o', 'json']);
    expect(JSON.parse(j.stdout).items.map((w: KubeObject) => w.metadata?.namespace)).toEqual(['c1']);
    const none = await fleet.cli('hub', ['get', 'works', 'nope']);
    expect(none.code).toBe(1);
  });

  test('--delete removes the works', async () => {
    const r = await fleet.cli('hub', ['deploy', 'web', '--delete', '-o', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ action: 'delete', removed: [{ kind: 'ManifestWork', namespace: 'c1', name: 'web' }], left: [] });
    expect(await works()).toEqual([]);
    const again = await fleet.cli('hub', ['deploy', 'web', '--delete']);
    expect(again.code).toBe(1);
    expect(errorLines(again.stderr)).toEqual(['Error: nothing is deployed under the name web']);
  });
});

describe('by label selector', () => {
  test('a Placement over the global set, its binding, and a ManifestWorkReplicaSet', async () => {
    const r = await fleet.cli('hub', ['deploy', 'site', '-f', file('app.yaml', APP), '--cluster-selector', 'env=prod']);
    expect(r.code).toBe(0);
    await admin.get(resourcePath({ ...MANAGED_CLUSTER_SET_BINDINGS, namespace: 'default', name: 'global' }));
    const p = await admin.get<KubeObject>(resourcePath({ ...PLACEMENTS, namespace: 'default', name: 'site' }));
    expect(p.spec).toMatchObject({ clusterSets: ['global'], predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { env: 'prod' } } } }] });
    const rs = await admin.get<KubeObject>(resourcePath({ ...MANIFEST_WORK_REPLICA_SETS, namespace: 'default', name: 'site' }));
    expect(rs.spec).toMatchObject({ placementRefs: [{ name: 'site', rolloutStrategy: { type: 'All' } }] });
    const g = await fleet.cli('hub', ['get', 'placements', '-o', 'json']);
    expect(JSON.parse(g.stdout).items.map((i: KubeObject) => i.metadata?.name)).toEqual(['site']);
  });

  test('--delete removes the replica set and the placement it made, and keeps the shared binding', async () => {
    const r = await fleet.cli('hub', ['deploy', 'site', '--delete', '--cluster-selector', 'env=prod', '-o', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).removed).toEqual(
      expect.arrayContaining([
        { kind: 'ManifestWorkReplicaSet', namespace: 'default', name: 'site' },
        { kind: 'Placement', namespace: 'default', name: 'site' },
      ]),
    );
    await admin.get(resourcePath({ ...MANAGED_CLUSTER_SET_BINDINGS, namespace: 'default', name: 'global' }));
  });
});
