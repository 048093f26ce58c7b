import { addQuantities, canonicalQuantity, formatQuantity, parseQuantity } from './quantity.js';

const sum = (...xs: string[]) => formatQuantity(xs.map(parseQuantity).reduce((a, b) => addQuantities(a, b)));

describe('parse', () => {
  test('decimal, binary and exponent forms, exactly in nano units', () => {
    expect(parseQuantity('2')).toEqual({ nanos: 2_000_000_000n, format: 'DecimalSI' });
    expect(parseQuantity('500m')).toEqual({ nanos: 500_000_000n, format: 'DecimalSI' });
    expect(parseQuantity('8Gi')).toEqual({ nanos: 8n * 1024n ** 3n * 10n ** 9n, format: 'BinarySI' });
    expect(parseQuantity('1.5Ki')).toEqual({ nanos: 1536n * 10n ** 9n, format: 'BinarySI' });
    expect(parseQuantity('1e3')).toEqual({ nanos: 10n ** 12n, format: 'DecimalExponent' });
    expect(parseQuantity('.5')).toEqual({ nanos: 500_000_000n, format: 'DecimalSI' });
    expect(parseQuantity('-1k').nanos).toBe(-(10n ** 12n));
    expect(parseQuantity('3n').nanos).toBe(3n);
    expect(parseQuantity('1E').nanos).toBe(10n ** 27n);
  });

  test('finer than a nano unit rounds up', () => {
    expect(parseQuantity('0.1n').nanos).toBe(1n);
    expect(parseQuantity('1.0000000001').nanos).toBe(1_000_000_001n);
  });

  test('rejects what is not a quantity', () => {
    for (const bad of ['', 'abc', '1K', '1.2.3', '1 Gi', 'Gi', '1Gib']) expect(() => parseQuantity(bad)).toThrow(/not a quantity/);
  });
});

describe('canonical form', () => {
  test.each([
    ['1500m', '1500m'],
    ['1.5', '1500m'],
    ['0.5', '500m'],
    ['2000', '2k'],
    ['1500', '1500'],
    ['1024Ki', '1Mi'],
    ['1536Mi', '1536Mi'],
    ['1.5Gi', '1536Mi'],
    ['16318644Ki', '16318644Ki'],
    ['512Ki', '512Ki'],
    ['0.5Ki', '512'],
    ['1e3', '1e3'],
    ['1000e-3', '1'],
    ['0', '0'],
    ['0Gi', '0'],
    ['-2Gi', '-2Gi'],
    ['110', '110'],
  ])('%s → %s', (input, want) => {
    expect(canonicalQuantity(input)).toBe(want);
  });
});

describe('sums as node capacity totals need them', () => {
  test('same units', () => {
    expect(sum('4', '4')).toBe('8');
    expect(sum('8Gi', '8Gi')).toBe('16Gi');
    expect(sum('110', '110', '110')).toBe('330');
  });

  test('mixed units keep the first format', () => {
    expect(sum('500m', '1')).toBe('1500m');
    expect(sum('100m', '900m')).toBe('1');
    expect(sum('1Gi', '1024Mi', '1048576Ki')).toBe('3Gi');
    expect(sum('1Gi', '1')).toBe('1073741825');
    expect(sum('1', '1Gi')).toBe('1073741825');
    expect(sum('1G', '1Gi')).toBe('2073741824');
    expect(sum('1500m', '1500m')).toBe('3');
  });
});
