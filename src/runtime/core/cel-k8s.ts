/**
 * The Kubernetes CEL libraries OCM v1.3 loads for placement celSelector and work condition rules
 * (sdk-go's BaseEnvOpts: k8s.io/apiserver/pkg/cel/library Lists, Regex, URLs, Quantity, IP, CIDR,
 * SemverLib), as @bufbuild/cel functions. Library values (quantity, semver, ip, cidr, url) are
 * opaque: a one-entry CEL map holding the canonical form, so `==` compares as Kubernetes does
 * (quantity('1Gi') == quantity('1024Mi')), with the parsed value kept aside for the methods.
 * Not here: `format` and optional types (`?.`, `optional.of`), which @bufbuild/cel cannot express.
 */
import { CelScalar, celFunc, celMap, celMethod, isCelUint, listType, mapType, type CelFunc, type CelList, type CelMap, type CelValue } from '@bufbuild/cel';
import { create } from '@bufbuild/protobuf';
import { DurationSchema } from '@bufbuild/protobuf/wkt';
import * as v from './cel-k8s-values.js';

type Opaque =
  | { kind: 'quantity'; q: v.Quantity }
  | { kind: 'semver'; s: v.Semver }
  | { kind: 'ip'; ip: v.Ip }
  | { kind: 'cidr'; c: v.Cidr }
  | { kind: 'url'; u: v.Url };

const natives = new WeakMap<object, Opaque>();

function wrap(o: Opaque): CelMap {
  const canonical =
    o.kind === 'quantity' ? `${o.q.num}/${o.q.den}` : o.kind === 'semver' ? v.semverString(o.s) : o.kind === 'ip' ? v.ipString(o.ip) : o.kind === 'cidr' ? v.cidrString(o.c) : `${o.u.scheme}:${o.u.host}${o.u.path}?${o.u.rawQuery}`;
  const m = celMap(new Map([[`kubernetes.${o.kind}`, canonical]]));
  natives.set(m, o);
  return m;
}

const opaque = (x: unknown): Opaque | undefined => (typeof x === 'object' && x !== null ? natives.get(x) : undefined);
const noOverload = (name: string): never => {
  throw new Error(`no such overload: ${name}`);
};
function of<K extends Opaque['kind']>(x: unknown, kind: K, fn: string): Extract<Opaque, { kind: K }> {
  const o = opaque(x);
  return o?.kind === kind ? (o as Extract<Opaque, { kind: K }>) : noOverload(fn);
}
const ok = (parse: () => unknown) => {
  try {
    parse();
    return true;
  } catch {
    return false;
  }
};

const { STRING, BOOL, INT, DYN, DOUBLE } = CelScalar;
const LIST = listType(DYN);

// ---- lists ----

/** A sortable key for the list functions' comparable types (int, uint, double, bool, string, bytes, duration, timestamp). */
function sortKey(x: CelValue): { type: string; key: bigint | number | string | boolean } {
  if (typeof x === 'bigint') return { type: 'int', key: x };
  if (typeof x === 'number') return { type: 'double', key: x };
  if (typeof x === 'string') return { type: 'string', key: x };
  if (typeof x === 'boolean') return { type: 'bool', key: x };
  if (isCelUint(x)) return { type: 'uint', key: x.value };
  if (x instanceof Uint8Array) return { type: 'bytes', key: [...x].map((b) => String.fromCharCode(b)).join('') };
  const msg = (x as { message?: { $typeName?: string; seconds?: bigint; nanos?: number } }).message;
  if (msg && (msg.$typeName === 'google.protobuf.Timestamp' || msg.$typeName === 'google.protobuf.Duration')) return { type: msg.$typeName, key: (msg.seconds ?? 0n) * 1_000_000_000n + BigInt(msg.nanos ?? 0) };
  return noOverload('comparison');
}

function compare(a: CelValue, b: CelValue): number {
  const [x, y] = [sortKey(a), sortKey(b)];
  if (x.type !== y.type) noOverload(`comparison of ${x.type} and ${y.type}`);
  return x.key > y.key ? 1 : x.key < y.key ? -1 : 0;
}

