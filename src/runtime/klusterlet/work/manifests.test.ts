import { applyOrder, cleanManifest, resourceRank, findManifestConfig, identifierMatches, isOrphaned, kindRank, manifestId } from './manifests.js';
import { hubHash, appliedWorkName } from './hub-hash.js';

const obj = (kind: string, name = kind.toLowerCase()) => ({ apiVersion: 'v1', kind, metadata: { name } });

test('namespaces and CRDs first, then RBAC, config, services, workloads, webhooks, others; stable within a rank', () => {
  const order = applyOrder([obj('Deployment'), obj('Widget'), obj('ConfigMap', 'a'), obj('Namespace'), obj('ConfigMap', 'b'), obj('CustomResourceDefinition'), obj('ClusterRole'), obj('ValidatingWebhookConfiguration'), obj('Service')]);
  expect(order.map((o) => `${o.ordinal}:${o.manifest.kind}`)).toEqual([
    '3:Namespace',
    '5:CustomResourceDefinition',
    '6:ClusterRole',
    '2:ConfigMap',
    '4:ConfigMap',
    '8:Service',
    '0:Deployment',
    '7:ValidatingWebhookConfiguration',
    '1:Widget',
  ]);
  expect(kindRank(undefined)).toBe(kindRank('Widget'));
});

test('resources rank like their kinds (for deletion in reverse order)', () => {
  expect(['widgets', 'deployments', 'configmaps', 'clusterroles', 'namespaces', 'networkpolicies', 'priorityclasses'].map((r) => resourceRank(r))).toEqual([7, 5, 3, 1, 0, 2, 2]);
});

test('a manifest is sent without uid, resourceVersion or managedFields', () => {
  const m = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', uid: 'u', resourceVersion: '9', managedFields: [], labels: { a: 'b' } } };
  expect(cleanManifest(m).metadata).toEqual({ name: 'x', labels: { a: 'b' } });
  expect(m.metadata.uid).toBe('u');
});

test('resource identifiers as OCM: group and resource exactly, namespace and name by * patterns', () => {
  const cm = { group: '', resource: 'configmaps', namespace: 'ns', name: 'x' };
  expect(identifierMatches({ resource: 'configmaps', namespace: 'ns', name: 'x' }, cm)).toBe(true);
  expect(identifierMatches({ resource: 'configmaps', namespace: '*', name: '*' }, cm)).toBe(true);
  expect(identifierMatches({ group: '*', resource: 'configmaps', namespace: '*', name: '*' }, cm)).toBe(false);
  expect(identifierMatches({ resource: 'configmaps', namespace: 'n*', name: '*x' }, cm)).toBe(true);
  expect(identifierMatches({ resource: 'configmaps', namespace: 'n.', name: 'x' }, cm)).toBe(false);
  expect(identifierMatches({ resource: 'configmaps', name: 'x' }, cm)).toBe(false);
  expect(identifierMatches({ group: 'apps', resource: 'configmaps', namespace: 'ns', name: 'x' }, cm)).toBe(false);
  const configs = [
    { resourceIdentifier: { resource: 'secrets', namespace: 'ns', name: 'x' }, updateStrategy: { type: 'ReadOnly' as const } },
    { resourceIdentifier: { resource: 'configmaps', namespace: '*', name: '*' }, updateStrategy: { type: 'CreateOnly' as const } },
  ];
  expect(findManifestConfig(configs, cm)?.updateStrategy?.type).toBe('CreateOnly');
  expect(findManifestConfig(undefined, cm)).toBeUndefined();
});

test('every matching manifestConfig counts, merged as OCM does: first rules and strategy, last scrape type', () => {
  const cm = { group: '', resource: 'configmaps', namespace: 'ns', name: 'x' };
  const feedback = [{ type: 'WellKnownStatus' as const }];
  const configs = [
    { resourceIdentifier: { resource: 'configmaps', namespace: '*', name: '*' }, updateStrategy: { type: 'CreateOnly' as const } },
    { resourceIdentifier: { resource: 'configmaps', namespace: 'ns', name: 'x' }, feedbackRules: feedback, updateStrategy: { type: 'ReadOnly' as const }, feedbackScrapeType: 'Poll' as const },
    { resourceIdentifier: { resource: 'configmaps', namespace: 'ns', name: 'x*' }, feedbackScrapeType: 'Watch' as const },
  ];
  expect(findManifestConfig(configs, cm)).toMatchObject({ updateStrategy: { type: 'CreateOnly' }, feedbackRules: feedback, feedbackScrapeType: 'Watch' });
  // A scrape type alone configures nothing.
  expect(findManifestConfig([configs[2]!], cm)).toBeUndefined();
});

test('orphaning rules match exactly, as OCM (no wildcard)', () => {
  const cm = { group: '', resource: 'configmaps', namespace: 'ns', name: 'x' };
  const rules = (name: string) => ({ propagationPolicy: 'SelectivelyOrphan' as const, selectivelyOrphans: { orphaningRules: [{ group: '', resource: 'configmaps', namespace: 'ns', name }] } });
  expect(isOrphaned(rules('x'), cm)).toBe(true);
  expect(isOrphaned(rules('*'), cm)).toBe(false);
});

test('delete options: Foreground owns everything, Orphan nothing, SelectivelyOrphan what the rules name', () => {
  const cm = { group: '', resource: 'configmaps', namespace: 'ns', name: 'x' };
  expect(isOrphaned(undefined, cm)).toBe(false);
  expect(isOrphaned({ propagationPolicy: 'Foreground' }, cm)).toBe(false);
  expect(isOrphaned({ propagationPolicy: 'Orphan' }, cm)).toBe(true);
  const selective = { propagationPolicy: 'SelectivelyOrphan' as const, selectivelyOrphans: { orphaningRules: [{ group: '', resource: 'configmaps', namespace: 'ns', name: 'x' }] } };
  expect(isOrphaned(selective, cm)).toBe(true);
  expect(isOrphaned(selective, { ...cm, name: 'y' })).toBe(false);
});

test('manifest ids drop the namespace of cluster-scoped kinds', () => {
  expect(manifestId({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r', namespace: 'stray' } }, 'clusterroles', false)).toEqual({
    group: 'rbac.authorization.k8s.io',
    resource: 'clusterroles',
    namespace: undefined,
    name: 'r',
  });
});

test('the hub hash is the sha256 of the server string as written', () => {
  // sha256sum of the 16 bytes "https://hub:6443"
  expect(hubHash('https://hub:6443')).toBe('9f63aa51ee73742847a1dd584c640c8b579dc14418ab416e3dd716fbe9362d31');
  expect(hubHash('https://hub:6443/')).not.toBe(hubHash('https://hub:6443'));
  expect(appliedWorkName('abc', 'w1')).toBe('abc-w1');
});
