/**
 * Load on the work path, with the real agents: a private hub made by `init` and two spokes joined
 * with `join` and accepted with `accept` (local runtimes, so the klusterlets are separate
 * processes as in production). 200 ManifestWorks created at once across both spokes must all
 * become Applied and Available with nothing lost (every ConfigMap on its spoke with its content,
 * every AppliedManifestWork there), then all go away again; and one work just under the
 * 500 KiB a work may hold must apply whole. Timings are printed (stderr) for the report.
 */
import crypto from 'node:crypto';
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { waitForList } from '../../src/kube/wait.js';
import { APPLIED_MANIFEST_WORKS, MANIFEST_WORKS, TYPE, type AppliedManifestWork, type ManifestWork } from '../../src/api/index.js';
import { COND } from '../../src/api/names.js';
import { MAX_WORK_BYTES } from '../../src/commands/deploy/work.js';
import { startFleet, type Fleet } from '../support/fleet.js';

const SPOKES = ['spoke1', 'spoke2'] as const;
const PER_SPOKE = 100;
const NS = 'load';
const LABEL = 'ocmadm-e2e-load';
/** Generous: the machine runs other suites at the same time. */
const WAIT_MS = 240_000;

let fleet: Fleet;
let hub: KubeClient;
const spokes: Record<string, KubeClient> = {};

const CONFIGMAPS = { group: '', version: 'v1', resource: 'configmaps' } as const;
const worksOf = (ns?: string) => resourcePath({ ...MANIFEST_WORKS, namespace: ns });
const log = (line: string) => process.stderr.write(`e2e: load: ${line}\n`);
/** [name, data] pairs in name order, to compare what is on a spoke with what was sent. */
const byName = (objs: KubeObject[]) => objs.map((o) => [o.metadata!.name!, o.data] as const).sort(([a], [b]) => a.localeCompare(b));

const condition = (w: ManifestWork, type: string) => w.status?.conditions?.find((c) => c.type === type);
/** Applied=True for the current generation; with `available`, Available=True too. */
const appliedNow = (w: ManifestWork, available = false) => {
  const a = condition(w, COND.work.applied);
  if (a?.status !== 'True' || a.observedGeneration !== w.metadata.generation) return false;
  return !available || condition(w, COND.work.available)?.status === 'True';
};

function work(cluster: string, name: string, batch: string, manifests: KubeObject[]): ManifestWork {
  return { ...TYPE.manifestWork, metadata: { name, namespace: cluster, labels: { [LABEL]: batch } }, spec: { workload: { manifests } } } as ManifestWork;
}

function configMap(name: string, batch: string, data: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS, labels: { [LABEL]: batch } }, data };
}

/** Waits until no object labelled `batch` is left at `collection`. */
const allGone = (client: KubeClient, collection: string, batch: string, what: string) =>
  waitForList(client, collection, (items) => items.length === 0, { labelSelector: `${LABEL}=${batch}`, deadline: Date.now() + WAIT_MS, what });

