import { isSubset, needsUpdate, ownerRefsFor, strategyOf } from './apply.js';

const owner = { apiVersion: 'work.open-cluster-management.io/v1', kind: 'AppliedManifestWork', name: 'h-w', uid: 'amw-uid' };
const other = { apiVersion: 'v1', kind: 'ConfigMap', name: 'o', uid: 'other-uid' };

test('subset comparison ignores what the manifest leaves unset (server defaults)', () => {
  expect(isSubset({ spec: { replicas: 1 } }, { spec: { replicas: 1, strategy: { type: 'RollingUpdate' } } })).toBe(true);
  expect(isSubset({ spec: { replicas: 2 } }, { spec: { replicas: 1 } })).toBe(false);
  expect(isSubset({ a: [1, 2] }, { a: [1] })).toBe(false);
  expect(isSubset({ a: null, b: {} }, {})).toBe(true);
});

test('ownerRefs: ours added or removed, others kept', () => {
  expect(ownerRefsFor([other], { owner, own: true })).toEqual([other, owner]);
  expect(ownerRefsFor([other, owner], { owner, own: false })).toEqual([other]);
  expect(ownerRefsFor(undefined, { owner, own: true })).toEqual([owner]);
});

test('Update writes only when the manifest differs from the live object', () => {
  const live = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { a: '1', extra: 'x' }, ownerReferences: [owner] }, data: { k: 'v' } };
  const want = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { a: '1' } }, data: { k: 'v' } };
  expect(needsUpdate(want, live, { owner, own: true })).toBe(false);
  expect(needsUpdate(want, live, { owner, own: false })).toBe(true);
  expect(needsUpdate({ ...want, data: {} }, live, { owner, own: true })).toBe(true); // a removed data key is a change
  expect(needsUpdate({ ...want, metadata: { name: 'c', labels: { a: '2' } } }, live, { owner, own: true })).toBe(true);
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', ownerReferences: [owner] }, data: { k: Buffer.from('v').toString('base64') } };
  expect(needsUpdate({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { k: 'v' } }, secret, { owner, own: true })).toBe(false);
});

test('strategy defaults to Update', () => {
  expect(strategyOf(undefined)).toBe('Update');
  expect(strategyOf({ resourceIdentifier: { resource: 'x', name: 'y' }, updateStrategy: { type: 'ServerSideApply' } })).toBe('ServerSideApply');
});
