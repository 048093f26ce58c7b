import type { ManagedClusterAddOn } from '../../../api/index.js';
import { installNamespace, kubeClientSubject } from './credentials.js';
import { ADDON_LEASE_GRACE_MS, leaseVerdict } from './lease.js';

const mca = (status: ManagedClusterAddOn['status'], spec: ManagedClusterAddOn['spec'] = {}, annotations?: Record<string, string>): ManagedClusterAddOn => ({
  apiVersion: 'addon.open-cluster-management.io/v1beta1',
  kind: 'ManagedClusterAddOn',
  metadata: { name: 'a', namespace: 'c1', ...(annotations ? { annotations } : {}) },
  spec,
  status,
});

describe('add-on registration inputs', () => {
  it('reads the kube-client subject from either version shape, never a custom signer', () => {
    const s = { user: 'u', groups: ['g'] };
    expect(kubeClientSubject(mca({ registrations: [{ type: 'kubeClient', kubeClient: { driver: 'csr', subject: s } }] }))).toEqual(s);
    expect(kubeClientSubject(mca({ registrations: [{ signerName: 'kubernetes.io/kube-apiserver-client', subject: s }] }))).toEqual(s);
    expect(kubeClientSubject(mca({ registrations: [{ signerName: 'example.com/x', subject: s }] }))).toBeUndefined();
    expect(kubeClientSubject(mca({}))).toBeUndefined();
  });

  it('install namespace: status, then v1alpha1 spec, then the v1beta1 annotation, then the default', () => {
    expect(installNamespace(mca({ namespace: 's' }, { installNamespace: 'x' }))).toBe('s');
    expect(installNamespace(mca({}, { installNamespace: 'x' }))).toBe('x');
    expect(installNamespace(mca({}, {}, { 'addon.open-cluster-management.io/v1alpha1-install-namespace': 'y' }))).toBe('y');
    expect(installNamespace(mca({}))).toBe('open-cluster-management-agent-addon');
  });
});

describe('lease verdict (OCM: 5 × 60 s grace)', () => {
  const now = new Date('2026-01-01T00:10:00Z');
  it('True while renewed within the grace, checked again when it would expire', () => {
    const v = leaseVerdict('a', new Date(now.getTime() - 60_000), now);
    expect(v.condition).toMatchObject({ status: 'True', reason: 'ManagedClusterAddOnLeaseUpdated' });
    expect(v.recheckMs).toBe(ADDON_LEASE_GRACE_MS - 60_000);
  });
  it('False after the grace, Unknown without a lease', () => {
    expect(leaseVerdict('a', new Date(now.getTime() - ADDON_LEASE_GRACE_MS), now).condition).toMatchObject({ status: 'False', reason: 'ManagedClusterAddOnLeaseUpdateStopped' });
    expect(leaseVerdict('a', undefined, now).condition).toMatchObject({ status: 'Unknown', reason: 'ManagedClusterAddOnLeaseNotFound' });
  });
});