const items = (l: CelList): CelValue[] => [...(l as Iterable<CelValue>)];

function extreme(name: string, prefer: number) {
  return celMethod(name, LIST, [], DYN, function () {
    const xs = items(this);
    if (!xs.length) throw new Error(`${name} called on empty list`);
    return xs.reduce((best, x) => (compare(x, best) === prefer ? x : best));
  });
}

function sum(l: CelList): CelValue {
  const xs = items(l);
  if (!xs.length) return 0n;
  if (xs.every((x) => typeof x === 'bigint')) {
    const s = (xs as bigint[]).reduce((a, b) => a + b, 0n);
    if (s > 2n ** 63n - 1n || s < -(2n ** 63n)) throw new Error('integer overflow');
    return s;
  }
  if (xs.every((x) => typeof x === 'number')) return (xs as number[]).reduce((a, b) => a + b, 0);
  if (xs.every((x) => sortKey(x).type === 'google.protobuf.Duration')) {
    const nanos = xs.reduce<bigint>((a, x) => a + (sortKey(x).key as bigint), 0n);
    return create(DurationSchema, { seconds: nanos / 1_000_000_000n, nanos: Number(nanos % 1_000_000_000n) }) as never;
  }
  return noOverload('sum');
}

/** Equality for indexOf: comparable values by value, library values by canonical form, others by identity. */
const equal = (a: CelValue, b: CelValue): boolean => {
  const [x, y] = [opaque(a), opaque(b)];
  if (x || y) return !!x && !!y && wrapKey(a) === wrapKey(b);
  try {
    return compare(a, b) === 0;
  } catch {
    return a === b;
  }
};
const wrapKey = (m: CelValue) => [...(m as CelMap).entries()].join();

const lists: CelFunc[] = [
  celMethod('isSorted', LIST, [], BOOL, function () {
    const xs = items(this);
    return xs.every((x, i) => i === 0 || compare(xs[i - 1]!, x) <= 0);
  }),
  celMethod('sum', LIST, [], DYN, function () {
    return sum(this) as never;
  }),
  extreme('min', -1),
  extreme('max', 1),
  celMethod('indexOf', LIST, [DYN], INT, function (x) {
    return BigInt(items(this).findIndex((y) => equal(y, x)));
  }),
  celMethod('lastIndexOf', LIST, [DYN], INT, function (x) {
    return BigInt(items(this).findLastIndex((y) => equal(y, x)));
  }),
];

// ---- regex ----

/**
 * Go's regexp (RE2) syntax, run on JavaScript's engine: both pick the leftmost-first match, so
 * results agree for the syntax they share. RE2-only forms are translated (a leading `(?flags)`,
 * `(?P<name>`, `\A`, `\z`); the rest of RE2 that JavaScript lacks is an "Illegal regex" error.
 */
function goRegex(pattern: string): RegExp {
  let p = pattern.replace(/\(\?P</g, '(?<').replace(/\\A/g, '^').replace(/\\z/g, '$(?![\\s\\S])');
  let flags = 'gu';
  const lead = /^\(\?([imsU]+)\)/.exec(p);
  if (lead) {
    if (lead[1]!.includes('U')) throw new Error(`Illegal regex: the U flag is not supported: ${pattern}`);
    flags += lead[1];
    p = p.slice(lead[0].length);
  }
  try {
    return new RegExp(p, flags);
  } catch (err) {
    throw new Error(`Illegal regex: ${(err as Error).message}`);
  }
}

/** Go's FindAllString: leftmost matches from left to right, an empty match right after a match dropped. */
function findAll(s: string, pattern: string, limit: bigint): string[] {
  const re = goRegex(pattern);
  const out: string[] = [];
  let prevEnd = -1;
  for (let pos = 0; pos <= s.length && (limit < 0n || BigInt(out.length) < limit); ) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) break;
    const [start, end] = [m.index, m.index + m[0].length];
    const accept = !(end === start && start === prevEnd);
    pos = end === start ? end + (s.codePointAt(end)! > 0xffff ? 2 : 1) : end;
    prevEnd = end;
    if (accept) out.push(m[0]);
  }
  return out;
}

