import type { ManifestWork } from '../../api/index.js';
import { parseGoDuration, planRollout, rolloutSize, workRolloutStatus, type ClusterRollout, type Group } from './mwrs-rollout.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const g = (index: number, clusters: string[], name = ''): Group => ({ index, name, clusters });
const known = (...s: ClusterRollout[]) => new Map(s.map((x) => [x.cluster, x]));
const names = (r: { toRollout: ClusterRollout[] }) => r.toRollout.map((c) => `${c.cluster}:${c.status}`);

describe('durations and sizes', () => {
  test.each([['0', 0], ['90s', 90_000], ['1h30m', 5_400_000], ['1.5h', 5_400_000], ['250ms', 250]])('%s', (t, ms) => expect(parseGoDuration(t)).toBe(ms));
  test.each(['', '5', '5x', '1h junk'])('%j is refused', (t) => expect(() => parseGoDuration(t)).toThrow(/not a duration/));
  test('counts and percentages, out of range falls back', () => {
    expect(rolloutSize(2, 5, 5)).toBe(2);
    expect(rolloutSize('50%', 5, 5)).toBe(3);
    expect(rolloutSize(0, 5, 5)).toBe(5);
    expect(rolloutSize(9, 5, 5)).toBe(5);
    expect(() => rolloutSize('half', 5, 5)).toThrow(/neither a count nor a percentage/);
  });
});

describe('work → cluster status (OCM rules)', () => {
  const work = (gen: number, conds: [string, string, number][]): ManifestWork =>
    ({ metadata: { name: 'w', generation: gen }, status: { conditions: conds.map(([type, status, og]) => ({ type, status, observedGeneration: og, lastTransitionTime: '2026-01-01T00:00:00Z', reason: 'x', message: '' })) } }) as unknown as ManifestWork;
  test('not applied at this generation: ToApply', () => expect(workRolloutStatus('a', work(2, [['Applied', 'True', 1], ['Available', 'True', 1]])).status).toBe('ToApply'));
  test('applied and available, no Progressing: Succeeded', () => expect(workRolloutStatus('a', work(1, [['Applied', 'True', 1], ['Available', 'True', 1]])).status).toBe('Succeeded'));
  test('applied, not available: Progressing', () => expect(workRolloutStatus('a', work(1, [['Applied', 'True', 1], ['Available', 'False', 1]])).status).toBe('Progressing'));
  test('Progressing and Degraded: Failed', () => expect(workRolloutStatus('a', work(1, [['Applied', 'True', 1], ['Progressing', 'True', 1], ['Degraded', 'True', 1]])).status).toBe('Failed'));
  test('Progressing False: Succeeded', () => expect(workRolloutStatus('a', work(1, [['Applied', 'True', 1], ['Progressing', 'False', 1]])).status).toBe('Succeeded'));
});

