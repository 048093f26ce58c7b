import { Type, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { CRDS } from './crds.js';
import { TYPE } from './index.js';
import { toOpenApi } from './openapi.js';
import { samples, type Samples } from './samples.js';
import { Enum, IntOrString, Nullable, RawObject, StringMap } from './schema.js';

const schemaOfKind = (kind: string): TSchema => {
  const def = CRDS.find((d) => d.kind === kind)!;
  return def.versions.find((v) => v.storage)!.schema;
};
const kindOf = (key: keyof Samples): string => TYPE[key].kind;
const errorsOf = (schema: TSchema, value: unknown) => [...Value.Errors(schema, value)].map((e) => `${e.path}: ${e.message}`);

describe('samples from ocm-protocol.md', () => {
  const all = samples();

  it.each(Object.keys(all) as (keyof Samples)[])('%s validates against its schema', (key) => {
    expect(errorsOf(schemaOfKind(kindOf(key)), all[key])).toEqual([]);
  });

  it('include every kind', () => {
    expect(Object.keys(all).map((k) => kindOf(k as keyof Samples)).sort()).toEqual(CRDS.map((d) => d.kind).sort());
  });

  it('validate in both served add-on versions (one union schema)', () => {
    for (const kind of ['ClusterManagementAddOn', 'ManagedClusterAddOn']) {
      const def = CRDS.find((d) => d.kind === kind)!;
      expect(def.versions.map((v) => v.name)).toEqual(['v1alpha1', 'v1beta1']);
      expect(toOpenApi(def.versions[0]!.schema)).toEqual(toOpenApi(def.versions[1]!.schema));
    }
  });
});

describe('schemas reject what OCM rejects', () => {
  const s = samples();
  const mc = (spec: object) => ({ ...s.managedCluster, spec: { ...s.managedCluster.spec, ...spec } });
  const work = (cfg: object) => ({
    ...s.manifestWork,
    spec: { ...s.manifestWork.spec, manifestConfigs: [{ resourceIdentifier: { resource: 'configmaps', name: 'x' }, ...cfg }] },
  });

  it.each([
    ['ManagedCluster', 'a string leaseDurationSeconds', mc({ leaseDurationSeconds: 'abc' })],
    ['ManagedCluster', 'a negative leaseDurationSeconds', mc({ leaseDurationSeconds: -1 })],
    ['ManagedCluster', 'an unknown taint effect', mc({ taints: [{ key: 'a', effect: 'NoSchedule' }] })],
    ['ManagedCluster', 'a client config without url', mc({ managedClusterClientConfigs: [{ caBundle: 'AA==' }] })],
    ['ManagedCluster', 'a condition status other than True/False/Unknown', { ...s.managedCluster, status: { conditions: [{ ...s.managedCluster.status!.conditions![0]!, status: 'Yes' }] } }],
    ['ManifestWork', 'an unknown update strategy', work({ updateStrategy: { type: 'Replace' } })],
    ['ManifestWork', 'an unknown feedback rule type', work({ feedbackRules: [{ type: 'Everything' }] })],
    ['ManifestWork', 'an unknown propagation policy', { ...s.manifestWork, spec: { deleteOption: { propagationPolicy: 'Background' } } }],
    ['ManifestWork', 'a field value type not in the enum', { ...s.manifestWork, status: { resourceStatus: { manifests: [{ resourceMeta: { ordinal: 0 }, conditions: [], statusFeedback: { values: [{ name: 'x', fieldValue: { type: 'Float' } }] } }] } } }],
    ['ManagedClusterSet', 'an unknown selector type', { ...s.managedClusterSet, spec: { clusterSelector: { selectorType: 'All' } } }],
    ['Placement', 'an unknown prioritizer mode', { ...s.placement, spec: { prioritizerPolicy: { mode: 'Sum' } } }],
    ['Placement', 'a weight above 10', { ...s.placement, spec: { prioritizerPolicy: { configurations: [{ scoreCoordinate: { type: 'BuiltIn' }, weight: 11 }] } } }],
    ['PlacementDecision', 'a decision without a cluster name', { ...s.placementDecision, status: { decisions: [{ reason: '' }] } }],
    ['AddOnPlacementScore', 'a score above 100', { ...s.addOnPlacementScore, status: { scores: [{ name: 'a', value: 101 }] } }],
    ['ManifestWorkReplicaSet', 'an unknown cascade policy', { ...s.manifestWorkReplicaSet, spec: { ...s.manifestWorkReplicaSet.spec, cascadeDeletionPolicy: 'Orphan' } }],
    ['ManagedClusterAddOn', 'an unknown health check mode', { ...s.managedClusterAddOn, status: { healthCheck: { mode: 'Probe' } } }],
  ])('%s with %s', (kind, _what, obj) => {
    expect(errorsOf(schemaOfKind(kind), obj)).not.toEqual([]);
  });
});

describe('toOpenApi', () => {
  it('turns literal unions into enums and keeps their default', () => {
    expect(toOpenApi(Type.Object({ e: Enum(['A', 'B'], { default: 'A' }) }))).toEqual({
      type: 'object',
      properties: { e: { type: 'string', enum: ['A', 'B'], default: 'A' } },
      required: ['e'],
    });
  });

  it('turns T|null into nullable, records into additionalProperties, raw objects into preserve-unknown', () => {
    const out = toOpenApi(Type.Object({ n: Nullable(Type.String()), m: StringMap(), r: RawObject(), q: IntOrString() }));
    expect(out.properties).toEqual({
      m: { type: 'object', additionalProperties: { type: 'string' } },
      n: { type: 'string', nullable: true },
      q: { anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true },
      r: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    });
  });

  it('refuses constructs Kubernetes cannot express', () => {
    expect(() => toOpenApi(Type.Object({ u: Type.Union([Type.String(), Type.Integer()]) }))).toThrow(/not structural/);
    expect(() => toOpenApi(Type.Object({ u: Type.Record(Type.String(), Type.Unknown()) }))).toThrow(/preserve-unknown/);
    expect(() => toOpenApi(Type.Object({ t: Type.Tuple([Type.String()]) }))).toThrow();
  });

  it('emits properties in sorted order so the YAML is stable', () => {
    const out = toOpenApi(Type.Object({ z: Type.String(), a: Type.String() }));
    expect(Object.keys(out.properties as object)).toEqual(['a', 'z']);
  });
});
