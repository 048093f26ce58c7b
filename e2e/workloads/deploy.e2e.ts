/**
 * `ocmadm deploy` end to end: a hub made by `init`, two spokes joined with `join` and accepted
 * with `accept` (local runtimes: real registration and work agents), then a Namespace +
 * ConfigMap + Deployment shipped by cluster name and by label selector, updated, fed back,
 * moved out of a selector, orphaned and deleted — each checked on the spokes themselves.
 */
import { waitForList, waitForObject } from '../../src/kube/wait.js';
import fs from 'node:fs';
import path from 'node:path';
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { MANAGED_CLUSTERS, MANIFEST_WORKS } from '../../src/api/index.js';
import { LABEL } from '../../src/api/names.js';
import { startFleet, type Fleet } from '../support/fleet.js';

let fleet: Fleet;
let hub: KubeClient;
const spokes: Record<string, KubeClient> = {};
let dir: string;

const APP = (color: string, ns = 'web') => `apiVersion: v1
kind: Namespace
metadata: { name: ${ns} }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: web-config, namespace: ${ns} }
data: { color: ${color} }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${ns} }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, image: nginx }] }
`;
const file = (name: string, text: string) => (fs.writeFileSync(path.join(dir, name), text), path.join(dir, name));
const cm = (ns: string) => ({ group: '', version: 'v1', resource: 'configmaps', namespace: ns, name: 'web-config' });
const colorOn = async (spoke: string, ns = 'web') => {
  try {
    return ((await spokes[spoke]!.get<KubeObject>(resourcePath(cm(ns)))).data as Record<string, string>).color;
  } catch {
    return undefined;
  }
};
const until = (spoke: string, ref: Parameters<typeof waitForObject>[1], done: (o: KubeObject | undefined) => boolean, what: string) =>
  waitForObject(spokes[spoke]!, ref, done, { deadline: Date.now() + 60_000, what: `${what} on ${spoke}` });

beforeAll(async () => {
  fleet = await startFleet('deploy', ['hub', 'spoke1', 'spoke2']);
  hub = await fleet.client('hub');
  for (const s of ['spoke1', 'spoke2']) spokes[s] = await fleet.client(s);
  dir = fs.mkdtempSync(path.join(fleet.stateDir, 'manifests-'));
  const init = await fleet.cli('hub', ['init', '--runtime', 'local', '--wait', '-o', 'json']);
  expect(init.code).toBe(0);
  const { 'hub-token': token, 'hub-apiserver': server } = JSON.parse(init.stdout);
  const joins = await Promise.all(
    ['spoke1', 'spoke2'].map((s) => fleet.cli(s, ['join', '--hub-token', token, '--hub-apiserver', server, '--cluster-name', s, '--runtime', 'local', '--wait'])),
  );
  for (const j of joins) expect({ code: j.code, err: j.stderr.split('\n').filter((l) => /^Error/.test(l)) }).toEqual({ code: 0, err: [] });
  const accept = await fleet.cli('hub', ['accept', '--clusters', 'spoke1,spoke2', '--wait']);
  expect(accept.code).toBe(0);
  await hub.patch(resourcePath({ ...MANAGED_CLUSTERS, name: 'spoke1' }), { metadata: { labels: { env: 'prod' } } }, 'merge');
});
afterAll(() => fleet?.stop());

