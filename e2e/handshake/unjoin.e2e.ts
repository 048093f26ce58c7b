/**
 * `ocmadm unjoin` end to end on a private hub and spoke: refusals and --dry-run change nothing; a
 * real run stops the agent, handles AppliedManifestWorks by the work agent's rules, removes every
 * object join made, the namespace and the local state, and (with --hub-kubeconfig) the
 * ManagedCluster after the hub's cleanup; --orphan-workloads, stuck finalizers, something that
 * cannot be removed (exit 1), --purge, the cluster runtime, and re-joining afterwards.
 */
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import type { KubeClient } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { APPLIED_MANIFEST_WORKS, CLUSTER_CLAIMS, MANAGED_CLUSTERS, MANIFEST_WORKS, TYPE } from '../../src/api/index.js';
import { COND, FINALIZER, NS, SECRET } from '../../src/api/names.js';
import { listLocalRuntimes } from '../../src/runtime/host/index.js';
import type { UnjoinResult } from '../../src/commands/unjoin/run.js';
import { startFleet, type Fleet } from '../support/fleet.js';
import { closedPort, errorLines, serviceAccountIdentity } from '../cli/support.js';
import { condition, initHub, joinArgs, runCliOnTty, spokeSnapshot, stateFiles, until, untilCluster, worldSnapshot, type JoinToken } from './support.js';
import { configMaps, seedAppliedWork, type Seeded } from './work-seed.js';

let fleet: Fleet;
let hub: KubeClient;
let spoke: KubeClient;
let tok: JoinToken;
const hubFlag = () => ['--hub-kubeconfig', fleet.info('hub').adminKubeconfigPath];
const CRDS = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' };
const nsRef = { group: '', version: 'v1', resource: 'namespaces', name: NS.agent };

beforeAll(async () => {
  fleet = await startFleet('unjoin', ['hub', 'spoke1']);
  [hub, spoke] = await Promise.all([fleet.client('hub'), fleet.client('spoke1')]);
  tok = await initHub(fleet);
});
afterAll(() => fleet?.stop());

/** One kubeconfig holding every context of the files (the first file's context is current). */
function mergedKubeconfig(files: string[]): string {
  const docs = files.map((f) => yaml.load(fs.readFileSync(f, 'utf8')) as Record<string, unknown[]>);
  const all = (k: string) => docs.flatMap((d) => d[k] ?? []);
  return yaml.dump({ apiVersion: 'v1', kind: 'Config', clusters: all('clusters'), users: all('users'), contexts: all('contexts'), 'current-context': docs[0]!['current-context'] });
}

