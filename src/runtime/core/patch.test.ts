import { applyMergePatch, deepEqual, objectRef, preconditions, statusWouldChange } from './patch.js';

describe('merge patch helpers', () => {
  test('deepEqual ignores key order and undefined fields, not list order', () => {
    expect(deepEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(deepEqual({ a: 1, x: undefined }, { a: 1 })).toBe(true);
    expect(deepEqual([1, 2], [2, 1])).toBe(false);
    expect(deepEqual({ a: null }, { a: undefined })).toBe(false);
    expect(deepEqual([], {})).toBe(false);
  });

  test('applyMergePatch follows RFC 7386', () => {
    expect(applyMergePatch({ a: 'b', c: { d: 'e', f: 'g' } }, { a: 'z', c: { f: null } })).toEqual({ a: 'z', c: { d: 'e' } });
    expect(applyMergePatch({ l: [1, 2] }, { l: [3] })).toEqual({ l: [3] });
    expect(applyMergePatch('x', { a: 1 })).toEqual({ a: 1 });
    expect(applyMergePatch({ a: 1 }, [1])).toEqual([1]);
  });

  test('statusWouldChange: only a real difference counts', () => {
    const obj = { metadata: { name: 'a', resourceVersion: '1' }, status: { conditions: [{ type: 'A', status: 'True' }], version: { kubernetes: 'v1.31' } } };
    expect(statusWouldChange(obj, { conditions: [{ status: 'True', type: 'A' }] })).toBe(false);
    expect(statusWouldChange(obj, { version: { kubernetes: 'v1.31' } })).toBe(false);
    expect(statusWouldChange(obj, { version: { kubernetes: 'v1.32' } })).toBe(true);
    expect(statusWouldChange(obj, { allocatable: null })).toBe(false);
    expect(statusWouldChange({ metadata: {} }, { conditions: [] })).toBe(true);
  });

  test('preconditions carry uid and resourceVersion and demand a read object', () => {
    expect(preconditions({ metadata: { name: 'a', uid: 'u', resourceVersion: '7' } })).toEqual({ uid: 'u', resourceVersion: '7' });
    expect(() => preconditions({ metadata: { name: 'a' } })).toThrow(/resourceVersion/);
  });

  test('objectRef fills namespace and name from the object', () => {
    const coll = { group: 'work.open-cluster-management.io', version: 'v1', resource: 'manifestworks' };
    expect(objectRef(coll, { metadata: { name: 'w', namespace: 'c1' } }, 'status')).toEqual({ ...coll, namespace: 'c1', name: 'w', subresource: 'status' });
    expect(() => objectRef(coll, { metadata: {} })).toThrow(/without a name/);
  });
});
