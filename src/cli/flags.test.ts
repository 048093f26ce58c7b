import { UsageError } from './errors.js';
import { checkClusterName, parseClusterClaims, parseList } from './flags.js';

describe('checkClusterName', () => {
  test.each(['a', 'cluster1', 'c-1', 'a'.repeat(63), '0abc'])('accepts %s', (n) => {
    expect(checkClusterName(n, '--cluster-name')).toBe(n);
  });

  test('rejects 64 characters, naming the limit and the length', () => {
    const n = 'a'.repeat(64);
    expect(() => checkClusterName(n, '--cluster-name')).toThrow(UsageError);
    expect(() => checkClusterName(n, '--cluster-name')).toThrow(/64 characters long.*at most 63/);
  });

  test.each(['Cluster1', 'c_1', '-c', 'c-', 'c.1', 'c 1', 'é'])('rejects %s as not a DNS-1123 label', (n) => {
    expect(() => checkClusterName(n, '--cluster-name')).toThrow(/is not a DNS-1123 label/);
  });

  test('a missing name names the flag', () => {
    expect(() => checkClusterName(undefined, '--cluster-name')).toThrow('--cluster-name is required');
    expect(() => checkClusterName('', '--clusters')).toThrow('--clusters is required');
  });

  test('usage errors exit 2', () => {
    try {
      checkClusterName('BAD', '--cluster-name');
    } catch (err) {
      expect((err as UsageError).exitCode).toBe(2);
    }
    expect.assertions(1);
  });
});

describe('parseList', () => {
  test('splits, trims, drops empties and duplicates', () => {
    expect(parseList(' a, b,,a ,c ')).toEqual(['a', 'b', 'c']);
    expect(parseList(undefined)).toEqual([]);
    expect(parseList('')).toEqual([]);
  });
});

describe('parseClusterClaims', () => {
  test('parses name=value pairs; values may hold "="', () => {
    expect(parseClusterClaims('region=eu-west-1, env=prod,tier=a=b')).toEqual({ region: 'eu-west-1', env: 'prod', tier: 'a=b' });
  });

  test('absent or empty gives no claims', () => {
    expect(parseClusterClaims(undefined)).toEqual({});
    expect(parseClusterClaims('')).toEqual({});
  });

  test.each([
    ['region', /name=value pairs/],
    ['=x', /name=value pairs/],
    ['Region=x', /DNS-1123 subdomain/],
    ['a_b=x', /DNS-1123 subdomain/],
    ['region=', /empty value/],
    ['a=1,a=2', /given twice/],
    [`a=${'x'.repeat(1025)}`, /longer than 1024/],
  ])('rejects %s', (text, msg) => {
    expect(() => parseClusterClaims(text)).toThrow(msg);
  });

  test('dotted names are fine', () => {
    expect(parseClusterClaims('platform.example.com=kind')).toEqual({ 'platform.example.com': 'kind' });
  });
});
