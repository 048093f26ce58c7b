import { replicaSet, work } from '../../../test/hub/placement-fixtures.js';
import { keyFromLabelValue, manifestworkApplied, planWorks, replicaSetStatus, summarize, workIsCurrent, workLabels, workSucceeded } from './mwrs-plan.js';

const template = { workload: { manifests: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default' } }] } };

describe('works of a set', () => {
  test('labels: the set\'s own plus <ns>.<name> and the placement', () => {
    expect(workLabels(replicaSet(template), 'p')).toEqual({
      team: 'a',
      'work.open-cluster-management.io/manifestworkreplicaset': 'ns.set',
      'work.open-cluster-management.io/placementname': 'p',
    });
    expect(keyFromLabelValue('ns.my.set')).toBe('ns/my.set');
    expect(keyFromLabelValue('nodot')).toBeUndefined();
  });

  test('create for new decisions, update drifted ones, delete undecided, duplicates and removed placements', () => {
    const m = replicaSet(template, ['p', 'q']);
    const works = [
      work('set1', 'c1', 'p', { spec: template }),
      work('set2', 'c2', 'p', { spec: { workload: { manifests: [] } } }),
      work('set3', 'c3', 'p', { spec: template }),
      work('set4', 'c1', 'p', { spec: template, created: '2026-02-01T00:00:00Z' }),
      work('set5', 'c1', 'old', { spec: template }),
    ];
    const plan = planWorks(m, new Map([['p', ['c1', 'c2', 'c4']], ['q', ['c1']]]), works);
    expect(plan.create).toEqual([{ cluster: 'c4', placement: 'p' }, { cluster: 'c1', placement: 'q' }]);
    expect(plan.update.map((u) => u.work.metadata.name)).toEqual(['set2']);
    expect(plan.remove.map((w) => w.metadata.name).sort()).toEqual(['set3', 'set4', 'set5']);
    expect([...plan.kept.keys()]).toEqual(['c1/p', 'c2/p']);
  });

  test('a placement that could not be read keeps its works untouched', () => {
    const plan = planWorks(replicaSet(template), new Map([['p', undefined]]), [work('set1', 'c1', 'p', { spec: {} })]);
    expect(plan).toMatchObject({ create: [], update: [], remove: [] });
  });

  test('current means same spec and labels', () => {
    const m = replicaSet(template);
    expect(workIsCurrent(work('w', 'c', 'p', { spec: template }), m, 'p')).toBe(true);
    expect(workIsCurrent(work('w', 'c', 'p', { spec: template }), m, 'q')).toBe(false);
    expect(workIsCurrent(work('w', 'c', 'p', { spec: {} }), m, 'p')).toBe(false);
  });
});

describe('status', () => {
  const T = (type: string, observedGeneration = 1) => ({ type, status: 'True' as const, observedGeneration });
  const F = (type: string, observedGeneration = 1) => ({ type, status: 'False' as const, observedGeneration });

  test('summary counts True conditions of live works', () => {
    const works = [
      work('a', 'c1', 'p', { conditions: [T('Applied'), T('Available')] }),
      work('b', 'c2', 'p', { conditions: [T('Applied'), T('Progressing'), T('Degraded')] }),
      work('c', 'c3', 'p', { conditions: [T('Applied')], deleting: true }),
    ];
    expect(summarize(3, works)).toEqual({ total: 3, applied: 2, available: 1, progressing: 1, degraded: 1 });
  });

  test('ManifestworkApplied reasons', () => {
    const s = (o: Partial<ReturnType<typeof summarize>>) => ({ total: 2, applied: 2, available: 2, progressing: 0, degraded: 0, ...o });
    expect(manifestworkApplied(s({}), 'AsExpected')).toMatchObject({ type: 'ManifestworkApplied', status: 'True', reason: 'AsExpected' });
    expect(manifestworkApplied(s({ available: 1, progressing: 1 }), 'AsExpected')).toMatchObject({ status: 'False', reason: 'Processing' });
    expect(manifestworkApplied(s({ available: 1, progressing: 1, degraded: 1 }), 'AsExpected')).toMatchObject({ status: 'False', reason: 'NotAsExpected' });
    expect(manifestworkApplied(s({ available: 0 }), 'AsExpected')).toMatchObject({ reason: 'NotAsExpected' });
    expect(manifestworkApplied(s({ total: 0 }), 'PlacementDecisionEmpty')).toMatchObject({ status: 'False', reason: 'PlacementDecisionEmpty' });
  });

  test('rolled out: Applied at the generation, then Progressing False or else Available True', () => {
    expect(workSucceeded(work('w', 'c', 'p', { conditions: [T('Applied'), T('Available')] }))).toBe(true);
    expect(workSucceeded(work('w', 'c', 'p', { generation: 2, conditions: [T('Applied'), T('Available')] }))).toBe(false);
    expect(workSucceeded(work('w', 'c', 'p', { conditions: [T('Applied'), T('Available'), T('Progressing')] }))).toBe(false);
    expect(workSucceeded(work('w', 'c', 'p', { conditions: [T('Applied'), F('Progressing')] }))).toBe(true);
    expect(workSucceeded(work('w', 'c', 'p', { conditions: [T('Applied'), T('Available'), T('Degraded')] }))).toBe(false);
    expect(workSucceeded(work('w', 'c', 'p', { conditions: [T('Applied')] }))).toBe(false);
  });
});

describe('the set status', () => {
  const now = new Date('2026-11-23T10:00:00Z');
  const done = [{ type: 'Applied', status: 'True' as const, observedGeneration: 1 }, { type: 'Available', status: 'True' as const, observedGeneration: 1 }];
  const cond = (st: Record<string, unknown>, type: string) => (st.conditions as { type: string; status: string; reason: string }[]).find((c) => c.type === type);

  test('a missing placement changes only PlacementVerified', () => {
    const st = replicaSetStatus(replicaSet(template), { missing: true, total: 0, kept: [], updated: new Set(), placements: [] }, now);
    expect(Object.keys(st)).toEqual(['conditions']);
    expect(cond(st, 'PlacementVerified')).toMatchObject({ status: 'False', reason: 'PlacementDecisionNotFound' });
  });

  test('all works done: AsExpected and Complete; a work just updated does not count as rolled out', () => {
    const ws = [work('a', 'c1', 'p', { conditions: done }), work('b', 'c2', 'p', { conditions: done })];
    const input = { missing: false, total: 2, kept: ws, updated: new Set<(typeof ws)[number]>(), placements: [{ name: 'p', selected: 2, groups: 1, existing: 2 }] };
    const st = replicaSetStatus(replicaSet(template), input, now);
    expect(st.summary).toEqual({ total: 2, applied: 2, available: 2, progressing: 0, degraded: 0 });
    expect(cond(st, 'PlacementVerified')).toMatchObject({ status: 'True', reason: 'AsExpected' });
    expect(cond(st, 'ManifestworkApplied')).toMatchObject({ status: 'True', reason: 'AsExpected' });
    expect(cond(st, 'PlacementRolledOut')).toMatchObject({ status: 'True', reason: 'Complete' });
    expect(st.placementSummary).toEqual([{ name: 'p', availableDecisionGroups: '1 (2 / 2 clusters applied)', summary: { total: 2, applied: 0, available: 0, degraded: 0, progressing: 0 } }]);
    const rolling = replicaSetStatus(replicaSet(template), { ...input, updated: new Set([ws[0]!]) }, now);
    expect(cond(rolling, 'PlacementRolledOut')).toMatchObject({ status: 'False', reason: 'Progressing' });
  });
});
