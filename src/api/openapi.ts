/**
 * Turns a TypeBox schema into a CRD openAPIV3Schema (JSONSchemaProps): TypeBox constructs that
 * Kubernetes does not accept are rewritten (literal unions → enum, T|null → nullable, records →
 * additionalProperties), TypeBox's own keys are dropped, keys come out in a fixed order so the
 * generated YAML is stable. Anything unexpected throws instead of producing a non-structural schema.
 */
import type { TSchema } from '@sinclair/typebox';

export type JSONSchemaProps = { [key: string]: unknown };

/** Keys allowed in the output, in the order they are written. */
const KEY_ORDER = [
  'description',
  'type',
  'format',
  'nullable',
  'enum',
  'default',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'anyOf',
  'items',
  'properties',
  'additionalProperties',
  'required',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-list-type',
  'x-kubernetes-map-type',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-validations',
] as const;
const ALLOWED = new Set<string>(KEY_ORDER);
/** TypeBox or JSON-schema keys that carry nothing for the CRD. */
const DROPPED = new Set(['$id', '$schema', 'title', 'const', 'patternProperties']);

const ANY_KEY = '^(.*)$';

function fail(path: string, msg: string): never {
  throw new Error(`schema ${path || '<root>'}: ${msg}`);
}

function isObj(v: unknown): v is JSONSchemaProps {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Rewrites a union node into a form Kubernetes accepts, or throws. */
function fromUnion(node: JSONSchemaProps, path: string): JSONSchemaProps {
  const branches = node.anyOf as JSONSchemaProps[];
  const { anyOf: _drop, ...rest } = node;
  if (node['x-kubernetes-int-or-string'] === true) {
    const types = branches.map((b) => b.type).sort();
    if (types.length !== 2 || types[0] !== 'integer' || types[1] !== 'string') fail(path, 'int-or-string must be integer|string');
    return { ...rest, anyOf: [{ type: 'integer' }, { type: 'string' }] };
  }
  if (branches.every((b) => 'const' in b)) {
    const types = new Set(branches.map((b) => b.type));
    if (types.size !== 1) fail(path, 'enum values must share one type');
    return { ...rest, type: branches[0]!.type, enum: branches.map((b) => b.const) };
  }
  const nonNull = branches.filter((b) => b.type !== 'null');
  if (branches.length === 2 && nonNull.length === 1) return { ...nonNull[0]!, ...rest, nullable: true };
  return fail(path, 'unions other than enums, int-or-string and T|null are not structural');
}

function convert(input: JSONSchemaProps, path: string): JSONSchemaProps {
  let node: JSONSchemaProps = { ...input };
  if (Array.isArray(node.anyOf)) node = fromUnion(node, path);
  if (node.allOf || node.oneOf || node.not || node.$ref) fail(path, 'allOf/oneOf/not/$ref are not supported');

  const out: JSONSchemaProps = {};
  for (const [k, v] of Object.entries(node)) {
    if (DROPPED.has(k)) continue;
    if (!ALLOWED.has(k)) fail(path, `unsupported key ${k}`);
    out[k] = v;
  }

  const pattern = node.patternProperties;
  if (isObj(pattern)) {
    const keys = Object.keys(pattern);
    if (keys.length !== 1 || keys[0] !== ANY_KEY) fail(path, 'only string-keyed records are supported');
    const value = pattern[ANY_KEY] as JSONSchemaProps;
    const unknownValue = Object.keys(value).length === 0;
    if (unknownValue && node['x-kubernetes-preserve-unknown-fields'] !== true) fail(path, 'a map of unknown values needs preserve-unknown-fields');
    if (!unknownValue) out.additionalProperties = convert(value, `${path}{*}`);
  }

  if (isObj(node.properties)) {
    const props: JSONSchemaProps = {};
    for (const key of Object.keys(node.properties).sort()) {
      props[key] = path === '' && key === 'metadata' ? { type: 'object' } : convert(node.properties[key] as JSONSchemaProps, `${path}.${key}`);
    }
    if (Object.keys(props).length > 0) out.properties = props;
    else delete out.properties;
  }
  if (out.additionalProperties === true) {
    if (node['x-kubernetes-preserve-unknown-fields'] !== true) fail(path, 'additionalProperties: true needs preserve-unknown-fields');
    delete out.additionalProperties;
  } else if (out.additionalProperties === false) {
    delete out.additionalProperties; // Kubernetes prunes unknown fields anyway; false is not allowed
  } else if (isObj(out.additionalProperties) && !isObj(pattern)) {
    out.additionalProperties = convert(out.additionalProperties, `${path}{*}`);
  }
  if (isObj(node.items)) out.items = convert(node.items, `${path}[]`);
  else if (node.items !== undefined) fail(path, 'tuple items are not supported');
  if (Array.isArray(node.required)) {
    if (node.required.length > 0) out.required = [...(node.required as string[])].sort();
    else delete out.required;
  }

  const ordered: JSONSchemaProps = {};
  for (const k of KEY_ORDER) if (out[k] !== undefined) ordered[k] = out[k];
  return ordered;
}

/** The CRD openAPIV3Schema for a kind's TypeBox schema. */
export function toOpenApi(schema: TSchema): JSONSchemaProps {
  // JSON round trip drops TypeBox's symbol-keyed metadata.
  return convert(JSON.parse(JSON.stringify(schema)) as JSONSchemaProps, '');
}
