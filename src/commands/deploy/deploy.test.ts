/** Pure parts of `ocmadm deploy`: reading manifests, flags, the work spec, per-cluster status. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../cli/errors.js';
import { checkManifests, loadManifests, parseManifests } from './manifests.js';
import { validateDeployOptions } from './options.js';
import { guessPlural, MAX_WORK_BYTES, workSpec } from './work.js';
import { clusterStatus, settled } from './status.js';
import type { ManifestWork } from '../../api/index.js';

const cm = (name: string, ns = 'default') => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns } });
const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'app' }, spec: {} };

describe('manifests', () => {
  test('invalid YAML names file, line and column', () => {
    expect(() => parseManifests('a: 1\nb: [\n', 'app.yaml')).toThrow(/^app\.yaml:3:1: invalid YAML/);
  });
  test('a List is unpacked; empty documents are skipped', () => {
    const m = parseManifests(`---\n---\napiVersion: v1\nkind: List\nitems:\n- ${JSON.stringify(cm('a'))}\n- ${JSON.stringify(cm('b'))}\n`, 'f');
    expect(m.map((x) => x.obj.metadata?.name)).toEqual(['a', 'b']);
  });
  test.each([
    [[{ kind: 'ConfigMap', metadata: { name: 'a' } }], /apiVersion and kind/],
    [[{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'a-' } }], /generateName/],
    [[{ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }], /no metadata.name/],
    [[cm('a'), cm('a')], /already in/],
    [[], /no manifests/],
  ])('refused: %j', (objs, msg) => {
    expect(() => checkManifests(objs.map((obj, i) => ({ obj, source: `f${i}` })))).toThrow(msg);
  });
  test('same name in two namespaces or kinds is fine', () => {
    expect(() => checkManifests([cm('a'), cm('a', 'other'), { ...cm('a'), kind: 'Secret' }].map((obj) => ({ obj, source: 'f' })))).not.toThrow();
  });
  test('a directory gives its YAML and JSON files in name order; stdin once', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-'));
    fs.writeFileSync(path.join(dir, 'b.yaml'), JSON.stringify(cm('b')));
    fs.writeFileSync(path.join(dir, 'a.json'), JSON.stringify(cm('a')));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'ignored');
    expect(loadManifests([dir], () => '').map((m) => m.obj.metadata?.name)).toEqual(['a', 'b']);
    expect(loadManifests(['-'], () => JSON.stringify(cm('s'))).map((m) => m.source)).toEqual(['<stdin>']);
    expect(() => loadManifests(['-', '-'], () => '')).toThrow(/only once/);
    expect(() => loadManifests([path.join(dir, 'missing.yaml')], () => '')).toThrow(/no such file/);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('options', () => {
  test('one way to choose clusters, and -f unless --delete', () => {
    expect(validateDeployOptions('web', { file: ['a'], clusters: 'c1,c2' }).target).toEqual({ mode: 'clusters', clusters: ['c1', 'c2'] });
    expect(validateDeployOptions('web', { file: ['a'], clusterSelector: 'env=prod' }).target).toEqual({ mode: 'placement', placement: 'web', selector: { env: 'prod' } });
    expect(validateDeployOptions('web', { delete: true }).remove).toBe(true);
  });
  test.each([
    [{ file: ['a'], clusters: 'c1', placement: 'p' }, /one way/],
    [{ file: ['a'] }, /choose the clusters/],
    [{ clusters: 'c1' }, /-f FILE/],
    [{ delete: true, file: ['a'] }, /takes no -f/],
    [{ file: ['a'], clusters: 'Bad_Name' }, /DNS-1123/],
    [{ file: ['a'], clusters: 'c', updateStrategy: 'Replace' }, /--update-strategy/],
    [{ file: ['a'], clusters: 'c', force: true }, /--force only/],
    [{ file: ['a'], clusters: 'c', deleteOption: 'SelectivelyOrphan' }, /Foreground or Orphan/],
    [{ file: ['a'], clusters: 'c', wait: true, dryRun: true }, /--wait cannot/],
    [{ file: ['a'], clusterSelector: 'env' }, /key=value/],
  ])('%j is a usage error', (flags, msg) => {
    expect(() => validateDeployOptions('web', flags)).toThrow(UsageError);
    expect(() => validateDeployOptions('web', flags)).toThrow(msg);
  });
});

describe('rollout flags', () => {
  const base = { file: ['a'], clusterSelector: 'env=prod' };
  test('default All; progressive with its knobs as OCM writes them', () => {
    expect(validateDeployOptions('web', base).rollout).toEqual({ type: 'All' });
    expect(validateDeployOptions('web', { ...base, rollout: 'progressive', maxConcurrency: '1', minSuccessTime: '30s', maxFailures: '25%' }).rollout).toEqual({
      type: 'Progressive',
      progressive: { maxConcurrency: 1, minSuccessTime: '30s', maxFailures: '25%' },
    });
    expect(validateDeployOptions('web', { ...base, rollout: 'progressive-per-group', progressDeadline: '10m' }).rollout).toEqual({
      type: 'ProgressivePerGroup',
      progressivePerGroup: { progressDeadline: '10m' },
    });
  });
  test.each([
    [{ rollout: 'canary' }, /--rollout must be one of all, progressive, progressive-per-group, got "canary"/],
    [{ rollout: 'progressive', minSuccessTime: '5 minutes' }, /--min-success-time "5 minutes" is not a duration/],
    [{ rollout: 'progressive', progressDeadline: 'soon' }, /--progress-deadline "soon" is not a duration/],
    [{ rollout: 'progressive', maxConcurrency: 'two' }, /--max-concurrency must be a count or a percentage/],
    [{ rollout: 'progressive-per-group', maxConcurrency: '1' }, /only applies to --rollout progressive/],
    [{ minSuccessTime: '1m' }, /applies to --rollout progressive or progressive-per-group/],
  ])('%j is a usage error', (flags, message) => {
    expect(() => validateDeployOptions('web', { ...base, ...flags })).toThrow(message);
  });
  test('--rollout needs a placement', () => {
    expect(() => validateDeployOptions('web', { file: ['a'], clusters: 'c1', rollout: 'progressive' })).toThrow(/need --placement or --cluster-selector/);
  });
});

describe('work spec', () => {
  const plural = (o: { kind?: string }) => guessPlural(o.kind!);
  test('plural guesses as kubectl makes them', () => {
    expect(['Deployment', 'Ingress', 'Policy', 'Gateway', 'Box'].map(guessPlural)).toEqual(['deployments', 'ingresses', 'policies', 'gateways', 'boxes']);
  });
  test('defaults: manifests in order, Foreground, WellKnownStatus feedback only for known kinds', () => {
    const spec = workSpec([{ obj: cm('a'), source: 'f' }, { obj: dep, source: 'f' }], { updateStrategy: 'Update', force: false, deleteOption: 'Foreground' }, plural);
    expect(spec).toEqual({
      workload: { manifests: [cm('a'), dep] },
      deleteOption: { propagationPolicy: 'Foreground' },
      manifestConfigs: [{ resourceIdentifier: { group: 'apps', resource: 'deployments', name: 'web', namespace: 'app' }, feedbackRules: [{ type: 'WellKnownStatus' }] }],
    });
  });
  test('ServerSideApply with force for every manifest, field manager work-agent', () => {
    const spec = workSpec([{ obj: cm('a'), source: 'f' }], { updateStrategy: 'ServerSideApply', force: true, deleteOption: 'Orphan' }, plural) as { manifestConfigs: unknown[]; deleteOption: unknown };
    expect(spec.deleteOption).toEqual({ propagationPolicy: 'Orphan' });
    expect(spec.manifestConfigs).toEqual([
      { resourceIdentifier: { group: '', resource: 'configmaps', name: 'a', namespace: 'default' }, updateStrategy: { type: 'ServerSideApply', serverSideApply: { fieldManager: 'work-agent', force: true } } },
    ]);
  });
  test('over 500 KiB is refused', () => {
    const big = { ...cm('big'), data: { x: 'y'.repeat(MAX_WORK_BYTES) } };
    expect(() => workSpec([{ obj: big, source: 'f' }], { updateStrategy: 'Update', force: false, deleteOption: 'Foreground' }, plural)).toThrow(/500 KiB/);
  });
});

describe('per-cluster status', () => {
  const work = (conds: object[], manifests: object[] = [], generation = 1) =>
    ({ metadata: { name: 'w', namespace: 'c1', generation }, status: { conditions: conds, resourceStatus: { manifests } } }) as unknown as ManifestWork;
  test('applied and available is settled and clean', () => {
    const s = clusterStatus(work([{ type: 'Applied', status: 'True', observedGeneration: 1 }, { type: 'Available', status: 'True', observedGeneration: 1 }]));
    expect(s).toEqual({ cluster: 'c1', work: 'w', applied: 'True', available: 'True', message: '' });
    expect(settled(s)).toBe(true);
  });
  test('a failed manifest gives its message; conditions of an older generation count as unknown', () => {
    const failed = clusterStatus(
      work([{ type: 'Applied', status: 'False', observedGeneration: 2 }], [{ resourceMeta: { kind: 'Foo', name: 'x', namespace: 'n' }, conditions: [{ type: 'Applied', status: 'False', message: 'no matches for kind "Foo"' }] }], 2),
    );
    expect(failed.message).toBe('Foo n/x: no matches for kind "Foo"');
    expect(settled(failed)).toBe(true);
    const stale = clusterStatus(work([{ type: 'Applied', status: 'True', observedGeneration: 1 }], [], 2));
    expect(stale.applied).toBe('Unknown');
    expect(settled(stale)).toBe(false);
  });
});
