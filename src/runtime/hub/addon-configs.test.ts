import { createHash } from 'node:crypto';
import type { ClusterManagementAddOn, ManagedClusterAddOn } from '../../api/index.js';
import { canonicalJson, configReferences, desiredConfigs, specHash } from './addon-configs.js';

const cma = (spec: ClusterManagementAddOn['spec']): ClusterManagementAddOn => ({ apiVersion: 'addon.open-cluster-management.io/v1beta1', kind: 'ClusterManagementAddOn', metadata: { name: 'a' }, spec });
const mca = (configs?: unknown[]): ManagedClusterAddOn => ({ apiVersion: 'addon.open-cluster-management.io/v1beta1', kind: 'ManagedClusterAddOn', metadata: { name: 'a', namespace: 'c1' }, spec: configs ? { configs: configs as never } : {} });
const T = { group: 'addon.open-cluster-management.io', resource: 'addontemplates' };
const D = { group: 'addon.open-cluster-management.io', resource: 'addondeploymentconfigs' };

describe('desiredConfigs', () => {
  it('defaults (both versions), then placement configs, then the add-on own, per group/resource', () => {
    const c = cma({ defaultConfigs: [{ ...T, name: 't1' }], supportedConfigs: [{ ...D, defaultConfig: { name: 'd0', namespace: 'hub' } }] });
    expect(desiredConfigs(c, mca(), [])).toEqual([{ ...D, name: 'd0', namespace: 'hub' }, { ...T, name: 't1' }]);
    expect(desiredConfigs(c, mca(), [{ configs: [{ ...D, name: 'd1', namespace: 'p' }] }])).toEqual([{ ...D, name: 'd1', namespace: 'p' }, { ...T, name: 't1' }]);
    expect(desiredConfigs(c, mca([{ ...D, name: 'd2', namespace: 'c1' }]), [{ configs: [{ ...D, name: 'd1', namespace: 'p' }] }])).toEqual([{ ...D, name: 'd2', namespace: 'c1' }, { ...T, name: 't1' }]);
  });
});

describe('spec hash', () => {
  it('is sha256 of the spec JSON with sorted keys (Go map encoding)', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[2,{"y":2,"z":1}]},"b":1}');
    const o = { apiVersion: 'v1', kind: 'X', metadata: { name: 'n' }, spec: { b: 1, a: 2 } };
    expect(specHash(o)).toBe(createHash('sha256').update('{"a":2,"b":1}').digest('hex'));
  });

  it('configReferences: desired with hash when the object exists, lastApplied only when applied', () => {
    const obj = { apiVersion: 'v1', kind: 'X', metadata: { name: 't1' }, spec: { x: 1 } };
    const refs = configReferences([{ ...T, name: 't1' }], () => obj, () => true);
    expect(refs).toEqual([{ ...T, name: 't1', desiredConfig: { name: 't1', specHash: specHash(obj) }, lastAppliedConfig: { name: 't1', specHash: specHash(obj) } }]);
    expect(configReferences([{ ...T, name: 't1' }], () => undefined)).toEqual([{ ...T, name: 't1', desiredConfig: { name: 't1' } }]);
  });
});
