/**
 * Just enough DER (X.690) to write a PKCS#10 request and read the names in requests and
 * certificates: definite lengths, primitive and constructed values, nothing else. The agents use it
 * instead of a general X.509 library, which cost each process about 20 MiB of heap for two shapes
 * (see README "Design"). Signing and keys stay with node:crypto.
 */

export const TAG = {
  integer: 0x02,
  bitString: 0x03,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  t61String: 0x14,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  bmpString: 0x1e,
  sequence: 0x30,
  set: 0x31,
  context0: 0xa0,
} as const;

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV: `tag`, then the length, then the concatenated `content`. */
export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), lengthBytes(body.length), body]);
}

/** A SET OF, its elements in DER's order (ascending by encoding), as Go's encoding/asn1 writes it. */
export function setOf(elements: Buffer[]): Buffer {
  return tlv(TAG.set, ...[...elements].sort(Buffer.compare));
}

export function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [40 * a! + b!];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(TAG.oid, Buffer.from(out));
}

export interface Node {
  tag: number;
  /** The content octets (without tag and length). */
  content: Buffer;
  /** The whole encoding (tag, length and content). */
  raw: Buffer;
}

/** The TLV at `offset` of `buf`; throws on anything that is not definite-length DER. */
export function read(buf: Buffer, offset = 0): Node {
  const tag = buf[offset];
  let len = buf[offset + 1];
  if (tag === undefined || len === undefined) throw new Error('DER: truncated');
  let start = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error('DER: unsupported length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[start + i] ?? NaN);
    start += n;
  }
  const end = start + len;
  if (!Number.isFinite(len) || end > buf.length) throw new Error('DER: truncated');
  return { tag, content: buf.subarray(start, end), raw: buf.subarray(offset, end) };
}

/** The values inside a constructed node, in order. */
export function children(node: Node): Node[] {
  const out: Node[] = [];
  for (let off = 0; off < node.content.length; ) {
    const child = read(node.content, off);
    out.push(child);
    off += child.raw.length;
  }
  return out;
}

export function oidString(node: Node): string {
  const b = node.content;
  const arcs = [Math.floor(b[0]! / 40), b[0]! % 40];
  for (let i = 1, v = 0; i < b.length; i++) {
    v = v * 128 + (b[i]! & 0x7f);
    if (!(b[i]! & 0x80)) (arcs.push(v), (v = 0));
  }
  return arcs.join('.');
}

/** A directory string's text (UTF8String, PrintableString, IA5String, T61String as Latin-1, BMPString). */
export function text(node: Node): string {
  if (node.tag === TAG.bmpString) return Buffer.from(node.content).swap16().toString('utf16le');
  return node.content.toString(node.tag === TAG.t61String ? 'latin1' : 'utf8');
}

/** The DER body of the first PEM block labelled `label`. */
export function pemBody(pem: string, label: string): Buffer {
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(pem);
  if (!m) throw new Error(`no PEM ${label} block`);
  return Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
}

/** PEM with 64-column lines, as Go's encoding/pem writes it. */
export function toPem(der: Buffer, label: string): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