const regex: CelFunc[] = [
  celMethod('find', STRING, [STRING], STRING, function (pattern) {
    return findAll(this, pattern, 1n)[0] ?? '';
  }),
  celMethod('findAll', STRING, [STRING], listType(STRING), function (pattern) {
    return findAll(this, pattern, -1n);
  }),
  celMethod('findAll', STRING, [STRING, INT], listType(STRING), function (pattern, n) {
    return findAll(this, pattern, n);
  }),
];

// ---- quantity and semver: the comparisons they share ----

function compareOpaque(a: unknown, b: unknown, fn: string): number {
  const [x, y] = [opaque(a), opaque(b)];
  if (x?.kind === 'quantity' && y?.kind === 'quantity') return v.quantityCompare(x.q, y.q);
  if (x?.kind === 'semver' && y?.kind === 'semver') return v.semverCompare(x.s, y.s);
  return noOverload(fn);
}

const quantityArg = (x: CelValue, fn: string) => (typeof x === 'bigint' ? v.quantityOfInt(x) : of(x, 'quantity', fn).q);

const quantityAndSemver: CelFunc[] = [
  celFunc('quantity', [STRING], DYN, (s) => wrap({ kind: 'quantity', q: v.parseQuantity(s) })),
  celFunc('isQuantity', [STRING], BOOL, (s) => ok(() => v.parseQuantity(s))),
  celFunc('sign', [DYN], INT, (q) => {
    const n = of(q, 'quantity', 'sign').q.num;
    return n > 0n ? 1n : n < 0n ? -1n : 0n;
  }),
  celMethod('isGreaterThan', DYN, [DYN], BOOL, function (o) {
    return compareOpaque(this, o, 'isGreaterThan') === 1;
  }),
  celMethod('isLessThan', DYN, [DYN], BOOL, function (o) {
    return compareOpaque(this, o, 'isLessThan') === -1;
  }),
  celMethod('compareTo', DYN, [DYN], INT, function (o) {
    return BigInt(compareOpaque(this, o, 'compareTo'));
  }),
  celMethod('asApproximateFloat', DYN, [], DOUBLE, function () {
    const q = of(this, 'quantity', 'asApproximateFloat').q;
    return Number(q.num) / Number(q.den);
  }),
  celMethod('asInteger', DYN, [], INT, function () {
    const i = v.quantityAsInt64(of(this, 'quantity', 'asInteger').q);
    if (i === undefined) throw new Error('cannot convert value to integer');
    return i;
  }),
  celMethod('isInteger', DYN, [], BOOL, function () {
    return v.quantityAsInt64(of(this, 'quantity', 'isInteger').q) !== undefined;
  }),
  celMethod('add', DYN, [DYN], DYN, function (o) {
    return wrap({ kind: 'quantity', q: v.quantityAdd(of(this, 'quantity', 'add').q, quantityArg(o, 'add')) });
  }),
  celMethod('sub', DYN, [DYN], DYN, function (o) {
    return wrap({ kind: 'quantity', q: v.quantityAdd(of(this, 'quantity', 'sub').q, v.quantityNegate(quantityArg(o, 'sub'))) });
  }),
  celFunc('semver', [STRING], DYN, (s) => wrap({ kind: 'semver', s: v.parseSemver(s) })),
  celFunc('semver', [STRING, BOOL], DYN, (s, n) => wrap({ kind: 'semver', s: v.parseSemver(s, n) })),
  celFunc('isSemver', [STRING], BOOL, (s) => ok(() => v.parseSemver(s))),
  celFunc('isSemver', [STRING, BOOL], BOOL, (s, n) => ok(() => v.parseSemver(s, n))),
  ...(['major', 'minor', 'patch'] as const).map((part) =>
    celMethod(part, DYN, [], INT, function () {
      return of(this, 'semver', part).s[part];
    }),
  ),
];

// ---- ip, cidr, url ----

