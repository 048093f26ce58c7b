import { versionWarnings, type RuntimeVersion } from './runtimes.js';

const hub = (installed: string | undefined, pods: [string, string][]): RuntimeVersion => ({
  runtime: 'hub-controller',
  namespace: 'open-cluster-management-hub',
  installed,
  pods: pods.map(([name, version]) => ({ name, version, phase: 'Running' })),
});

test('no warning when the cluster runs this CLI\'s runtime', () => {
  expect(versionWarnings('0.1.0', [hub('0.1.0', [['a', '0.1.0'], ['b', '0.1.0']])])).toEqual([]);
});

test('a runtime older or newer than the CLI: one line saying what to run', () => {
  expect(versionWarnings('0.1.0', [hub('0.0.9', [['a', '0.0.9']])])).toEqual([
    'the hub-controller runtime in the cluster is 0.0.9, this CLI is 0.1.0: run `ocmadm upgrade hub` with the CLI you mean to keep',
  ]);
});

test('pods still on another version than their ConfigMap (a rollout in progress)', () => {
  const k: RuntimeVersion = { runtime: 'klusterlet', namespace: 'open-cluster-management-agent', installed: '0.1.0', pods: [{ name: 'k1', version: '0.0.9' }] };
  expect(versionWarnings('0.1.0', [k])).toEqual(['pod open-cluster-management-agent/k1 runs 0.0.9, not 0.1.0 (a rollout in progress?)']);
});
