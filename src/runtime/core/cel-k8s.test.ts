// Expected values are the Kubernetes library's own (k8s.io/apiserver/pkg/cel/library docs and tests,
// as vendored by OCM v1.3.1) and Go's (resource.Quantity, blang/semver, net/netip, net/url, regexp).
import { celEnvironment, compileCel } from './cel.js';

const ENV = celEnvironment();
function evaluate(expr: string): unknown {
  const c = compileCel(ENV, expr, ['x']);
  if (!c.ok) throw new Error(`does not compile: ${c.error}`);
  const r = c.program.run({ x: null });
  if ('error' in r) throw new Error(r.error);
  return r.value;
}
const errorOf = (expr: string) => {
  try {
    evaluate(expr);
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
};

describe('Kubernetes CEL libraries', () => {
  test('quantity: parse, compare, equality across units', () => {
    expect(evaluate(`quantity('1Gi').isGreaterThan(quantity('1M'))`)).toBe(true);
    expect(evaluate(`quantity("200M") == quantity("0.2G") && quantity("0.2G") == quantity("200M")`)).toBe(true);
    expect(evaluate(`quantity("2M") == quantity("0.002G") && quantity("2000k") == quantity("2M")`)).toBe(true);
    expect(evaluate(`quantity("200M") == quantity("0.3G")`)).toBe(false);
    expect(evaluate(`quantity("50M").compareTo(quantity("50Mi"))`)).toBe(-1);
    expect(evaluate(`quantity("50Mi").compareTo(quantity("50M"))`)).toBe(1);
    expect(evaluate(`quantity("200M").compareTo(quantity("0.2G"))`)).toBe(0);
    expect(evaluate(`quantity("50M").isLessThan(quantity("100M"))`)).toBe(true);
    expect(evaluate(`quantity('1Gi') == quantity('1024Mi')`)).toBe(true);
    expect(evaluate(`sign(quantity('-3m'))`)).toBe(-1);
  });

  test('quantity: arithmetic and Go integer semantics', () => {
    expect(evaluate(`quantity("50k").add(quantity("20")) == quantity("50.02k")`)).toBe(true);
    expect(evaluate(`quantity("50k").sub(20) == quantity("49980")`)).toBe(true);
    expect(evaluate(`quantity("50k").add(20).sub(quantity("100k")).asInteger()`)).toBe(-49980);
    expect(evaluate(`quantity("50k").add(20).sub(quantity("100k")).sub(-50000).asInteger()`)).toBe(20);
    expect(evaluate(`quantity("50000000G").isInteger()`)).toBe(true);
    expect(evaluate(`quantity("9999999999999999999999999999999999999G").isInteger()`)).toBe(false);
    expect(errorOf(`quantity("9999999999999999999999999999999999999G").asInteger()`)).toMatch('cannot convert value to integer');
    // Go keeps 1000m as 1000 at scale -3, which AsInt64 refuses although the value is whole.
    expect(evaluate(`quantity("1000m").isInteger()`)).toBe(false);
    expect(evaluate(`quantity("1.5k").asInteger()`)).toBe(1500);
    expect(evaluate(`quantity("50.703k").asApproximateFloat()`)).toBe(50703);
    // Below a nano rounds away from zero.
    expect(evaluate(`quantity("0.1n") == quantity("1n")`)).toBe(true);
  });

  test('quantity: bad input', () => {
    expect(errorOf(`quantity("10Mo")`)).toMatch(/quantities must match the regular expression/);
    expect(errorOf(`quantity("10Mm")`)).toMatch("unable to parse quantity's suffix");
    expect(evaluate(`isQuantity("20Mi") && isQuantity("1.3G") && !isQuantity("1,3G") && !isQuantity("200K")`)).toBe(true);
  });

  test('semver: parse, normalize, precedence', () => {
    expect(evaluate(`semver("1.2.3").major() == 1 && semver("1.2.3").minor() == 2 && semver("1.2.3").patch() == 3`)).toBe(true);
    expect(evaluate(`semver("1.2.3").compareTo(semver("2.0.0"))`)).toBe(-1);
    expect(evaluate(`semver("1.2.3").compareTo(semver("0.1.2"))`)).toBe(1);
    expect(evaluate(`semver("1.0.0-alpha").isLessThan(semver("1.0.0"))`)).toBe(true);
    expect(evaluate(`semver("1.0.0-alpha.2").isLessThan(semver("1.0.0-alpha.10"))`)).toBe(true);
    expect(evaluate(`semver("1.0.0-2").isLessThan(semver("1.0.0-alpha"))`)).toBe(true);
    expect(evaluate(`semver("1.0.0+build1") == semver("1.0.0+build2")`)).toBe(true);
    expect(evaluate(`semver("1.30.2").isGreaterThan(semver("1.30.0"))`)).toBe(true);
    expect(evaluate(`isSemver("v1.0") || isSemver("01.1.1") || isSemver("1.0")`)).toBe(false);
    expect(evaluate(`semver("v1.0", true) == semver("1.0.0") && semver("01.01.01", true) == semver("1.1.1")`)).toBe(true);
    expect(errorOf(`semver("1.0-rc1", true)`)).toMatch('short version cannot contain PreRelease/Build meta data');
  });

  test('lists: isSorted, sum, min, max, indexOf, lastIndexOf', () => {
    expect(evaluate(`[1, 2, 2, 3].isSorted() && !["b", "a"].isSorted() && [].isSorted()`)).toBe(true);
    expect(evaluate(`[1, 3].sum()`)).toBe(4);
    expect(evaluate(`[1.0, 3.5].sum()`)).toBe(4.5);
    expect(evaluate(`[].sum()`)).toBe(0);
    expect(evaluate(`[1, 3].min() == 1 && [1, 3].max() == 3 && ["b", "c", "a"].max() == "c"`)).toBe(true);
    expect(errorOf(`[].min()`)).toMatch('min called on empty list');
    expect(evaluate(`[1, 2, 2, 3].indexOf(2)`)).toBe(1);
    expect(evaluate(`['a', 'b', 'b', 'c'].lastIndexOf('b')`)).toBe(2);
    expect(evaluate(`[1.0].indexOf(1.1)`)).toBe(-1);
    expect(evaluate(`"abcb".indexOf("b") == 1`)).toBe(true);
    expect(evaluate(`[quantity('1Gi'), quantity('2Gi')].indexOf(quantity('2048Mi'))`)).toBe(1);
    expect(evaluate(`[duration('1m'), duration('1s')].sum() == duration('61s')`)).toBe(true);
    expect(evaluate(`[duration('1s'), duration('2s')].isSorted() && [duration('3s'), duration('2s')].max() == duration('3s')`)).toBe(true);
    expect(evaluate(`[timestamp('2021-01-01T00:00:00Z'), timestamp('2020-01-01T00:00:00Z')].min() == timestamp('2020-01-01T00:00:00Z')`)).toBe(true);
    expect(errorOf(`[1, "a"].max()`)).toMatch('no such overload');
  });

  test('regex: find and findAll as Go does', () => {
    expect(evaluate(`"abc 123".find('[0-9]+')`)).toBe('123');
    expect(evaluate(`"abc 123".find('xyz')`)).toBe('');
    expect(evaluate(`"123 abc 456".findAll('[0-9]+')`)).toEqual(['123', '456']);
    expect(evaluate(`"123 abc 456".findAll('[0-9]+', 1)`)).toEqual(['123']);
    // Go drops an empty match right after a match: "baaab" with a* is ["", "aaa", ""].
    expect(evaluate(`"baaab".findAll('a*')`)).toEqual(['', 'aaa', '']);
    expect(evaluate(`"Hello".find('(?i)h(?P<rest>el)')`)).toBe('Hel');
    expect(errorOf(`"x".find('(')`)).toMatch('Illegal regex');
  });

  test('ip and cidr', () => {
    expect(evaluate(`ip('127.0.0.1').family() == 4 && ip('::1').family() == 6`)).toBe(true);
    expect(evaluate(`isIP('127.0.0.1') && isIP('::1') && !isIP('127.0.0.256') && !isIP(':::1') && !isIP('01.2.3.4')`)).toBe(true);
    expect(errorOf(`ip('::ffff:1.2.3.4')`)).toMatch('IPv4-mapped IPv6 address "::ffff:1.2.3.4" is not allowed');
    expect(errorOf(`ip('fe80::1%eth0')`)).toMatch('with zone value is not allowed');
    expect(evaluate(`ip('0.0.0.0').isUnspecified() && ip('::').isUnspecified() && !ip('::1').isUnspecified()`)).toBe(true);
    expect(evaluate(`ip('127.0.0.1').isLoopback() && ip('::1').isLoopback() && !ip('2001:db8::abcd').isLoopback()`)).toBe(true);
    expect(evaluate(`ip('224.0.0.1').isLinkLocalMulticast() && !ip('224.0.1.1').isLinkLocalMulticast() && ip('ff02::1').isLinkLocalMulticast()`)).toBe(true);
    expect(evaluate(`ip('169.254.169.254').isLinkLocalUnicast() && ip('fe80::1').isLinkLocalUnicast() && !ip('fd80::1').isLinkLocalUnicast()`)).toBe(true);
    expect(evaluate(`ip('192.168.0.1').isGlobalUnicast() && !ip('255.255.255.255').isGlobalUnicast()`)).toBe(true);
    expect(evaluate(`string(ip('2001:DB8:0:0:0:0:0:ABCD'))`)).toBe('2001:db8::abcd');
    expect(evaluate(`ip.isCanonical('127.0.0.1') && ip.isCanonical('2001:db8::abcd')`)).toBe(true);
    expect(evaluate(`ip.isCanonical('2001:DB8::ABCD') || ip.isCanonical('2001:db8::0:0:0:abcd')`)).toBe(false);
    expect(errorOf(`ip.isCanonical('1.2.3')`)).toMatch('parse error');
    expect(evaluate(`ip('2001:db8::1') == ip('2001:0db8:0:0::1')`)).toBe(true);
    expect(evaluate(`cidr('192.168.0.0/24').containsIP(ip('192.168.0.1')) && !cidr('192.168.0.0/24').containsIP('192.168.1.1')`)).toBe(true);
    expect(evaluate(`cidr('192.168.0.0/16').containsCIDR(cidr('192.168.10.0/24')) && !cidr('192.168.1.0/24').containsCIDR('192.168.2.0/24')`)).toBe(true);
    expect(evaluate(`cidr('192.168.0.1/24').ip() == ip('192.168.0.1') && cidr('::1/128').ip().family() == 6`)).toBe(true);
    expect(evaluate(`string(cidr('192.168.0.1/24').masked())`)).toBe('192.168.0.0/24');
    expect(evaluate(`cidr('192.168.0.1/24') == cidr('192.168.0.1/24').masked()`)).toBe(false);
    expect(evaluate(`cidr('192.168.0.0/16').prefixLength() == 16 && !isCIDR('192.168.0.0/33') && !isCIDR('::1/129')`)).toBe(true);
    expect(evaluate(`cidr('10.0.0.0/8').containsIP('::1')`)).toBe(false);
  });

  test('url parts', () => {
    expect(evaluate(`url('/path').getScheme() == '' && url('https://example.com/').getScheme() == 'https'`)).toBe(true);
    expect(evaluate(`url('https://example.com:80/').getHost()`)).toBe('example.com:80');
    expect(evaluate(`url('https://[::1]:80/').getHost() == '[::1]:80' && url('https://[::1]:80/').getHostname() == '::1'`)).toBe(true);
    expect(evaluate(`url('https://user:pass@example.com:80/path?query=val#fragment').getHostname()`)).toBe('example.com');
    expect(evaluate(`url('https://example.com:80/').getPort() == '80' && url('https://example.com/').getPort() == ''`)).toBe(true);
    expect(evaluate(`url('https://example.com/path with spaces/').getEscapedPath()`)).toBe('/path%20with%20spaces/');
    expect(evaluate(`url('https://example.com').getEscapedPath()`)).toBe('');
    expect(evaluate(`url('https://example.com/path?k1=a&k2=b&k2=c').getQuery()`)).toEqual({ k1: ['a'], k2: ['b', 'c'] });
    expect(evaluate(`url('https://example.com/path?key with spaces=value with spaces').getQuery()`)).toEqual({ 'key with spaces': ['value with spaces'] });
    expect(evaluate(`url('https://example.com/path?').getQuery()`)).toEqual({});
    expect(errorOf(`url('https://a:b:c/')`)).toMatch('URL parse error during conversion from string');
    expect(evaluate(`isURL('https://example.com') && !isURL('../relative-path')`)).toBe(true);
  });

  test('a library method on the wrong value is an error, not a silent false', () => {
    expect(errorOf(`semver("1.0.0").isGreaterThan(quantity("1"))`)).toMatch('no such overload');
    expect(errorOf(`{"kubernetes.quantity": "1/1"}.asInteger()`)).toMatch('no such overload');
  });
});
