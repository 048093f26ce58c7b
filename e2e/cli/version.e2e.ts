/**
 * `ocmadm version` on a private hub: versions always; for a reachable cluster its Kubernetes
 * version, whether it is an OCM hub and what runs the hub controller (local process, then a
 * Deployment with its image); an unreachable cluster or no kubeconfig is reported, exit 0.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, runCli } from '../support/clusters.js';
import { startFleet, type Fleet } from '../support/fleet.js';
import { errorLines, unreachableKubeconfig } from './support.js';
import { DEFAULT_IMAGE } from '../../src/install/hub/constants.js';
import { loadHubCrds } from '../../src/install/hub/plan.js';
import type { VersionResult } from '../../src/commands/version/run.js';

let fleet: Fleet;
const version = async (args: string[] = []) => {
  const r = await fleet.cli('hub', ['version', '-o', 'json', ...args]);
  if (r.code !== 0) throw new Error(`version failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as VersionResult;
};

beforeAll(async () => {
  fleet = await startFleet('version', ['hub']);
});
afterAll(async () => {
  await fleet?.stop();
});

test('a plain cluster: CLI, Node and image versions, the Kubernetes version, not an OCM hub', async () => {
  const v = await version();
  expect(v).toMatchObject({ node: expect.stringMatching(/^\d+\.\d+\.\d+$/), defaultImage: DEFAULT_IMAGE });
  expect(v.ocmadm).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
  expect(v.cluster).toMatchObject({ server: fleet.info('hub').server, reachable: true, kubernetes: fleet.info('hub').version, ocmHub: false, hubCrds: { present: 0 } });
  expect(v.cluster?.hubController).toBeUndefined();
});

test('after init --runtime local: an OCM hub whose controller is the local process, which leads', async () => {
  const init = await fleet.cli('hub', ['init', '--runtime', 'local', '--wait']);
  expect(init.code).toBe(0);
  const list = JSON.parse((await fleet.cli('hub', ['runtime', 'list', '-o', 'json'])).stdout) as { items: { kind: string; pid: number }[] };
  const pid = list.items.find((i) => i.kind === 'hub-controller')!.pid;
  const v = await version();
  expect(v.cluster).toMatchObject({ ocmHub: true, ocmOperator: false });
  expect(v.cluster!.hubCrds!.present).toBe(v.cluster!.hubCrds!.expected);
  expect(v.cluster!.hubController).toMatchObject({ runtime: 'local', local: { pid, running: true }, leader: { holder: expect.any(String) } });
  const text = await fleet.cli('hub', ['version']);
  const crds = loadHubCrds().length;
  expect(text.stdout).toMatch(new RegExp(`^ocm hub\\s+yes \\(${crds}/${crds} hub CRDs\\)$`, 'm'));
  expect(text.stdout).toMatch(new RegExp(`^hub controller\\s+local process on this machine, pid ${pid} \\(running\\)`, 'm'));
});

test('after init --runtime cluster: the Deployment and its image (pods never run here: 0 ready)', async () => {
  const init = await fleet.cli('hub', ['init', '--runtime', 'cluster', '--image', 'registry.example/ocmadm:test']);
  expect(init.code).toBe(0);
  const v = await version();
  expect(v.cluster!.hubController).toMatchObject({ runtime: 'cluster', deployment: { image: 'registry.example/ocmadm:test', replicas: 2, readyReplicas: 0 } });
  expect(v.cluster!.hubController!.local).toBeUndefined();
});

test('an unreachable API server: "not reachable", exit 0, no error line', async () => {
  const { file, url } = await unreachableKubeconfig(fleet, 'hub', path.join(fleet.stateDir, 'closed.kubeconfig'));
  const r = await runCli(['version', '--kubeconfig', file], { env: fleet.env });
  expect(r.code).toBe(0);
  expect(errorLines(r.stderr)).toEqual([]);
  expect(r.stdout).toMatch(new RegExp(`^kubernetes\\s+not reachable: .*${url.replace(/[.:/]/g, '\\$&')}.*ECONNREFUSED`, 'm'));
  const json = JSON.parse((await runCli(['version', '--kubeconfig', file, '-o', 'json'], { env: fleet.env })).stdout) as VersionResult;
  expect(json.cluster).toMatchObject({ server: url, reachable: false });
});

test('no kubeconfig at all: the versions, and a note instead of the cluster; exit 0', async () => {
  const home = fs.mkdtempSync(path.join(fleet.stateDir, 'home-'));
  const r = await runCli(['version', '-o', 'json'], { env: { ...fleet.env, KUBECONFIG: '', HOME: home } });
  expect(r.code).toBe(0);
  const v = JSON.parse(r.stdout) as VersionResult;
  expect(v.cluster).toBeNull();
  expect(v.clusterNote).toMatch(/no kubeconfig/);
});

test('-o yaml: usage error, exit 2, one line', async () => {
  const r = await fleet.cli('hub', ['version', '-o', 'yaml']);
  expect(r.code).toBe(2);
  expect(errorLines(r.stderr)).toHaveLength(1);
});