describe('strategies', () => {
  const three = [g(0, ['c3', 'c1', 'c2'])];
  test('All: every cluster at once', () => expect(names(planRollout(undefined, three, known(), NOW))).toEqual(['c1:ToApply', 'c2:ToApply', 'c3:ToApply']));

  test('Progressive maxConcurrency 1: one at a time in name order, the next once the first succeeded', () => {
    const spec = { type: 'Progressive' as const, progressive: { maxConcurrency: 1 } };
    expect(names(planRollout(spec, three, known(), NOW))).toEqual(['c1:ToApply']);
    expect(names(planRollout(spec, three, known({ cluster: 'c1', status: 'Progressing', since: NOW }), NOW))).toEqual(['c1:Progressing']);
    expect(names(planRollout(spec, three, known({ cluster: 'c1', status: 'Succeeded', since: NOW }), NOW))).toEqual(['c2:ToApply']);
  });

  test('minSuccessTime: a succeeded cluster soaks before the next starts; the recheck is at the end of the soak', () => {
    const spec = { type: 'Progressive' as const, progressive: { maxConcurrency: 1, minSuccessTime: '2m' } };
    const r = planRollout(spec, three, known({ cluster: 'c1', status: 'Succeeded', since: NOW - 60_000 }), NOW);
    expect(names(r)).toEqual(['c1:Succeeded']);
    expect(r.recheckAfterMs).toBe(60_000);
    expect(names(planRollout(spec, three, known({ cluster: 'c1', status: 'Succeeded', since: NOW - 120_000 }), NOW))).toEqual(['c2:ToApply']);
  });

  test('a failing cluster pauses the rollout (maxFailures 0); healed, it goes on', () => {
    const spec = { type: 'Progressive' as const, progressive: { maxConcurrency: 1 } };
    const failing = known({ cluster: 'c1', status: 'Failed', since: NOW });
    const r = planRollout(spec, three, failing, NOW);
    expect(names(r)).toEqual(['c1:Failed']);
    expect(names(planRollout({ ...spec, progressive: { maxConcurrency: 2 } }, three, failing, NOW))).toEqual(['c1:Failed']);
    expect(planRollout({ ...spec, progressive: { maxConcurrency: 2 } }, three, failing, NOW).maxFailureBreach).toBe(true);
    expect(names(planRollout(spec, three, known({ cluster: 'c1', status: 'Succeeded', since: NOW }), NOW))).toEqual(['c2:ToApply']);
  });

  test('progressDeadline: a cluster progressing too long times out and counts as a failure', () => {
    const spec = { type: 'Progressive' as const, progressive: { maxConcurrency: 1, progressDeadline: '5m', maxFailures: 1 } };
    const r = planRollout(spec, three, known({ cluster: 'c1', status: 'Progressing', since: NOW - 6 * 60_000 }), NOW);
    expect(r.timedOut.map((c) => c.cluster)).toEqual(['c1']);
    expect(names(r)).toEqual(['c2:ToApply']);
    const before = planRollout(spec, three, known({ cluster: 'c1', status: 'Progressing', since: NOW - 60_000 }), NOW);
    expect(before.recheckAfterMs).toBe(4 * 60_000);
  });

  test('mandatory decision groups go first, all of them', () => {
    const groups = [g(0, ['a1', 'a2'], 'canary'), g(1, ['b1', 'b2'])];
    const spec = { type: 'Progressive' as const, progressive: { maxConcurrency: 1, mandatoryDecisionGroups: [{ groupName: 'canary' }] } };
    expect(names(planRollout(spec, groups, known(), NOW))).toEqual(['a1:ToApply', 'a2:ToApply']);
    const done = known({ cluster: 'a1', status: 'Succeeded', since: NOW }, { cluster: 'a2', status: 'Succeeded', since: NOW });
    expect(names(planRollout(spec, groups, done, NOW))).toEqual(['b1:ToApply']);
  });

  test('ProgressivePerGroup: group by group', () => {
    const groups = [g(1, ['b1']), g(0, ['a1', 'a2'])];
    const spec = { type: 'ProgressivePerGroup' as const };
    expect(names(planRollout(spec, groups, known(), NOW))).toEqual(['a1:ToApply', 'a2:ToApply']);
    expect(names(planRollout(spec, groups, known({ cluster: 'a1', status: 'Succeeded', since: NOW }, { cluster: 'a2', status: 'Progressing', since: NOW }), NOW))).toEqual(['a2:Progressing']);
    expect(names(planRollout(spec, groups, known({ cluster: 'a1', status: 'Succeeded', since: NOW }, { cluster: 'a2', status: 'Succeeded', since: NOW }), NOW))).toEqual(['b1:ToApply']);
  });

  test('a bad duration is an error naming it', () => {
    expect(() => planRollout({ type: 'Progressive', progressive: { minSuccessTime: 'soon' } }, three, known(), NOW)).toThrow(/"soon" is not a duration/);
  });
});
