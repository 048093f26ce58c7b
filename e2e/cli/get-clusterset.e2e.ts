/**
 * `ocmadm get clusters|clustersets` (table, JSON, YAML, names, selectors) and `ocmadm clusterset
 * create|bind|set` on a hub made by `ocmadm init`, with ManagedClusters whose status is written
 * as an agent would.
 */
import yaml from 'js-yaml';
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { waitForObject } from '../../src/kube/wait.js';
import { MANAGED_CLUSTERS, MANAGED_CLUSTER_SET_BINDINGS, TYPE } from '../../src/api/index.js';
import { LABEL } from '../../src/api/names.js';
import { startFleet, type Fleet } from '../support/fleet.js';
import { errorLines } from './support.js';

let fleet: Fleet;
let admin: KubeClient;
const mc = (name?: string) => resourcePath({ ...MANAGED_CLUSTERS, name });
const labelOf = async (name: string) => (await admin.get<KubeObject>(mc(name))).metadata?.labels?.[LABEL.clusterSet];

beforeAll(async () => {
  fleet = await startFleet('get', ['hub']);
  admin = await fleet.client('hub');
  expect((await fleet.cli('hub', ['init', '--runtime', 'local', '--wait'])).code).toBe(0);
  await admin.create(mc(), { ...TYPE.managedCluster, metadata: { name: 'alpha', labels: { env: 'prod' } }, spec: { hubAcceptsClient: true } });
  await admin.create(mc(), { ...TYPE.managedCluster, metadata: { name: 'beta' }, spec: { hubAcceptsClient: false } });
  const now = new Date().toISOString();
  const cond = (type: string) => ({ type, status: 'True', reason: 'E2E', message: 'set by the test', lastTransitionTime: now });
  await admin.patch(`${mc('alpha')}/status`, {
    status: {
      conditions: [cond('ManagedClusterJoined'), cond('ManagedClusterConditionAvailable')],
      version: { kubernetes: 'v1.36.3' },
      allocatable: { cpu: '4', memory: '8Gi' },
      capacity: { cpu: '4', memory: '8Gi' },
    },
  }, 'merge');
  // The hub controller puts clusters without a set into `default`: wait for it, so the counts are settled.
  for (const name of ['alpha', 'beta']) {
    await waitForObject(admin, { ...MANAGED_CLUSTERS, name }, (o) => o?.metadata?.labels?.[LABEL.clusterSet] === 'default', { deadline: Date.now() + 30_000, what: `${name} in set default` });
  }
});
afterAll(() => fleet?.stop());

