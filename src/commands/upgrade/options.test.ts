import { argValue, parseClaimsArg, upgradeOptions } from './options.js';

test('defaults: keep the image and pull secrets, text output', () => {
  expect(upgradeOptions('hub', {})).toEqual({ target: 'hub', dryRun: false, wait: false, image: undefined, imagePullSecrets: undefined, force: false, output: 'text' });
});

test('--image, --image-pull-secret, --force, -o json', () => {
  expect(upgradeOptions('klusterlet', { image: 'mirror/node:24', imagePullSecret: 'regcred', force: true, output: 'json' })).toMatchObject({
    image: 'mirror/node:24',
    imagePullSecrets: ['regcred'],
    force: true,
    output: 'json',
  });
});

test('bad flags: one line each', () => {
  expect(() => upgradeOptions('hub', { dryRun: true, wait: true })).toThrow('--wait cannot be combined with --dry-run');
  expect(() => upgradeOptions('hub', { image: 'a b' })).toThrow('--image "a b" is not an image reference');
  expect(() => upgradeOptions('hub', { imagePullSecret: 'Bad_Name' })).toThrow('is not a Secret name');
  expect(() => upgradeOptions('hub', { output: 'yaml' })).toThrow('unknown output format "yaml"');
});

test('argValue reads both spellings; parseClaimsArg the claims join wrote', () => {
  const args = ['--cluster-name', 'c1', '--health-port=8001', '--cluster-claims', 'region=eu,tier=a=b'];
  expect(argValue(args, '--cluster-name')).toBe('c1');
  expect(argValue(args, '--health-port')).toBe('8001');
  expect(argValue(args, '--missing')).toBeUndefined();
  expect(parseClaimsArg(argValue(args, '--cluster-claims'))).toEqual({ region: 'eu', tier: 'a=b' });
  expect(parseClaimsArg(undefined)).toEqual({});
});
