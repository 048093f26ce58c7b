/**
 * The values behind the Kubernetes CEL libraries (k8s.io/apiserver/pkg/cel/library) that OCM loads:
 * resource quantities, semantic versions, IP addresses, CIDRs and URLs, parsed as the Go code
 * under them does (resource.ParseQuantity, blang/semver, net/netip, net/url). Pure functions: a
 * parse failure throws an Error whose message is the CEL evaluation error.
 */

// ---- quantity (k8s.io/apimachinery/pkg/api/resource) ----

export interface Quantity {
  /** Exact value num/den (den > 0, reduced). */
  num: bigint;
  den: bigint;
  /** Go keeps small values as an int64 with a decimal scale; AsInt64 only works on that form with scale >= 0. */
  int64?: { value: bigint; scale: number };
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const fits = (v: bigint) => v >= INT64_MIN && v <= INT64_MAX;
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : gcd(b, a % b));
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

function reduce(num: bigint, den: bigint, int64?: Quantity['int64']): Quantity {
  const g = gcd(num, den) || 1n;
  return { num: num / g, den: den / g, ...(int64 ? { int64 } : {}) };
}

/** resource.ParseQuantity: `[+-]digits[.digits][suffix]`, suffix Ki..Ei, n..E or e/E exponent. */
export function parseQuantity(text: string): Quantity {
  const m = /^([+-]?)0*(\d*)(?:\.(\d*))?(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/.exec(text);
  // Go accepts a lone sign, dot or suffix as zero; only the empty string and stray characters fail.
  if (!text || !m) throw new Error(/^[+-]?\d*(\.\d*)?[eEinumkKMGTP]*[-+]?\d*$/.test(text) && text ? "unable to parse quantity's suffix" : "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  const negative = m[1] === '-';
  const int = m[2] || '0';
  const frac = m[3] ?? '';
  const suffix = m[4] ?? '';
  const digits = BigInt(int + frac) * (negative ? -1n : 1n);
  let num = digits;
  let den = 10n ** BigInt(frac.length);
  let int64: Quantity['int64'];
  if (suffix in BINARY) {
    const exp = BINARY[suffix]!;
    num *= 2n ** BigInt(exp);
    // Go's fast path: a whole binary amount with room to spare stays an int64 at scale 0.
    const precision = 15 - int.length - Math.trunc((exp * 3) / 10) - 1;
    if (!frac && precision >= 0 && fits(num)) int64 = { value: num, scale: 0 };
  } else {
    const exp = suffix in DECIMAL ? DECIMAL[suffix]! : Number(suffix.slice(1));
    if (exp >= 0) num *= 10n ** BigInt(exp);
    else den *= 10n ** BigInt(-exp);
    const scale = exp - frac.length;
    const precision = 18 - int.length - frac.length;
    if (precision >= 0 && scale >= -9 && fits(digits)) int64 = { value: digits, scale };
  }
  // Below a nano the value is rounded away from zero to the next nano, as Go does.
  if ((num * 10n ** 9n) % den !== 0n) {
    const nanos = (num * 10n ** 9n) / den + (num < 0n ? -1n : 1n);
    return reduce(nanos, 10n ** 9n);
  }
  return reduce(num, den, int64);
}

export const quantityCompare = (a: Quantity, b: Quantity): number => {
  const d = a.num * b.den - b.num * a.den;
  return d > 0n ? 1 : d < 0n ? -1 : 0;
};

/** Quantity.AsInt64: only the int64 form at scale >= 0 that fits. */
export function quantityAsInt64(q: Quantity): bigint | undefined {
  if (!q.int64 || q.int64.scale < 0) return undefined;
  const v = q.int64.value * 10n ** BigInt(q.int64.scale);
  return fits(v) ? v : undefined;
}

/** Quantity.Add (sub: `b` negated), keeping Go's int64 form when both sides have it. */
export function quantityAdd(a: Quantity, b: Quantity): Quantity {
  let int64: Quantity['int64'];
  if (a.int64 && b.int64) {
    if (b.int64.value === 0n) int64 = a.int64;
    else if (a.int64.value === 0n) int64 = b.int64;
    else {
      const scale = Math.min(a.int64.scale, b.int64.scale);
      const v = a.int64.value * 10n ** BigInt(a.int64.scale - scale) + b.int64.value * 10n ** BigInt(b.int64.scale - scale);
      if (fits(v)) int64 = { value: v, scale };
    }
  }
  return reduce(a.num * b.den + b.num * a.den, a.den * b.den, int64);
}

export const quantityNegate = (q: Quantity): Quantity => ({ num: -q.num, den: q.den, ...(q.int64 ? { int64: { value: -q.int64.value, scale: q.int64.scale } } : {}) });
export const quantityOfInt = (i: bigint): Quantity => ({ num: i, den: 1n, int64: { value: i, scale: 0 } });

// ---- semver (blang/semver v4) ----

export interface Semver {
  major: bigint;
  minor: bigint;
  patch: bigint;
  pre: string[];
}

const NUMERIC = /^(0|[1-9]\d*)$/;

export function parseSemver(text: string, normalize = false): Semver {
  let s = text;
  if (normalize) {
    s = s.replace(/^v/, '');
    const parts = s.split('.');
    const head = parts.slice(0, 2);
    const rest = parts.slice(2).join('.');
    const all = [...head, ...(parts.length > 2 ? [rest] : [])].map((p) => {
      if (p.length <= 1) return p;
      const t = p.replace(/^0+/, '');
      return t === '' || !/^\d/.test(t) ? `0${t}` : t;
    });
    if (all.length < 3) {
      if (/[+-]/.test(all[all.length - 1]!)) throw new Error('short version cannot contain PreRelease/Build meta data');
      while (all.length < 3) all.push('0');
    }
    s = all.join('.');
  }
  if (!s) throw new Error('Version string empty');
  const parts = s.split('.');
  if (parts.length < 3) throw new Error('No Major.Minor.Patch elements found');
  const [maj, min] = parts as [string, string];
  const tail = parts.slice(2).join('.');
  const cut = tail.search(/[+-]/);
  const pat = cut < 0 ? tail : tail.slice(0, cut);
  for (const [name, n] of [['Major', maj], ['Minor', min], ['Patch', pat]] as const) {
    if (!/^\d+$/.test(n)) throw new Error(`Invalid character(s) found in ${name.toLowerCase()} number "${n}"`);
    if (!NUMERIC.test(n)) throw new Error(`${name} number must not contain leading zeroes "${n}"`);
  }
  let rest = cut < 0 ? '' : tail.slice(cut);
  let pre: string[] = [];
  if (rest.startsWith('-')) {
    const plus = rest.indexOf('+');
    pre = (plus < 0 ? rest.slice(1) : rest.slice(1, plus)).split('.');
    rest = plus < 0 ? '' : rest.slice(plus);
    for (const p of pre) {
      if (!p) throw new Error('Prerelease is empty');
      if (!/^[0-9A-Za-z-]+$/.test(p)) throw new Error(`Invalid character(s) found in prerelease "${p}"`);
      if (/^\d+$/.test(p) && !NUMERIC.test(p)) throw new Error(`Prerelease must not contain leading zeroes "${p}"`);
    }
  }
  if (rest.startsWith('+')) {
    for (const b of rest.slice(1).split('.')) if (!/^[0-9A-Za-z-]+$/.test(b)) throw new Error(`Invalid character(s) found in build meta data "${b}"`);
  }
  return { major: BigInt(maj), minor: BigInt(min), patch: BigInt(pat), pre };
}

const cmp = (a: bigint | string, b: bigint | string) => (a > b ? 1 : a < b ? -1 : 0);

/** SemVer 2.0 precedence: build metadata ignored, a pre-release sorts before its release. */
export function semverCompare(a: Semver, b: Semver): number {
  const c = cmp(a.major, b.major) || cmp(a.minor, b.minor) || cmp(a.patch, b.patch);
  if (c) return c;
  if (!a.pre.length || !b.pre.length) return a.pre.length ? -1 : b.pre.length ? 1 : 0;
  for (let i = 0; i < Math.min(a.pre.length, b.pre.length); i++) {
    const [x, y] = [a.pre[i]!, b.pre[i]!];
    const [xn, yn] = [/^\d+$/.test(x), /^\d+$/.test(y)];
    const r = xn && yn ? cmp(BigInt(x), BigInt(y)) : xn ? -1 : yn ? 1 : cmp(x, y);
    if (r) return r;
  }
  return cmp(BigInt(a.pre.length), BigInt(b.pre.length));
}

export const semverString = (v: Semver) => `${v.major}.${v.minor}.${v.patch}${v.pre.length ? `-${v.pre.join('.')}` : ''}`;

// ---- IP and CIDR (net/netip) ----

/** 4 or 16 bytes. */
export type Ip = Uint8Array;

function parseV4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === '0') || Number(p) > 255) return undefined;
    out.push(Number(p));
  }
  return out;
}

