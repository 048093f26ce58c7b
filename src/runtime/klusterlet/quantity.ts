/**
 * Kubernetes resource quantities (`2`, `500m`, `8Gi`, `1024Ki`, `1e3`): parse, add, and print in
 * the canonical form the API server would (apimachinery's resource.Quantity rules). Values are
 * held exactly as a count of nano-units in a bigint; a sum keeps the format of its first term.
 */

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** The value in units of 10^-9 (exact; finer input is rounded up, as Kubernetes does). */
  nanos: bigint;
  format: QuantityFormat;
}

const NANO = 10n ** 9n;
const DECIMAL_EXP: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_EXP: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const BINARY_SUFFIX = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const DECIMAL_SUFFIX: Record<number, string> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };

const RE = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([eE][+-]?\d+)|([numkMGTPE]))?$/;

/** Ceil of a/b for b > 0. */
function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b > 0n ? q + 1n : q;
}

export function parseQuantity(text: string): Quantity {
  const m = RE.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a quantity`);
  const [, sign, num, bin, exp, dec] = m;
  const [int, frac = ''] = num!.split('.');
  const digits = BigInt(`${int || '0'}${frac}`);
  const scale = 10n ** BigInt(frac.length);
  let nanos: bigint;
  let format: QuantityFormat;
  if (bin) {
    format = 'BinarySI';
    nanos = ceilDiv(digits * 1024n ** BigInt(BINARY_EXP[bin]!) * NANO, scale);
  } else {
    format = exp ? 'DecimalExponent' : 'DecimalSI';
    const e = exp ? Number(exp.slice(1)) : DECIMAL_EXP[dec ?? '']!;
    const shift = e + 9;
    nanos = shift >= 0 ? ceilDiv(digits * 10n ** BigInt(shift), scale) : ceilDiv(digits, scale * 10n ** BigInt(-shift));
  }
  return { nanos: sign === '-' ? -nanos : nanos, format };
}

/** a + b, in a's format (resource.Quantity.Add keeps the receiver's format). */
export function addQuantities(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos + b.nanos, format: a.format };
}

/** The largest exponent (a multiple of 3, -9…18) that keeps the mantissa whole. */
function decimalParts(abs: bigint): { mantissa: bigint; exp: number } {
  let exp = -9;
  let mantissa = abs;
  while (exp < 18 && mantissa % 1000n === 0n) {
    mantissa /= 1000n;
    exp += 3;
  }
  return { mantissa, exp };
}

/** Canonical text: `1500m`, `2k`, `16Gi`, `1025`, `1e3`. */
export function formatQuantity(q: Quantity): string {
  if (q.nanos === 0n) return '0';
  const sign = q.nanos < 0n ? '-' : '';
  const abs = q.nanos < 0n ? -q.nanos : q.nanos;
  if (q.format === 'BinarySI' && abs % NANO === 0n && abs >= 1024n * NANO) {
    let v = abs / NANO;
    let k = 0;
    while (k < 6 && v % 1024n === 0n) {
      v /= 1024n;
      k++;
    }
    return `${sign}${v}${BINARY_SUFFIX[k]}`;
  }
  // Small or fractional binary values are written in decimal, as Kubernetes does.
  const { mantissa, exp } = decimalParts(abs);
  if (q.format === 'DecimalExponent') return `${sign}${mantissa}${exp === 0 ? '' : `e${exp}`}`;
  return `${sign}${mantissa}${DECIMAL_SUFFIX[exp]}`;
}

/** The canonical form of a quantity string. */
export const canonicalQuantity = (text: string): string => formatQuantity(parseQuantity(text));
