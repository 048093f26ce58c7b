import { upgradeText } from './render.js';
import { rolledTo } from './wait.js';
import type { UpgradeResult } from './run.js';

const base: UpgradeResult = {
  target: 'hub',
  runtime: 'hub-controller',
  server: 'https://h:6443',
  state: 'planned',
  from: { version: '0.0.9', sha256: 'a', image: 'node:24-bookworm-slim' },
  to: { version: '0.1.0', sha256: 'b', image: 'node:24-bookworm-slim' },
  downgrade: false,
  changed: [
    { kind: 'ConfigMap', namespace: 'ns', name: 'ocmadm-hub-controller-runtime', change: 'update' },
    { kind: 'Deployment', namespace: 'ns', name: 'ocmadm-hub-controller', change: 'update' },
  ],
  unchanged: 40,
};

test('--dry-run: from → to, the objects that would be replaced, nothing changed', () => {
  expect(upgradeText(base)).toBe(
    [
      'Dry run: would upgrade the hub-controller runtime on https://h:6443 from 0.0.9 to 0.1.0 (image node:24-bookworm-slim).',
      'Objects that would be replaced:',
      '  replace ConfigMap ns/ocmadm-hub-controller-runtime',
      '  replace Deployment ns/ocmadm-hub-controller',
      '40 other object(s) are already as this ocmadm ships them.',
      'Nothing was changed.',
      '',
    ].join('\n'),
  );
});

test('up to date; upgraded with --wait', () => {
  expect(upgradeText({ ...base, state: 'up-to-date', changed: [] })).toBe('the hub-controller runtime on https://h:6443 is up to date (0.1.0, image node:24-bookworm-slim); nothing was changed.\n');
  expect(upgradeText({ ...base, state: 'upgraded', rolled: { pods: ['p1', 'p2'], leader: 'p2', seconds: 21.5 } })).toContain('Pods rolled in 21.5 s: p1, p2 (leader p2).');
});

test('rolledTo: exactly the replicas, all of the new bundle, Ready, none terminating', () => {
  const pod = (sha: string, ready = true, deleting = false) => ({
    metadata: { name: sha, annotations: { 'ocmadm.io/runtime-sha256': sha }, ...(deleting ? { deletionTimestamp: 'now' } : {}) },
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });
  expect(rolledTo([pod('b'), pod('b')], 'b', 2)).toBe(true);
  expect(rolledTo([pod('b'), pod('a')], 'b', 2)).toBe(false);
  expect(rolledTo([pod('b'), pod('b'), pod('a', true, true)], 'b', 2)).toBe(false);
  expect(rolledTo([pod('b'), pod('b', false)], 'b', 2)).toBe(false);
  expect(rolledTo([pod('b', true, true)], 'b', 1)).toBe(false);
});
