import { findCondition, hasCondition, isFalse, isTrue, metaTime, removeCondition, setCondition, type Condition } from './conditions.js';

const t0 = new Date('2026-11-23T10:00:00.456Z');
const t1 = new Date('2026-11-23T10:05:00Z');
const avail: Condition = { type: 'Available', status: 'True', reason: 'Up', message: 'ok', lastTransitionTime: '2026-11-23T09:00:00Z' };

describe('setCondition', () => {
  test('adds a missing condition with lastTransitionTime = now in whole seconds', () => {
    const r = setCondition(undefined, { type: 'Joined', status: 'True', reason: 'Joined' }, t0);
    expect(r.changed).toBe(true);
    expect(r.conditions).toEqual([{ type: 'Joined', status: 'True', reason: 'Joined', message: '', lastTransitionTime: '2026-11-23T10:00:00Z' }]);
  });

  test('same status: reason, message and generation change, lastTransitionTime stays', () => {
    const r = setCondition([avail], { type: 'Available', status: 'True', reason: 'StillUp', message: 'fine', observedGeneration: 3 }, t1);
    expect(r.changed).toBe(true);
    expect(r.conditions[0]).toEqual({ ...avail, reason: 'StillUp', message: 'fine', observedGeneration: 3 });
  });

  test('status change moves lastTransitionTime', () => {
    const { conditions, changed } = setCondition([avail], { type: 'Available', status: 'Unknown', reason: 'LeaseExpired', message: 'no lease' }, t1);
    expect(changed).toBe(true);
    expect(conditions[0]!.lastTransitionTime).toBe('2026-11-23T10:05:00Z');
    expect(conditions[0]!.status).toBe('Unknown');
  });

  test('identical input: unchanged, nothing moves', () => {
    const r = setCondition([avail], { type: 'Available', status: 'True', reason: 'Up', message: 'ok' }, t1);
    expect(r.changed).toBe(false);
    expect(r.conditions).toEqual([avail]);
  });

  test('never mutates the input and keeps the order of other conditions', () => {
    const other: Condition = { ...avail, type: 'Joined' };
    const input = [other, avail];
    const frozen = JSON.stringify(input);
    const r = setCondition(input, { type: 'Available', status: 'False', reason: 'Down', message: 'x' }, t1);
    expect(JSON.stringify(input)).toBe(frozen);
    expect(r.conditions.map((c) => c.type)).toEqual(['Joined', 'Available']);
  });

  test('the result is itself the list: JSON and equality see only the conditions', () => {
    const r = setCondition([], { type: 'A', status: 'True', reason: 'R' }, t0);
    expect(Array.isArray(r)).toBe(true);
    expect(JSON.parse(JSON.stringify({ conditions: r }))).toEqual({ conditions: [{ type: 'A', status: 'True', reason: 'R', message: '', lastTransitionTime: '2026-11-23T10:00:00Z' }] });
    expect(r).toEqual(r.conditions);
  });

  test('an explicit lastTransitionTime is used on transition', () => {
    const r = setCondition([avail], { type: 'Available', status: 'False', reason: 'D', lastTransitionTime: '2026-01-01T00:00:00Z' }, t1);
    expect(r.conditions[0]!.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
  });
});

describe('condition lookups', () => {
  const list: Condition[] = [avail, { ...avail, type: 'Joined', status: 'False' }];
  test('find, isTrue, isFalse, hasCondition, remove', () => {
    expect(findCondition(list, 'Joined')?.status).toBe('False');
    expect(findCondition(list, 'Nope')).toBeUndefined();
    expect(isTrue(list, 'Available')).toBe(true);
    expect(isTrue(list, 'Joined')).toBe(false);
    expect(isFalse(list, 'Joined')).toBe(true);
    expect(isTrue(undefined, 'Available')).toBe(false);
    expect(hasCondition(list, { type: 'Available', status: 'True', reason: 'Up', message: 'ok' })).toBe(true);
    expect(hasCondition(list, { type: 'Available', status: 'True', reason: 'Up', message: 'other' })).toBe(false);
    expect(removeCondition(list, 'Joined').map((c) => c.type)).toEqual(['Available']);
    expect(removeCondition(list, 'Nope').changed).toBe(false);
  });

  test('metaTime drops fractional seconds', () => {
    expect(metaTime(t0)).toBe('2026-11-23T10:00:00Z');
  });
});