function parseV6(s: string): number[] | undefined {
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const toBytes = (gs: string[], last: boolean): number[] | undefined => {
    const out: number[] = [];
    for (const [i, g] of gs.entries()) {
      if (last && i === gs.length - 1 && g.includes('.')) {
        const v4 = parseV4(g);
        if (!v4) return undefined;
        out.push(...v4);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
        const n = parseInt(g, 16);
        out.push(n >> 8, n & 0xff);
      }
    }
    return out;
  };
  const head = toBytes(groups(halves[0]!), halves.length === 1);
  const tail = halves.length === 2 ? toBytes(groups(halves[1]!), true) : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1) return head.length === 16 ? head : undefined;
  return head.length + tail.length <= 14 ? [...head, ...new Array<number>(16 - head.length - tail.length).fill(0), ...tail] : undefined;
}

/** netip.ParseAddr, then Kubernetes' refusals (zones, IPv4-mapped IPv6). */
export function parseIp(raw: string): Ip {
  const bad = (why: string) => new Error(`IP Address "${raw}" parse error during conversion from string: ${why}`);
  if (raw.includes('%')) {
    if (raw.includes(':') && parseV6(raw.slice(0, raw.indexOf('%')))) throw new Error(`IP address "${raw}" with zone value is not allowed`);
    throw bad('unexpected character');
  }
  const bytes = raw.includes(':') ? parseV6(raw) : parseV4(raw);
  if (!bytes) throw bad('ParseAddr: unable to parse IP');
  const ip = Uint8Array.from(bytes);
  if (ip.length === 16 && ip.slice(0, 10).every((b) => b === 0) && ip[10] === 0xff && ip[11] === 0xff) throw new Error(`IPv4-mapped IPv6 address "${raw}" is not allowed`);
  return ip;
}