describe('get clusters', () => {
  test('table: accepted, joined, available, version, set, CPU, memory, age', async () => {
    const r = await fleet.cli('hub', ['get', 'clusters']);
    expect(r.code).toBe(0);
    const [header, ...rows] = r.stdout.trimEnd().split('\n').map((l) => l.split(/\s{2,}/));
    expect(header).toEqual(['NAME', 'ACCEPTED', 'JOINED', 'AVAILABLE', 'VERSION', 'CLUSTERSET', 'CPU', 'MEMORY', 'AGE']);
    expect(rows.map((c) => c.slice(0, 8))).toEqual([
      ['alpha', 'true', 'True', 'True', 'v1.36.3', 'default', '4', '8Gi'],
      ['beta', 'false', '<none>', '<none>', '<none>', 'default', '<none>', '<none>'],
    ]);
  });

  test('-o json and -o yaml give the objects as a v1 List', async () => {
    const json = await fleet.cli('hub', ['get', 'clusters', '-o', 'json']);
    expect(json.code).toBe(0);
    const list = JSON.parse(json.stdout) as { kind: string; items: KubeObject[] };
    expect(list.kind).toBe('List');
    expect(list.items.map((i) => i.metadata?.name)).toEqual(['alpha', 'beta']);
    const y = await fleet.cli('hub', ['get', 'clusters', 'beta', '-o', 'yaml']);
    expect((yaml.load(y.stdout) as { items: KubeObject[] }).items.map((i) => i.metadata?.name)).toEqual(['beta']);
  });

  test('names and label selectors narrow the list; an unknown name is exit 1', async () => {
    const sel = await fleet.cli('hub', ['get', 'clusters', '-l', 'env=prod', '-o', 'json']);
    expect(JSON.parse(sel.stdout).items.map((i: KubeObject) => i.metadata?.name)).toEqual(['alpha']);
    const missing = await fleet.cli('hub', ['get', 'clusters', 'alpha', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('alpha');
    expect(errorLines(missing.stderr)).toEqual(['Error: no managed cluster named nope on this hub (ocmadm get clusters lists them)']);
    const bad = await fleet.cli('hub', ['get', 'clusters', '-o', 'xml']);
    expect(bad.code).toBe(2);
  });
});

describe('clusterset create|bind|set and get clustersets', () => {
  test('create is idempotent; names are checked', async () => {
    expect((await fleet.cli('hub', ['clusterset', 'create', 'prod'])).stdout).toBe('cluster set prod created\n');
    expect((await fleet.cli('hub', ['clusterset', 'create', 'prod'])).stdout).toBe('cluster set prod unchanged\n');
    const sel = await fleet.cli('hub', ['clusterset', 'create', 'by-env', '--label-selector', 'env=prod', '-o', 'json']);
    expect(JSON.parse(sel.stdout)).toEqual({ action: 'create', clusterSet: 'by-env', change: 'created' });
    expect((await fleet.cli('hub', ['clusterset', 'create', 'Bad_Name'])).code).toBe(2);
  });

  test('bind needs an existing set and namespace; binding twice is a no-op', async () => {
    const ok = await fleet.cli('hub', ['clusterset', 'bind', 'prod', '-n', 'default']);
    expect({ code: ok.code, out: ok.stdout }).toEqual({ code: 0, out: 'cluster set prod bound to namespace default\n' });
    await admin.get(resourcePath({ ...MANAGED_CLUSTER_SET_BINDINGS, namespace: 'default', name: 'prod' }));
    expect((await fleet.cli('hub', ['clusterset', 'bind', 'prod', '-n', 'default'])).stdout).toContain('already bound');
    const noNs = await fleet.cli('hub', ['clusterset', 'bind', 'prod', '-n', 'nowhere']);
    expect(noNs.code).toBe(1);
    expect(errorLines(noNs.stderr)[0]).toContain('namespace "nowhere" does not exist');
    const noSet = await fleet.cli('hub', ['clusterset', 'bind', 'ghost', '-n', 'default']);
    expect(noSet.code).toBe(1);
    expect(noSet.stderr).toContain('ocmadm clusterset create ghost');
  });

  test('set moves clusters into a set; an unknown cluster changes nothing', async () => {
    const bad = await fleet.cli('hub', ['clusterset', 'set', 'prod', '--clusters', 'alpha,nope']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('nothing was changed');
    expect(await labelOf('alpha')).toBe('default');
    const ok = await fleet.cli('hub', ['clusterset', 'set', 'prod', '--clusters', 'alpha']);
    expect({ code: ok.code, out: ok.stdout }).toEqual({ code: 0, out: 'alpha: moved from default to prod\n' });
    expect(await labelOf('alpha')).toBe('prod');
  });

  test('get clustersets: selector type, member count, bound namespaces', async () => {
    const r = await fleet.cli('hub', ['get', 'clustersets']);
    expect(r.code).toBe(0);
    const rows = Object.fromEntries(r.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/\s{2,}/)).map((c) => [c[0], c.slice(1, 4)]));
    expect(rows).toEqual({
      'by-env': ['LabelSelector', '1', '<none>'],
      default: ['ExclusiveClusterSetLabel', '1', '<none>'],
      global: ['LabelSelector', '2', '<none>'],
      prod: ['ExclusiveClusterSetLabel', '1', 'default'],
    });
    const json = await fleet.cli('hub', ['get', 'clustersets', 'prod', '-o', 'json']);
    expect(JSON.parse(json.stdout).items.map((i: KubeObject) => i.metadata?.name)).toEqual(['prod']);
  });
});