beforeAll(async () => {
  fleet = await startFleet('load', ['hub', ...SPOKES]);
  hub = await fleet.client('hub');
  for (const s of SPOKES) spokes[s] = await fleet.client(s);
  const init = await fleet.cli('hub', ['init', '--runtime', 'local', '--wait', '-o', 'json']);
  expect({ code: init.code, stderr: init.code ? init.stderr : '' }).toEqual({ code: 0, stderr: '' });
  const { 'hub-token': token, 'hub-apiserver': server } = JSON.parse(init.stdout);
  const joins = await Promise.all(SPOKES.map((s) => fleet.cli(s, ['join', '--hub-token', token, '--hub-apiserver', server, '--cluster-name', s, '--runtime', 'local', '--wait'])));
  for (const j of joins) expect({ code: j.code, stderr: j.code ? j.stderr : '' }).toEqual({ code: 0, stderr: '' });
  const accept = await fleet.cli('hub', ['accept', '--clusters', SPOKES.join(','), '--wait']);
  expect({ code: accept.code, stderr: accept.code ? accept.stderr : '' }).toEqual({ code: 0, stderr: '' });
  for (const s of SPOKES) await spokes[s]!.create(resourcePath({ group: '', version: 'v1', resource: 'namespaces' }), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
}, 600_000);
afterAll(() => fleet?.stop());

describe('200 ManifestWorks created at once across two spokes', () => {
  const BATCH = 'burst';
  const expected = SPOKES.flatMap((cluster) =>
    Array.from({ length: PER_SPOKE }, (_, i) => ({ cluster, name: `load-${i}`, data: { cluster, index: String(i), value: crypto.randomBytes(24).toString('hex') } })),
  );

  test('all become Applied and Available on the hub', async () => {
    let allAppliedAt: number | undefined;
    const t0 = Date.now();
    await Promise.all(expected.map((e) => hub.create(worksOf(e.cluster), work(e.cluster, e.name, BATCH, [configMap(e.name, BATCH, e.data)]))));
    const created = Date.now();
    const works = await waitForList<ManifestWork>(
      hub,
      worksOf(),
      (items) => {
        if (items.length !== expected.length) return false;
        if (allAppliedAt === undefined && items.every((w) => appliedNow(w))) allAppliedAt = Date.now();
        return items.every((w) => appliedNow(w, true));
      },
      { labelSelector: `${LABEL}=${BATCH}`, deadline: Date.now() + WAIT_MS, what: `${expected.length} works to become Applied and Available` },
    );
    const available = Date.now();
    log(`${expected.length} works created in ${created - t0} ms; all Applied ${allAppliedAt! - t0} ms, all Available ${available - t0} ms after the burst began`);
    expect(works.map((w) => `${w.metadata.namespace}/${w.metadata.name}`).sort()).toEqual(expected.map((e) => `${e.cluster}/${e.name}`).sort());
  });

  test('every ConfigMap is on its spoke with its content, owned by its AppliedManifestWork', async () => {
    for (const cluster of SPOKES) {
      const mine = expected.filter((e) => e.cluster === cluster);
      const cms = (await spokes[cluster]!.list<KubeObject>(resourcePath({ ...CONFIGMAPS, namespace: NS }), { labelSelector: `${LABEL}=${BATCH}` })).items;
      const records = (await spokes[cluster]!.list<AppliedManifestWork>(resourcePath(APPLIED_MANIFEST_WORKS), { labelSelector: `${LABEL}=${BATCH}` })).items;
      expect(byName(cms)).toEqual(byName(mine.map((e) => configMap(e.name, BATCH, e.data))));
      // One record per work, listing exactly its ConfigMap, which it owns.
      const recordOf = new Map(records.map((r) => [r.spec!.manifestWorkName, r]));
      expect([...recordOf.keys()].sort()).toEqual(mine.map((e) => e.name).sort());
      for (const cm of cms) {
        const record = recordOf.get(cm.metadata!.name!)!;
        expect(record.status?.appliedResources?.map((r) => [r.resource, r.namespace, r.name, r.uid])).toEqual([['configmaps', NS, cm.metadata!.name, cm.metadata!.uid]]);
        expect(cm.metadata!.ownerReferences?.map((o) => o.uid)).toEqual([record.metadata.uid]);
      }
    }
  });

  test('deleting all 200 removes every ConfigMap and record from the spokes', async () => {
    const t0 = Date.now();
    await Promise.all(expected.map((e) => hub.delete(resourcePath({ ...MANIFEST_WORKS, namespace: e.cluster, name: e.name }))));
    await allGone(hub, worksOf(), BATCH, 'the deleted works to be finalized on the hub');
    const finalized = Date.now();
    await Promise.all(
      SPOKES.flatMap((s) => [
        allGone(spokes[s]!, resourcePath({ ...CONFIGMAPS, namespace: NS }), BATCH, `the ConfigMaps on ${s} to be deleted`),
        allGone(spokes[s]!, resourcePath(APPLIED_MANIFEST_WORKS), BATCH, `the AppliedManifestWorks on ${s} to be deleted`),
      ]),
    );
    log(`${expected.length} works deleted: finalized on the hub after ${finalized - t0} ms, all gone from the spokes after ${Date.now() - t0} ms`);
  });
});

describe('a work just under the 500 KiB limit', () => {
  const BATCH = 'large';
  const PARTS = 5; // ~100 KiB each, well under a ConfigMap's 1 MiB
  const workloadBytes = (manifests: KubeObject[]) => Buffer.byteLength(JSON.stringify({ manifests }));

  /** Five ConfigMaps whose payloads bring the manifests to within 1 KiB of MAX_WORK_BYTES, as `deploy` measures them. */
  function largeManifests(): KubeObject[] {
    const empty = Array.from({ length: PARTS }, (_, i) => configMap(`large-${i}`, BATCH, { payload: '' }));
    const room = MAX_WORK_BYTES - 512 - workloadBytes(empty);
    return empty.map((m, i) => {
      const size = Math.floor(room / PARTS) + (i === 0 ? room % PARTS : 0);
      // base64 needs no JSON escaping, so each character is one byte of the measured size.
      return { ...m, data: { payload: crypto.randomBytes(size).toString('base64').slice(0, size) } };
    });
  }

  test('applies whole: Applied and Available, every ConfigMap on the spoke with its data', async () => {
    const manifests = largeManifests();
    const size = workloadBytes(manifests);
    expect(size).toBeLessThanOrEqual(MAX_WORK_BYTES);
    expect(size).toBeGreaterThan(MAX_WORK_BYTES - 1024);
    const t0 = Date.now();
    await hub.create(worksOf('spoke1'), work('spoke1', 'load-large', BATCH, manifests));
    await waitForList<ManifestWork>(hub, worksOf('spoke1'), (items) => items.length === 1 && appliedNow(items[0]!, true), {
      labelSelector: `${LABEL}=${BATCH}`,
      deadline: Date.now() + WAIT_MS,
      what: 'the large work to become Applied and Available',
    });
    log(`a ${(size / 1024).toFixed(1)} KiB work (${PARTS} ConfigMaps): Applied and Available after ${Date.now() - t0} ms`);
    const cms = (await spokes.spoke1!.list<KubeObject>(resourcePath({ ...CONFIGMAPS, namespace: NS }), { labelSelector: `${LABEL}=${BATCH}` })).items;
    expect(byName(cms)).toEqual(byName(manifests));
  });
});
