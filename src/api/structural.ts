/**
 * A checker for the rules Kubernetes applies to CRD schemas (structural schemas, list-map keys,
 * defaults), so a bad definition fails a unit test instead of a `kubectl apply` on a hub.
 * It covers what our generator can produce; the API server remains the final judge (e2e).
 */
import type { JSONSchemaProps } from './openapi.js';

const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);

type Node = JSONSchemaProps;

function isObj(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Does a default value fit the (simple) schema it sits on? */
function defaultFits(schema: Node, value: unknown, path: string, errors: string[]): void {
  const t = schema.type;
  const bad = (why: string): void => {
    errors.push(`${path}: default ${JSON.stringify(value)} ${why}`);
  };
  if (schema['x-kubernetes-int-or-string'] === true) {
    if (typeof value !== 'string' && !Number.isInteger(value)) bad('is not an int or string');
    return;
  }
  if (t === 'string' && typeof value !== 'string') return bad('is not a string');
  if (t === 'integer' && !Number.isInteger(value)) return bad('is not an integer');
  if (t === 'boolean' && typeof value !== 'boolean') return bad('is not a boolean');
  if (t === 'array' && !Array.isArray(value)) return bad('is not an array');
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return bad('is not one of the enum values');
  if (typeof value === 'string' && typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(value)) {
    return bad('does not match the pattern');
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) bad('is below the minimum');
    if (typeof schema.maximum === 'number' && value > schema.maximum) bad('is above the maximum');
  }
  if (t === 'object') {
    if (!isObj(value)) return bad('is not an object');
    const props = isObj(schema.properties) ? schema.properties : {};
    for (const [k, v] of Object.entries(value)) {
      const sub = props[k];
      if (isObj(sub)) defaultFits(sub, v, `${path}.${k}`, errors);
      else if (schema['x-kubernetes-preserve-unknown-fields'] !== true) bad(`has field ${k} that the schema would prune`);
    }
  }
}

function check(node: Node, path: string, errors: string[], root: boolean): void {
  const err = (msg: string) => errors.push(`${path || '<root>'}: ${msg}`);
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;

  for (const k of ['$ref', 'allOf', 'oneOf', 'not', 'definitions', '$schema', 'patternProperties', 'const']) {
    if (k in node) err(`${k} is not allowed`);
  }
  if (node.type === undefined) {
    if (!intOrString && !preserve) err('has no type');
  } else if (typeof node.type !== 'string' || !TYPES.has(node.type)) {
    err(`type ${JSON.stringify(node.type)} is not a Kubernetes type`);
  }
  if (intOrString && node.type !== undefined) err('int-or-string must not have a type');
  if (node.anyOf !== undefined) {
    const ok =
      intOrString &&
      Array.isArray(node.anyOf) &&
      node.anyOf.length === 2 &&
      node.anyOf.every((b) => isObj(b) && Object.keys(b).length === 1) &&
      (node.anyOf as Node[]).map((b) => b.type).sort().join() === 'integer,string';
    if (!ok) err('anyOf is only allowed as the int-or-string [integer, string] pair');
  }
  if (root && node.type !== 'object') err('the root must be an object');
  if (node.nullable === true && root) err('the root must not be nullable');

  const hasProps = isObj(node.properties);
  if (node.additionalProperties !== undefined) {
    if (!isObj(node.additionalProperties)) err('additionalProperties must be a schema, not a boolean');
    if (hasProps) err('properties and additionalProperties are mutually exclusive');
  }
  if ((hasProps || node.additionalProperties !== undefined) && node.type !== 'object') err('properties need type object');
  if (node.items !== undefined && node.type !== 'array') err('items need type array');
  if (node.type === 'array' && !isObj(node.items)) err('an array needs an items schema');

  if (node['x-kubernetes-embedded-resource'] === true && (node.type !== 'object' || (!preserve && !hasProps))) {
    err('an embedded resource must be an object with properties or preserve-unknown-fields');
  }
  if (Array.isArray(node.required)) {
    for (const r of node.required as string[]) if (!hasProps || !(r in (node.properties as Node))) err(`required field ${r} is not declared`);
  }

  const listType = node['x-kubernetes-list-type'];
  if (listType !== undefined && node.type !== 'array') err('x-kubernetes-list-type needs type array');
  if (listType === 'map') {
    const keys = node['x-kubernetes-list-map-keys'];
    const items = node.items;
    if (!Array.isArray(keys) || keys.length === 0) err('a map list needs x-kubernetes-list-map-keys');
    else if (!isObj(items) || items.type !== 'object' || !isObj(items.properties)) err('a map list needs object items');
    else {
      const req = new Set((items.required as string[] | undefined) ?? []);
      for (const k of keys as string[]) {
        const p = (items.properties as Node)[k];
        if (!isObj(p)) err(`list-map key ${k} is not a field of the items`);
        else if (!req.has(k) && p.default === undefined) err(`list-map key ${k} must be required or defaulted`);
        else if (!['string', 'integer', 'boolean'].includes(p.type as string)) err(`list-map key ${k} must be a scalar`);
      }
    }
  } else if (node['x-kubernetes-list-map-keys'] !== undefined) err('list-map keys need x-kubernetes-list-type: map');
  if (listType === 'set' && isObj(node.items) && !['string', 'integer', 'boolean', 'number'].includes(node.items.type as string)) {
    err('a set list needs scalar items');
  }

  if (node.default !== undefined) defaultFits(node, node.default, path || '<root>', errors);
  if (typeof node.pattern === 'string') {
    try {
      new RegExp(node.pattern);
    } catch {
      err('pattern is not a valid regular expression');
    }
  }

  if (hasProps) {
    for (const [k, sub] of Object.entries(node.properties as Node)) {
      if (!isObj(sub)) err(`property ${k} is not a schema`);
      else check(sub, `${path}.${k}`, errors, false);
    }
  }
  if (isObj(node.additionalProperties)) check(node.additionalProperties, `${path}{*}`, errors, false);
  if (isObj(node.items)) check(node.items, `${path}[]`, errors, false);
}

/** Reasons the CRD schema is not one Kubernetes accepts; empty when it is fine. */
export function structuralErrors(schema: JSONSchemaProps): string[] {
  const errors: string[] = [];
  check(schema, '', errors, true);
  const meta = (schema.properties as Node | undefined)?.metadata;
  if (isObj(meta) && (Object.keys(meta).length !== 1 || meta.type !== 'object')) {
    errors.push('.metadata: only `type: object` is allowed at the root metadata');
  }
  return errors;
}
