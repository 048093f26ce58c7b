/**
 * A progressive rollout over three real spokes (their own control planes, joined with `join`,
 * accepted with `accept`, each with its real klusterlet): `deploy --rollout progressive
 * --max-concurrency 1 --wait` gives spoke1 the work first; spoke1 cannot apply it (its namespace
 * is missing there), so the rollout pauses with spoke2 and spoke3 untouched; once spoke1 heals the
 * rollout goes on, one cluster after another, and `--wait` reports each as it comes.
 */
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { waitForObject } from '../../src/kube/wait.js';
import { MANIFEST_WORKS, MANIFEST_WORK_REPLICA_SETS } from '../../src/api/index.js';
import { LABEL } from '../../src/api/names.js';
import { startFleet, type Fleet } from '../support/fleet.js';
import fs from 'node:fs';
import path from 'node:path';

const SPOKES = ['spoke1', 'spoke2', 'spoke3'];
let fleet: Fleet;
let hub: KubeClient;
const spokes: Record<string, KubeClient> = {};

type Cond = { type: string; status: string; reason?: string; observedGeneration?: number; lastTransitionTime?: string };
type Obj = KubeObject & { status?: { conditions?: Cond[]; summary?: { total?: number } } };
const cond = (o: Obj | undefined, type: string) => o?.status?.conditions?.find((c) => c.type === type);
const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const APP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: rollout-config
  namespace: gate
data:
  color: blue
`;

beforeAll(async () => {
  fleet = await startFleet('rollout', ['hub', ...SPOKES]);
  hub = await fleet.client('hub');
  for (const s of SPOKES) spokes[s] = await fleet.client(s);
  const init = await fleet.cli('hub', ['init', '--runtime', 'local', '--wait', '-o', 'json']);
  expect({ code: init.code, stderr: init.code ? init.stderr : '' }).toEqual({ code: 0, stderr: '' });
  const { 'hub-token': token, 'hub-apiserver': server } = JSON.parse(init.stdout);
  const joins = await Promise.all(SPOKES.map((s) => fleet.cli(s, ['join', '--hub-token', token, '--hub-apiserver', server, '--cluster-name', s, '--runtime', 'local', '--wait'])));
  for (const j of joins) expect({ code: j.code, stderr: j.code ? j.stderr : '' }).toEqual({ code: 0, stderr: '' });
  const accept = await fleet.cli('hub', ['accept', '--clusters', SPOKES.join(','), '--wait']);
  expect({ code: accept.code, stderr: accept.code ? accept.stderr : '' }).toEqual({ code: 0, stderr: '' });
  // The work's namespace exists on spoke2 and spoke3 only: spoke1 fails until it is made.
  for (const s of ['spoke2', 'spoke3']) await spokes[s]!.create('/api/v1/namespaces', ns('gate'));
});
afterAll(() => fleet?.stop());

test('progressive, one at a time: pauses on a failing cluster, goes on when it heals; --wait shows it advancing', async () => {
  const file = path.join(fleet.stateDir, 'app.yaml');
  fs.writeFileSync(file, APP);
  const args = ['deploy', 'app', '-f', file, '--cluster-selector', `${LABEL.clusterSet}=default`, '--rollout', 'progressive', '--max-concurrency', '1', '--min-success-time', '1s', '--wait'];
  const deploying = fleet.cli('hub', args);

  const deadline = () => Date.now() + 120_000;
  const worksOf = async () => (await hub.list<Obj>(resourcePath(MANIFEST_WORKS), { labelSelector: `${LABEL.mwrs}=default.app` })).items;
  // spoke1's work fails to apply at its generation; the set's status written after it shows the pause.
  await waitForObject<Obj>(
    hub,
    { ...MANIFEST_WORK_REPLICA_SETS, namespace: 'default', name: 'app' },
    (o) => o?.status?.summary?.total === 1 && cond(o, 'PlacementRolledOut')?.reason === 'Progressing',
    { deadline: deadline(), what: 'the set at one cluster, rolling out' },
  );
  const first = await worksOf();
  expect(first.map((w) => w.metadata!.namespace)).toEqual(['spoke1']);
  await waitForObject<Obj>(
    hub,
    { ...MANIFEST_WORKS, namespace: 'spoke1', name: first[0]!.metadata!.name! },
    (o) => cond(o, 'Applied')?.status === 'False' && cond(o, 'Applied')?.observedGeneration === o?.metadata?.generation,
    { deadline: deadline(), what: 'spoke1 failing to apply' },
  );
  // The set's status written after that failure: still only spoke1 has the work.
  await waitForObject<Obj>(
    hub,
    { ...MANIFEST_WORK_REPLICA_SETS, namespace: 'default', name: 'app' },
    (o) => cond(o, 'ManifestworkApplied')?.reason === 'NotAsExpected' && o?.status?.summary?.total === 1,
    { deadline: deadline(), what: 'the set reporting spoke1 not as expected' },
  );
  expect((await worksOf()).map((w) => w.metadata!.namespace)).toEqual(['spoke1']);

  // Healed: the rollout goes on, in name order, each after the one before succeeded.
  await spokes.spoke1!.create('/api/v1/namespaces', ns('gate'));
  const r = await deploying;
  expect({ code: r.code, stderr: r.code ? r.stderr : '' }).toEqual({ code: 0, stderr: '' });
  const order = ['spoke1: failed', 'spoke1: applied and available', 'spoke2: applied and available', 'spoke3: applied and available'].map((l) => r.stderr.indexOf(l));
  expect(order.every((i) => i >= 0)).toBe(true);
  expect([...order].sort((a, b) => a - b)).toEqual(order);

  const works = await worksOf();
  const at = (c: string) => works.find((w) => w.metadata!.namespace === c)!;
  const availableAt = (c: string) => Date.parse(cond(at(c), 'Available')!.lastTransitionTime!);
  const createdAt = (c: string) => Date.parse(at(c).metadata!.creationTimestamp!);
  // One at a time, with a 1 s soak: each work was created at or after the previous one was available.
  expect(createdAt('spoke2')).toBeGreaterThanOrEqual(availableAt('spoke1'));
  expect(createdAt('spoke3')).toBeGreaterThanOrEqual(availableAt('spoke2'));
  for (const s of SPOKES) {
    const cm = await spokes[s]!.get<KubeObject & { data: Record<string, string> }>('/api/v1/namespaces/gate/configmaps/rollout-config');
    expect(cm.data.color).toBe('blue');
  }
  const set = await waitForObject<Obj>(
    hub,
    { ...MANIFEST_WORK_REPLICA_SETS, namespace: 'default', name: 'app' },
    (o) => cond(o, 'PlacementRolledOut')?.reason === 'Complete' && cond(o, 'ManifestworkApplied')?.reason === 'AsExpected',
    { deadline: deadline(), what: 'the set rolled out' },
  );
  expect(cond(set, 'PlacementVerified')).toEqual(expect.objectContaining({ status: 'True', reason: 'AsExpected' }));
  expect(set!.status!.summary).toEqual(expect.objectContaining({ total: 3, applied: 3, available: 3 }));
});
