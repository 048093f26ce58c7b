/**
 * Building blocks for the OCM API definitions. Every API is written once as a TypeBox schema;
 * `Static<>` gives its TypeScript type and `toOpenApi()` (openapi.ts) turns the same schema into
 * the CRD's openAPIV3Schema. The helpers here keep those schemas structural: every node typed,
 * enums as string literals, maps as records, raw objects marked preserve-unknown.
 */
import {
  FormatRegistry,
  Type,
  type SchemaOptions,
  type Static,
  type TLiteral,
  type TNull,
  type TProperties,
  type TRecord,
  type TSchema,
  type TString,
  type TUnion,
  type TUnknown,
  type TInteger,
  type TObject,
} from '@sinclair/typebox';
import type { ObjectMeta } from '../kube/client.js';

// Formats the CRD schemas use; TypeBox refuses unknown formats, so register checks for them.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (v) => RFC3339.test(v) && !Number.isNaN(Date.parse(v)));
if (!FormatRegistry.Has('byte')) FormatRegistry.Set('byte', (v) => /^[A-Za-z0-9+/]*={0,2}$/.test(v) && v.length % 4 === 0);

const dnsLabel = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
/** Patterns Kubernetes itself uses for names, condition types and reasons. */
export const PATTERN = {
  dnsLabel: `^${dnsLabel}$`,
  dnsSubdomain: `^(${dnsLabel}(\\.${dnsLabel})*)$`,
  /** `[prefix/]name`, the shape of label keys, taint keys and condition types. */
  qualifiedName: `^(${dnsLabel}(\\.${dnsLabel})*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$`,
  conditionReason: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
  /** resource.Quantity in its string form: 100m, 1.5Gi, 2e3. */
  quantity: '^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+))?$',
  /** An absolute count or a percentage up to 100%. */
  countOrPercent: '^((100|[0-9]{1,2})%|[0-9]+)$',
  /** A Go-style duration made of h/m/s parts (1h30m), or None. */
  duration: '^(([0-9]+[hms])+|None)$',
} as const;

/** A string restricted to the given values; emitted as `type: string` + `enum`. */
export function Enum<const T extends readonly string[]>(values: T, opts: SchemaOptions = {}): TUnion<TLiteral<T[number]>[]> {
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    opts,
  ) as unknown as TUnion<TLiteral<T[number]>[]>;
}

/** A value that may also be JSON null; emitted as the schema plus `nullable: true`. */
export function Nullable<T extends TSchema>(schema: T, opts: SchemaOptions = {}): TUnion<[T, TNull]> {
  return Type.Union([schema, Type.Null()], opts);
}

export const DateTime = (opts: SchemaOptions = {}): TString => Type.String({ format: 'date-time', ...opts });
export const Int32 = (opts: SchemaOptions = {}): TInteger => Type.Integer({ format: 'int32', ...opts });
export const Int64 = (opts: SchemaOptions = {}): TInteger => Type.Integer({ format: 'int64', ...opts });

/** intstr.IntOrString: an integer or a string (percentages, quantities). */
export function IntOrString(opts: SchemaOptions = {}): TUnion<[TInteger, TString]> {
  return Type.Union([Type.Integer(), Type.String()], { 'x-kubernetes-int-or-string': true, ...opts });
}

/** resource.Quantity as the API server accepts it. */
export const Quantity = (opts: SchemaOptions = {}) => IntOrString({ pattern: PATTERN.quantity, ...opts });

/** map[string]string. */
export const StringMap = (opts: SchemaOptions = {}): TRecord<TString, TString> => Type.Record(Type.String(), Type.String(), opts);

/** map[ResourceName]Quantity, as in capacity and allocatable. */
export const ResourceList = (opts: SchemaOptions = {}) => Type.Record(Type.String(), Quantity(), opts);

/** An object whose fields the API server keeps as sent (no pruning, no validation). */
export function RawObject(opts: SchemaOptions = {}): TRecord<TString, TUnknown> {
  return Type.Record(Type.String(), Type.Unknown(), { 'x-kubernetes-preserve-unknown-fields': true, ...opts });
}

/** A complete Kubernetes object embedded in another (apiVersion, kind, metadata validated by the server). */
export function EmbeddedResource(opts: SchemaOptions = {}): TRecord<TString, TUnknown> {
  return RawObject({ 'x-kubernetes-embedded-resource': true, ...opts });
}

/** An object that validates the listed fields but keeps unknown ones (used for the add-on APIs). */
export function Permissive<P extends TProperties>(props: P, opts: SchemaOptions = {}): TObject<P> {
  return Type.Object(props, { 'x-kubernetes-preserve-unknown-fields': true, ...opts });
}

/** A list merged by key under server-side apply; keys must be required (or defaulted) item fields. */
export function ListMap<T extends TSchema>(items: T, keys: string[], opts: SchemaOptions = {}) {
  return Type.Array(items, { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': keys, ...opts });
}

/** metav1.Condition. */
export const Condition = Type.Object({
  type: Type.String({ maxLength: 316, pattern: PATTERN.qualifiedName, description: 'Condition type in CamelCase or foo.example.com/CamelCase.' }),
  status: Enum(['True', 'False', 'Unknown']),
  observedGeneration: Type.Optional(Int64({ minimum: 0 })),
  lastTransitionTime: DateTime({ description: 'When the condition last changed status.' }),
  reason: Type.String({ minLength: 1, maxLength: 1024, pattern: PATTERN.conditionReason }),
  message: Type.String({ maxLength: 32768 }),
});
export type Condition = Static<typeof Condition>;

/** A conditions list; `map` makes it a list-map keyed by type (as OCM declares most of them). */
export function Conditions(opts: { map?: boolean; description?: string } = {}) {
  const o = opts.description ? { description: opts.description } : {};
  return opts.map === false ? Type.Array(Condition, o) : ListMap(Condition, ['type'], o);
}

/** metav1.LabelSelectorRequirement. */
export const SelectorRequirement = Type.Object({
  key: Type.String(),
  operator: Type.String({ description: 'In, NotIn, Exists or DoesNotExist.' }),
  values: Type.Optional(Type.Array(Type.String(), { 'x-kubernetes-list-type': 'atomic' })),
});

/** metav1.LabelSelector. */
export const LabelSelector = Type.Object(
  {
    matchLabels: Type.Optional(StringMap()),
    matchExpressions: Type.Optional(Type.Array(SelectorRequirement, { 'x-kubernetes-list-type': 'atomic' })),
  },
  { 'x-kubernetes-map-type': 'atomic' },
);

/** Marks the root `metadata` field; toOpenApi() emits it as a bare `type: object`. */
export const Metadata = RawObject();

/** The schema of a whole object of one kind: apiVersion, kind, metadata plus the given fields. */
export function KindSchema<P extends TProperties>(props: P, opts: SchemaOptions = {}) {
  return Type.Object(
    {
      apiVersion: Type.Optional(Type.String()),
      kind: Type.Optional(Type.String()),
      metadata: Type.Optional(Metadata),
      ...props,
    },
    opts,
  );
}

/** Optional shorthand, so field lists read like the Go structs with `omitempty`. */
export const Opt = <T extends TSchema>(s: T) => Type.Optional(s);

/** The TypeScript type of an object of a kind: the schema's fields with typed ObjectMeta. */
export type Resource<T extends TSchema> = Omit<Static<T>, 'apiVersion' | 'kind' | 'metadata'> & {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
};
