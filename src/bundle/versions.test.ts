import { compareVersions, isDowngrade, refuseDowngrade } from './versions.js';
import { placeholderBundle } from './index.js';

test.each([
  ['0.0.9', '0.1.0', -1],
  ['0.1.0', '0.0.9', 1],
  ['0.10.0', '0.9.0', 1],
  ['1.2.3', '1.2.3', 0],
  ['v1.2.3', '1.2.3', 0],
  ['1.2.3+build.5', '1.2.3', 0],
  ['1.0.0-rc.1', '1.0.0', -1],
  ['1.0.0-alpha', '1.0.0-alpha.1', -1],
  ['1.0.0-alpha.1', '1.0.0-alpha.beta', -1],
  ['1.0.0-beta.2', '1.0.0-beta.11', -1],
  ['1.0.0-rc.1', '1.0.0-beta.11', 1],
])('compareVersions(%s, %s) = %i', (a, b, want) => {
  expect(compareVersions(a, b)).toBe(want);
  expect(compareVersions(b, a)).toBe(-want || 0);
});

test('a version that is not semver compares as unknown', () => {
  expect(compareVersions('dev', '0.1.0')).toBeUndefined();
  expect(compareVersions('0.1', '0.1.0')).toBeUndefined();
});

describe('refuseDowngrade', () => {
  const bundle = { ...placeholderBundle('hub-controller'), version: '0.0.9' };
  test('a newer runtime in the cluster: one line naming both versions and --force', () => {
    expect(() => refuseDowngrade({ version: '0.1.0' }, bundle, false, 'the hub https://h:6443')).toThrow(
      'the hub https://h:6443 runs the hub-controller runtime 0.1.0, newer than the 0.0.9 this ocmadm carries: use ocmadm 0.1.0 or newer, or pass --force to downgrade; nothing was changed',
    );
  });
  test('--force, the same, an older, none, or an unparsable version: no refusal', () => {
    expect(() => refuseDowngrade({ version: '0.1.0' }, bundle, true, 'x')).not.toThrow();
    for (const installed of [{ version: '0.0.9' }, { version: '0.0.1' }, undefined, {}, { version: 'dev' }]) {
      expect(isDowngrade(installed, bundle)).toBe(false);
      expect(() => refuseDowngrade(installed, bundle, false, 'x')).not.toThrow();
    }
  });
});