const ipArg = (x: CelValue, fn: string) => (typeof x === 'string' ? v.parseIp(x) : of(x, 'ip', fn).ip);
const ipPredicate = (name: string, key: keyof ReturnType<typeof v.ipKind>) =>
  celMethod(name, DYN, [], BOOL, function () {
    return v.ipKind(of(this, 'ip', name).ip)[key];
  });

const network: CelFunc[] = [
  celFunc('ip', [STRING], DYN, (s) => wrap({ kind: 'ip', ip: v.parseIp(s) })),
  celFunc('isIP', [STRING], BOOL, (s) => ok(() => v.parseIp(s))),
  celFunc('ip.isCanonical', [STRING], BOOL, (s) => v.ipString(v.parseIp(s)) === s),
  celMethod('family', DYN, [], INT, function () {
    return of(this, 'ip', 'family').ip.length === 4 ? 4n : 6n;
  }),
  ipPredicate('isUnspecified', 'unspecified'),
  ipPredicate('isLoopback', 'loopback'),
  ipPredicate('isLinkLocalMulticast', 'linkLocalMulticast'),
  ipPredicate('isLinkLocalUnicast', 'linkLocalUnicast'),
  ipPredicate('isGlobalUnicast', 'globalUnicast'),
  celFunc('cidr', [STRING], DYN, (s) => wrap({ kind: 'cidr', c: v.parseCidr(s) })),
  celFunc('isCIDR', [STRING], BOOL, (s) => ok(() => v.parseCidr(s))),
  celMethod('containsIP', DYN, [DYN], BOOL, function (x) {
    return v.cidrContainsIp(of(this, 'cidr', 'containsIP').c, ipArg(x, 'containsIP'));
  }),
  celMethod('containsCIDR', DYN, [DYN], BOOL, function (x) {
    const other = typeof x === 'string' ? v.parseCidr(x) : of(x, 'cidr', 'containsCIDR').c;
    return v.cidrContainsCidr(of(this, 'cidr', 'containsCIDR').c, other);
  }),
  celMethod('ip', DYN, [], DYN, function () {
    return wrap({ kind: 'ip', ip: of(this, 'cidr', 'ip').c.ip });
  }),
  celMethod('prefixLength', DYN, [], INT, function () {
    return BigInt(of(this, 'cidr', 'prefixLength').c.bits);
  }),
  celMethod('masked', DYN, [], DYN, function () {
    return wrap({ kind: 'cidr', c: v.cidrMasked(of(this, 'cidr', 'masked').c) });
  }),
  celFunc('string', [mapType(DYN, DYN)], STRING, (x) => {
    const o = opaque(x);
    if (o?.kind === 'ip') return v.ipString(o.ip);
    if (o?.kind === 'cidr') return v.cidrString(o.c);
    return noOverload('string');
  }),
  celFunc('url', [STRING], DYN, (s) => wrap({ kind: 'url', u: v.parseUrl(s) })),
  celFunc('isURL', [STRING], BOOL, (s) => ok(() => v.parseUrl(s))),
  celMethod('getScheme', DYN, [], STRING, function () {
    return of(this, 'url', 'getScheme').u.scheme;
  }),
  celMethod('getHost', DYN, [], STRING, function () {
    return of(this, 'url', 'getHost').u.host;
  }),
  celMethod('getHostname', DYN, [], STRING, function () {
    return v.urlHostname(of(this, 'url', 'getHostname').u);
  }),
  celMethod('getPort', DYN, [], STRING, function () {
    return v.urlPort(of(this, 'url', 'getPort').u);
  }),
  celMethod('getEscapedPath', DYN, [], STRING, function () {
    return v.urlEscapedPath(of(this, 'url', 'getEscapedPath').u);
  }),
  celMethod('getQuery', DYN, [], mapType(STRING, listType(STRING)), function () {
    return v.urlQuery(of(this, 'url', 'getQuery').u);
  }),
];

/** Every function of the Kubernetes libraries above. */
export const K8S_CEL_FUNCS: readonly CelFunc[] = [...lists, ...regex, ...quantityAndSemver, ...network];