describe('by cluster name', () => {
  test('--wait: applied and available on both spokes; the objects are there', async () => {
    const t0 = Date.now();
    const r = await fleet.cli('hub', ['deploy', 'web', '-f', file('app.yaml', APP('blue')), '--clusters', 'spoke1,spoke2', '--wait', '-o', 'json']);
    process.stderr.write(`e2e: deploy --wait to 2 spokes (create → Applied and Available): ${Date.now() - t0} ms\n`);
    expect({ code: r.code, stderr: r.code ? r.stderr : '' }).toEqual({ code: 0, stderr: '' });
    const result = JSON.parse(r.stdout) as { clusters: { cluster: string; applied: string; available: string }[] };
    expect(result.clusters).toEqual([
      expect.objectContaining({ cluster: 'spoke1', applied: 'True', available: 'True' }),
      expect.objectContaining({ cluster: 'spoke2', applied: 'True', available: 'True' }),
    ]);
    expect(await colorOn('spoke1')).toBe('blue');
    expect(await colorOn('spoke2')).toBe('blue');
  });

  test('the Deployment status comes back as feedback', async () => {
    const w = await waitForObject<KubeObject>(
      hub,
      { ...MANIFEST_WORKS, namespace: 'spoke1', name: 'web' },
      (o) => JSON.stringify(o?.status ?? {}).includes('"name":"Replicas"'),
      { deadline: Date.now() + 60_000, what: 'Deployment feedback on spoke1/web' },
    );
    const manifests = (w!.status as { resourceStatus: { manifests: { resourceMeta: { kind: string }; statusFeedback?: { values: { name: string; fieldValue: { integer?: number } }[] } }[] } }).resourceStatus.manifests;
    const dep = manifests.find((m) => m.resourceMeta.kind === 'Deployment')!;
    expect(dep.statusFeedback!.values.find((v) => v.name === 'Replicas')!.fieldValue.integer).toBe(2);
  });

  test('an update reaches the spokes', async () => {
    const r = await fleet.cli('hub', ['deploy', 'web', '-f', file('app.yaml', APP('green')), '--clusters', 'spoke1,spoke2', '--wait']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/spoke1\s+True\s+True/);
    expect(await colorOn('spoke1')).toBe('green');
    expect(await colorOn('spoke2')).toBe('green');
  });

  test('--delete removes the objects from the spokes before it returns', async () => {
    const r = await fleet.cli('hub', ['deploy', 'web', '--delete']);
    expect({ code: r.code, out: r.stdout }).toEqual({ code: 0, out: expect.stringContaining('web is gone from every cluster') });
    expect(await colorOn('spoke1')).toBeUndefined();
    expect(await colorOn('spoke2')).toBeUndefined();
  });

  test('--delete-option Orphan keeps the objects on the spokes', async () => {
    const ok = await fleet.cli('hub', ['deploy', 'kept', '-f', file('kept.yaml', APP('red', 'kept')), '--clusters', 'spoke2', '--delete-option', 'Orphan', '--wait']);
    expect(ok.code).toBe(0);
    const del = await fleet.cli('hub', ['deploy', 'kept', '--delete']);
    expect(del.code).toBe(0);
    expect(await colorOn('spoke2', 'kept')).toBe('red');
  });

  test('a manifest the spoke refuses: exit 1 naming the cluster and the API message', async () => {
    const bad = `apiVersion: example.com/v1\nkind: Gadget\nmetadata: { name: g, namespace: default }\n`;
    const r = await fleet.cli('hub', ['deploy', 'bad', '-f', file('bad.yaml', bad), '--clusters', 'spoke1', '--wait']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/spoke1\s+False/);
    expect(r.stdout).toMatch(/Gadget/);
    expect(r.stderr).toContain('bad is not done on: spoke1');
    expect((await fleet.cli('hub', ['deploy', 'bad', '--delete'])).code).toBe(0);
  });
});

describe('by label selector (Placement + ManifestWorkReplicaSet)', () => {
  test('only the matching spoke gets it; moving the label moves the work and its objects', async () => {
    const r = await fleet.cli('hub', ['deploy', 'site', '-f', file('site.yaml', APP('gold', 'site')), '--cluster-selector', 'env=prod', '--wait', '-o', 'json']);
    expect({ code: r.code, stderr: r.code ? r.stderr : '' }).toEqual({ code: 0, stderr: '' });
    expect((JSON.parse(r.stdout) as { clusters: { cluster: string }[] }).clusters.map((c) => c.cluster)).toEqual(['spoke1']);
    expect(await colorOn('spoke1', 'site')).toBe('gold');
    expect(await colorOn('spoke2', 'site')).toBeUndefined();

    await hub.patch(resourcePath({ ...MANAGED_CLUSTERS, name: 'spoke1' }), { metadata: { labels: { env: null } } }, 'merge');
    await hub.patch(resourcePath({ ...MANAGED_CLUSTERS, name: 'spoke2' }), { metadata: { labels: { env: 'prod' } } }, 'merge');
    await until('spoke2', cm('site'), (o) => (o?.data as Record<string, string> | undefined)?.color === 'gold', 'site config');
    await until('spoke1', cm('site'), (o) => o === undefined, 'site config removed');
    // spoke1's work leaves the hub once its agent has cleaned up (its finalizer).
    await waitForList(hub, resourcePath(MANIFEST_WORKS), (items) => items.length === 1 && items[0]!.metadata?.namespace === 'spoke2', {
      labelSelector: `${LABEL.mwrs}=default.site`,
      deadline: Date.now() + 60_000,
      what: 'the site works to be only on spoke2',
    });
    const works = await fleet.cli('hub', ['get', 'works', 'site', '-o', 'json']);
    expect(JSON.parse(works.stdout).items.map((w: KubeObject) => w.metadata?.namespace)).toEqual(['spoke2']);
  });

  test('get placements shows the decision; --delete cleans the spoke', async () => {
    const p = await fleet.cli('hub', ['get', 'placements', 'site']);
    expect(p.stdout).toMatch(/default\s+site\s+1\s+True/);
    const del = await fleet.cli('hub', ['deploy', 'site', '--delete']);
    expect(del.code).toBe(0);
    expect(await colorOn('spoke2', 'site')).toBeUndefined();
  });
});