/** netip.Addr.String: dotted IPv4; IPv6 with the longest run of two or more zero groups as "::". */
export function ipString(ip: Ip): string {
  if (ip.length === 4) return [...ip].join('.');
  const g = Array.from({ length: 8 }, (_, i) => (ip[2 * i]! << 8) | ip[2 * i + 1]!);
  let [best, bestLen] = [-1, 1];
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  return best < 0 ? hex(g) : `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

export function ipKind(ip: Ip) {
  const v4 = ip.length === 4;
  const unspecified = ip.every((b) => b === 0);
  const loopback = v4 ? ip[0] === 127 : ip.slice(0, 15).every((b) => b === 0) && ip[15] === 1;
  const multicast = v4 ? (ip[0]! & 0xf0) === 0xe0 : ip[0] === 0xff;
  const linkLocalUnicast = v4 ? ip[0] === 169 && ip[1] === 254 : ip[0] === 0xfe && (ip[1]! & 0xc0) === 0x80;
  const linkLocalMulticast = v4 ? ip[0] === 224 && ip[1] === 0 && ip[2] === 0 : ip[0] === 0xff && (ip[1]! & 0x0f) === 0x02;
  const broadcast = v4 && ip.every((b) => b === 255);
  return { unspecified, loopback, linkLocalUnicast, linkLocalMulticast, globalUnicast: !unspecified && !loopback && !multicast && !linkLocalUnicast && !broadcast };
}

export interface Cidr {
  ip: Ip;
  bits: number;
}

/** netip.ParsePrefix (the address is kept as written, not masked). */
export function parseCidr(raw: string): Cidr {
  const bad = (why: string) => new Error(`network address parse error during conversion from string: netip.ParsePrefix("${raw}"): ${why}`);
  const slash = raw.lastIndexOf('/');
  if (slash < 0) throw bad('no \'/\'');
  const addr = raw.slice(0, slash);
  const bitsText = raw.slice(slash + 1);
  if (addr.includes('%')) throw bad('IPv6 zones cannot be present in a prefix');
  const bytes = addr.includes(':') ? parseV6(addr) : parseV4(addr);
  if (!bytes) throw bad('ParseAddr: unable to parse IP');
  if (!/^(0|[1-9]\d{0,2})$/.test(bitsText) || Number(bitsText) > bytes.length * 8) throw bad(`bad bits after slash: "${bitsText}"`);
  const ip = Uint8Array.from(bytes);
  if (ip.length === 16 && ip.slice(0, 10).every((b) => b === 0) && ip[10] === 0xff && ip[11] === 0xff) throw new Error(`IPv4-mapped IPv6 address "${raw}" is not allowed`);
  return { ip, bits: Number(bitsText) };
}

export function cidrMasked(c: Cidr): Cidr {
  const ip = Uint8Array.from(c.ip, (b, i) => {
    const keep = Math.max(0, Math.min(8, c.bits - 8 * i));
    return b & ((0xff << (8 - keep)) & 0xff);
  });
  return { ip, bits: c.bits };
}

export function cidrContainsIp(c: Cidr, ip: Ip): boolean {
  if (ip.length !== c.ip.length) return false;
  const a = cidrMasked(c).ip;
  const b = cidrMasked({ ip, bits: c.bits }).ip;
  return a.every((x, i) => x === b[i]);
}

/** Kubernetes' containsCIDR: the other prefix overlaps and is at least as long. */
export const cidrContainsCidr = (c: Cidr, o: Cidr) => c.bits <= o.bits && cidrContainsIp(c, o.ip);
export const cidrString = (c: Cidr) => `${ipString(c.ip)}/${c.bits}`;

// ---- URL (net/url ParseRequestURI, then Parse) ----

export interface Url {
  scheme: string;
  host: string;
  path: string;
  rawQuery: string;
}

/** url.ParseRequestURI's checks; the fragment is dropped as url.Parse does. */
export function parseUrl(raw: string): Url {
  const bad = (why: string) => new Error(`URL parse error during conversion from string: parse "${raw}": ${why}`);
  if (/[\x00-\x1f\x7f]/.test(raw)) throw bad('net/url: invalid control character in URL');
  if (!raw) throw bad('empty url');
  let rest = raw;
  let scheme = '';
  const sm = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(rest);
  if (sm) [scheme, rest] = [sm[1]!.toLowerCase(), rest.slice(sm[0].length)];
  else if (/^[^/?]*:/.test(rest) && rest.indexOf(':') === 0) throw bad('missing protocol scheme');
  const hash = rest.indexOf('#');
  const beforeHash = hash < 0 ? rest : rest.slice(0, hash);
  const q = beforeHash.indexOf('?');
  const rawQuery = q < 0 ? '' : beforeHash.slice(q + 1);
  rest = q < 0 ? beforeHash : beforeHash.slice(0, q);
  if (!rest.startsWith('/')) throw bad('invalid URI for request');
  let host = '';
  if (scheme && rest.startsWith('//')) {
    const end = rest.indexOf('/', 2);
    const authority = end < 0 ? rest.slice(2) : rest.slice(2, end);
    rest = end < 0 ? '' : rest.slice(end);
    host = authority.slice(authority.lastIndexOf('@') + 1);
    const port = host.startsWith('[') ? /^\[[^\]]*\](:\d*)?$/.exec(host) : /^[^:[\]]*(:\d*)?$/.exec(host);
    if (!port) throw bad(`invalid port "${host.slice(host.lastIndexOf(':'))}" after host`);
  }
  if (/%(?![0-9a-fA-F]{2})/.test(rest)) throw bad(`invalid URL escape "${rest.slice(rest.search(/%(?![0-9a-fA-F]{2})/), rest.search(/%(?![0-9a-fA-F]{2})/) + 3)}"`);
  return { scheme, host, path: rest, rawQuery };
}

export const urlHostname = (u: Url) => (u.host.startsWith('[') ? u.host.slice(1, u.host.indexOf(']')) : u.host.replace(/:\d*$/, ''));
export const urlPort = (u: Url) => /:(\d*)$/.exec(u.host.startsWith('[') ? u.host.slice(u.host.indexOf(']') + 1) : u.host)?.[1] ?? '';
/** url.EscapedPath: the path as written when its escaping is valid, otherwise re-escaped. */
export const urlEscapedPath = (u: Url) => u.path.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]/g, (c) => encodeURIComponent(c));

/** url.Values from the raw query: pairs split on '&', '+' as space; pairs with ';' or bad escapes dropped. */
export function urlQuery(u: Url): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const pair of u.rawQuery.split('&')) {
    if (!pair || pair.includes(';')) continue;
    const eq = pair.indexOf('=');
    const [k, v] = eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
    try {
      const dec = (x: string) => decodeURIComponent(x.replace(/\+/g, ' '));
      const key = dec(k);
      out.set(key, [...(out.get(key) ?? []), dec(v)]);
    } catch {
      // Go's Query() skips a pair it cannot unescape.
    }
  }
  return out;
}
