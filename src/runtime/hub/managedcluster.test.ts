import type { ManagedCluster } from '../../api/index.js';
import { clusterRole, workRoleBinding } from './cluster-rbac.js';
import { ACCEPTED, DENIED, acceptAction, acceptError, rbacUpToDate } from './managedcluster.js';

const mc = (accepts: boolean | undefined, conditions: { type: string; status: string }[] = [], deleting = false): ManagedCluster => ({
  apiVersion: 'cluster.open-cluster-management.io/v1',
  kind: 'ManagedCluster',
  metadata: { name: 'c1', ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: accepts === undefined ? {} : { hubAcceptsClient: accepts },
  status: { conditions: conditions.map((c) => ({ ...c, reason: 'R', message: '', lastTransitionTime: '2026-01-01T00:00:00Z' })) as never },
});

describe('accept and deny transitions', () => {
  test('a cluster never accepted: nothing at all, whatever hubAcceptsClient was never set to', () => {
    expect(acceptAction(mc(undefined))).toBe('none');
    expect(acceptAction(mc(false))).toBe('none');
  });

  test('hubAcceptsClient true: accept (also again after a deny)', () => {
    expect(acceptAction(mc(true))).toBe('accept');
    expect(acceptAction(mc(true, [{ type: 'HubAcceptedManagedCluster', status: 'False' }]))).toBe('accept');
  });

  test('true → false after an accept: deny, and deny stays the level while false', () => {
    expect(acceptAction(mc(false, [{ type: 'HubAcceptedManagedCluster', status: 'True' }]))).toBe('deny');
    expect(acceptAction(mc(false, [{ type: 'HubAcceptedManagedCluster', status: 'False' }]))).toBe('deny');
  });

  test('a deleting cluster belongs to cleanup', () => {
    expect(acceptAction(mc(true, [], true))).toBe('none');
  });

  test('the conditions OCM writes', () => {
    expect(ACCEPTED).toEqual({ type: 'HubAcceptedManagedCluster', status: 'True', reason: 'HubClusterAdminAccepted', message: 'Accepted by hub cluster admin' });
    expect(DENIED).toEqual({ type: 'HubAcceptedManagedCluster', status: 'False', reason: 'HubClusterAdminDenied', message: 'Denied by hub cluster admin' });
    expect(acceptError('boom')).toEqual({ type: 'HubAcceptedManagedCluster', status: 'False', reason: 'Error', message: 'boom' });
  });
});

describe('cached RBAC comparison (skips writes that would change nothing)', () => {
  test('equal objects from the server (other key order, extra metadata) are up to date', () => {
    const want = clusterRole('c1', true);
    const cached = { ...want, metadata: { ...want.metadata, uid: 'u', resourceVersion: '5', labels: { ...want.metadata!.labels, extra: 'x' } }, rules: [...want.rules].reverse() };
    expect(rbacUpToDate(cached, want)).toBe(true);
  });

  test('missing, deleting, different rules, missing label or finalizer: not up to date', () => {
    const want = workRoleBinding('c1');
    expect(rbacUpToDate(undefined, want)).toBe(false);
    expect(rbacUpToDate({ ...want, metadata: { ...want.metadata, deletionTimestamp: 'x' } }, want)).toBe(false);
    expect(rbacUpToDate({ ...want, metadata: { ...want.metadata, finalizers: [] } }, want)).toBe(false);
    expect(rbacUpToDate({ ...want, metadata: { ...want.metadata, labels: {} } }, want)).toBe(false);
    expect(rbacUpToDate({ ...want, subjects: want.subjects.slice(0, 1) }, want)).toBe(false);
    expect(rbacUpToDate(clusterRole('c1', false), clusterRole('c1', true))).toBe(false);
  });
});