async function joinAccepted(name: string): Promise<void> {
  const j = await fleet.cli('spoke1', joinArgs(tok, name, '--wait'));
  expect({ code: j.code, stderr: j.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  const a = await fleet.cli('hub', ['accept', '--clusters', name, '--wait']);
  expect({ code: a.code, stdout: a.stdout }).toEqual({ code: 0, stdout: expect.any(String) });
}

const unjoin = async (...args: string[]) => {
  const r = await fleet.cli('spoke1', ['unjoin', ...args]);
  return { ...r, json: args.includes('json') && r.code !== 2 && r.stdout ? (JSON.parse(r.stdout) as UnjoinResult) : undefined };
};
const runningAgents = () => listLocalRuntimes('klusterlet', fleet.env).filter((r) => r.running).map((r) => r.instance.split('.')[0]);
const exists = (ref: Parameters<typeof resourcePath>[0]) => spoke.get(resourcePath(ref)).then(() => true, () => false);

describe('a joined, accepted spoke with applied work', () => {
  let seeded: Seeded;
  beforeAll(async () => {
    await joinAccepted('u1');
    seeded = await seedAppliedWork(spoke, hub, 'u1', tok.server, 'w1');
    await spoke.create(resourcePath(CLUSTER_CLAIMS), { ...TYPE.clusterClaim, metadata: { name: 'users.example.com' }, spec: { value: 'mine' } });
  });

  test('refusals: no TTY without --yes (2), bad name (2), another name (1), unreachable hub (1), no rights (1); nothing changes', async () => {
    const viewer = await serviceAccountIdentity(fleet, 'spoke1', spoke, 'default', 'viewer', 'view');
    const before = await worldSnapshot(fleet, spoke, hub);
    const cases: [string[], number, RegExp][] = [
      [['--cluster-name', 'u1'], 2, /pass --yes to confirm when not on a terminal/],
      [['--cluster-name', 'U_1', '--yes'], 2, /not a DNS-1123 label/],
      [['--cluster-name', 'u2', '--yes'], 1, /this spoke is joined as u1, not u2: run `ocmadm unjoin --cluster-name u1`/],
      [['--cluster-name', 'u1', '--yes', '--hub-kubeconfig', '/nonexistent'], 1, /--hub-kubeconfig \/nonexistent does not exist/],
    ];
    for (const [args, code, msg] of cases) {
      const r = await unjoin(...args);
      expect({ args, code: r.code, errors: errorLines(r.stderr) }).toEqual({ args, code, errors: [expect.stringMatching(msg)] });
    }
    const url = `https://127.0.0.1:${await closedPort()}`;
    const file = `${fleet.stateDir}/down.kubeconfig`;
    fs.writeFileSync(file, fs.readFileSync(fleet.info('hub').adminKubeconfigPath, 'utf8').replace(fleet.info('hub').server, url));
    const down = await unjoin('--cluster-name', 'u1', '--yes', '--hub-kubeconfig', file);
    expect({ code: down.code, errors: errorLines(down.stderr) }).toEqual({ code: 1, errors: [expect.stringMatching(new RegExp(`cannot reach the hub .*${url}.*ECONNREFUSED`))] });
    const weak = await fleet.cli('spoke1', ['unjoin', '--cluster-name', 'u1', '--yes', '--kubeconfig', viewer.kubeconfigFile]);
    await viewer.client.close();
    expect({ code: weak.code, errors: errorLines(weak.stderr) }).toEqual({ code: 1, errors: [expect.stringMatching(/system:serviceaccount:default:viewer.*unjoin needs a spoke administrator's kubeconfig/)] });
    expect(await worldSnapshot(fleet, spoke, hub)).toEqual(before);
    expect(runningAgents()).toEqual(['u1']);
  });

  test('on a terminal without --yes it asks first; "no" changes nothing and exits 1', async () => {
    const before = await worldSnapshot(fleet, spoke, hub);
    const r = await runCliOnTty(fleet, 'spoke1', ['unjoin', '--cluster-name', 'u1'], /Unjoin u1 from/, 'n');
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/remove 1 agent, 1 applied workload, 1\s+AppliedManifestWork, \d+ objects/);
    expect(r.output).toContain('not confirmed: nothing changed');
    expect(await worldSnapshot(fleet, spoke, hub)).toEqual(before);
  });

  test('--dry-run lists every step (-o json) and changes nothing', async () => {
    const before = await worldSnapshot(fleet, spoke, hub);
    const r = await unjoin('--cluster-name', 'u1', '--dry-run', '-o', 'json', ...hubFlag());
    expect(r.code).toBe(0);
    const what = Object.fromEntries(r.json!.steps.map((s) => [s.what, s.outcome]));
    expect(what).toMatchObject({
      [`configmaps app/w1-owned`]: 'would-delete',
      [`configmaps app/w1-orphaned`]: 'would-keep',
      [`configmaps app/w1-shared`]: 'would-release',
      [`AppliedManifestWork ${seeded.work}`]: 'would-delete',
      [`Secret ${NS.agent}/${SECRET.bootstrapHubKubeconfig}`]: 'would-delete',
      [`Secret ${NS.agent}/${SECRET.hubKubeconfig}`]: 'would-delete',
      [`Namespace ${NS.agent}`]: 'would-delete',
      'ClusterClaim id.k8s.io': 'would-delete',
      'CustomResourceDefinition appliedmanifestworks.work.open-cluster-management.io': 'would-keep',
    });
    expect(Object.keys(what)).not.toContain('ClusterClaim users.example.com');
    expect(r.json!.hub).toMatchObject({ managedCluster: 'present', outcome: 'would-delete' });
    const text = await unjoin('--cluster-name', 'u1', '--dry-run');
    expect(text.stdout).toMatch(/^Dry run: nothing was changed/);
    expect(await worldSnapshot(fleet, spoke, hub)).toEqual(before);
  });

  test('--yes --hub-kubeconfig: removes everything join made, the workloads it owned, and the ManagedCluster', async () => {
    const t0 = Date.now();
    const r = await unjoin('--cluster-name', 'u1', '--yes', '-o', 'json', ...hubFlag());
    const slow = (r.json?.steps ?? []).filter((s) => s.seconds).map((s) => `${s.what} ${s.seconds} s`);
    process.stderr.write(`e2e: ocmadm unjoin --hub-kubeconfig took ${Date.now() - t0} ms (unjoin's own clock ${r.json?.elapsedSeconds} s; ${slow.join(', ')}; hub cleanup ${r.json?.hub?.seconds} s)\n`);
    expect({ code: r.code, left: r.json?.left }).toEqual({ code: 0, left: [] });
    expect(runningAgents()).toEqual([]);
    expect(stateFiles(fleet).filter((f) => f.startsWith('klusterlet/'))).toEqual([]);
    expect(await configMaps(spoke, 'w1')).toEqual({ owned: undefined, orphaned: [], shared: [expect.any(String)] });
    expect((await configMaps(spoke, 'w1')).shared).not.toContain(seeded.workUid);
    expect(await exists({ ...APPLIED_MANIFEST_WORKS, name: seeded.work })).toBe(false);
    expect(await exists(nsRef)).toBe(false);
    expect(await exists({ ...CLUSTER_CLAIMS, name: 'id.k8s.io' })).toBe(false);
    expect(await exists({ ...CLUSTER_CLAIMS, name: 'users.example.com' })).toBe(true);
    expect(await exists({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', name: 'open-cluster-management:klusterlet-agent' })).toBe(false);
    expect(await exists({ ...CRDS, name: 'appliedmanifestworks.work.open-cluster-management.io' })).toBe(true);
    expect(await hub.get(resourcePath({ ...MANAGED_CLUSTERS, name: 'u1' })).then(() => 'present', () => 'gone')).toBe('gone');
    expect(r.json!.hub).toMatchObject({ outcome: 'deleted', releasedWorks: ['w1'] });
  });

  test('a second run finds nothing to remove and exits 0', async () => {
    const r = await unjoin('--cluster-name', 'u1', '--yes');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Nothing to remove/);
  });

  test('re-joining after unjoin works: Joined and Available again', async () => {
    await joinAccepted('u1');
    const mc = await untilCluster(hub, 'u1', (o) => condition(o, COND.cluster.available) === 'True', 'Available again');
    expect(condition(mc, COND.cluster.joined)).toBe('True');
  });
});

describe('flags of a real run', () => {
  test('--orphan-workloads keeps every workload (owner reference removed); a stuck finalizer is stripped after its grace, and said', async () => {
    const seeded = await seedAppliedWork(spoke, hub, 'u1', tok.server, 'w2', ['e2e.ocmadm.io/stuck']);
    const r = await unjoin('--cluster-name', 'u1', '--yes', '--orphan-workloads', '--timeout', '15');
    expect(r.code).toBe(0);
    const cms = await configMaps(spoke, 'w2');
    expect(cms.owned).toEqual([]);
    expect(cms.shared).toHaveLength(1);
    expect(cms.shared).not.toContain(seeded.workUid);
    expect(r.stdout).toMatch(/Warning: AppliedManifestWork \S+: finalizers e2e\.ocmadm\.io\/stuck still there after 5 s: removed them/);
    expect(await exists({ ...APPLIED_MANIFEST_WORKS, name: seeded.work })).toBe(false);
  });

  test('something that cannot be removed is named, and the exit code is 1; a later run finishes the job', async () => {
    await joinAccepted('u1');
    const cm = { group: '', version: 'v1', resource: 'configmaps', namespace: NS.agent, name: 'pinned' };
    await spoke.create(resourcePath({ ...cm, name: undefined }), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pinned', finalizers: ['e2e.ocmadm.io/pin'] } });
    const r = await unjoin('--cluster-name', 'u1', '--yes', '--timeout', '10');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`Left behind \\(exit 1\\):\\n  - Namespace ${NS.agent}: still Terminating: .*e2e\\.ocmadm\\.io/pin`));
    await spoke.patch(resourcePath(cm), { metadata: { finalizers: null } }, 'merge');
    await until(spoke, nsRef, (o) => o === undefined, 'agent namespace gone');
    // The second run finishes, and --hub-context (a context of the same kubeconfig) removes u1 from the hub.
    const both = path.join(fleet.stateDir, 'both.kubeconfig');
    fs.writeFileSync(both, mergedKubeconfig([fleet.info('spoke1').adminKubeconfigPath, fleet.info('hub').adminKubeconfigPath]), { mode: 0o600 });
    const hubContext = (yaml.load(fs.readFileSync(fleet.info('hub').adminKubeconfigPath, 'utf8')) as { 'current-context': string })['current-context'];
    const again = await fleet.cli('spoke1', ['unjoin', '--cluster-name', 'u1', '--yes', '--kubeconfig', both, '--hub-context', hubContext, '-o', 'json']);
    expect({ code: again.code, hub: (JSON.parse(again.stdout) as UnjoinResult).hub?.outcome }).toEqual({ code: 0, hub: 'deleted' });
    expect(await hub.get(resourcePath({ ...MANAGED_CLUSTERS, name: 'u1' })).then(() => 'present', () => 'gone')).toBe('gone');
  });

  test('--purge also removes the spoke CRDs', async () => {
    const j = await fleet.cli('spoke1', joinArgs(tok, 'u1'));
    expect(j.code).toBe(0);
    const r = await unjoin('--cluster-name', 'u1', '--yes', '--purge', '-o', 'json');
    expect({ code: r.code, left: r.json?.left }).toEqual({ code: 0, left: [] });
    for (const name of ['appliedmanifestworks.work.open-cluster-management.io', 'clusterclaims.cluster.open-cluster-management.io']) {
      expect({ name, exists: await exists({ ...CRDS, name }) }).toEqual({ name, exists: false });
    }
  });

  test("--hub-kubeconfig never deletes a ManagedCluster of the same name registered by another spoke", async () => {
    await hub.create(resourcePath(MANAGED_CLUSTERS), {
      ...TYPE.managedCluster,
      metadata: { name: 'twin' },
      spec: { hubAcceptsClient: false, managedClusterClientConfigs: [{ url: 'https://elsewhere.example:6443' }] },
    });
    const j = await fleet.cli('spoke1', joinArgs(tok, 'twin', '--wait'));
    expect(j.code).toBe(0);
    await untilCluster(hub, 'twin', (o) => (o?.spec?.taints ?? []).length > 0, 'tainted by the hub controller');
    const before = await worldSnapshot(fleet, spoke, hub);
    const r = await unjoin('--cluster-name', 'twin', '--yes', ...hubFlag());
    expect({ code: r.code, errors: errorLines(r.stderr) }).toEqual({ code: 1, errors: [expect.stringMatching(/ManagedCluster twin on the hub .* belongs to another spoke \(API server https:\/\/elsewhere\.example:6443; this spoke is .*not deleting it/)] });
    expect((await worldSnapshot(fleet, spoke, hub)).hub).toEqual(before.hub);
    expect(runningAgents()).toEqual(['twin']);
    expect((await unjoin('--cluster-name', 'twin', '--yes')).code).toBe(0); // the spoke alone
  });

  test('the cluster runtime: the klusterlet Deployment is deleted; nothing of the klusterlet stays', async () => {
    const j = await fleet.cli('spoke1', [...joinArgs(tok, 'u3').filter((a) => a !== 'local' && a !== '--runtime'), '--runtime', 'cluster']);
    expect(j.code).toBe(0);
    const deployment = { group: 'apps', version: 'v1', resource: 'deployments', namespace: NS.agent, name: 'klusterlet-agent' };
    expect(await exists(deployment)).toBe(true);
    const r = await unjoin('--cluster-name', 'u3', '--yes', '-o', 'json');
    expect({ code: r.code, left: r.json?.left }).toEqual({ code: 0, left: [] });
    expect(r.json!.steps.find((s) => s.what === `Deployment ${NS.agent}/klusterlet-agent`)).toMatchObject({ outcome: 'deleted' });
    expect(await exists(deployment)).toBe(false);
    expect((await spokeSnapshot(spoke)).filter((s) => s.includes(NS.agent) || s.includes('klusterlet'))).toEqual([]);
  });
});
