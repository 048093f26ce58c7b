/**
 * `ocmadm upgrade` on clusters with real nodes: a hub and a spoke installed by init and join with
 * a runtime built as 0.0.9 (OCMADM_RUNTIME_BUNDLES), works in place on the spoke, then `upgrade
 * hub --wait` and `upgrade klusterlet --wait` with this CLI. The pods roll, the ManagedCluster's
 * Available condition is watched the whole time and never leaves True, every applied object on
 * the spoke is the same object at the same resourceVersion, no work is deleted or orphaned, and
 * a work deployed afterwards applies. Also: --dry-run writes nothing, an up-to-date runtime is
 * left alone, nothing installed is exit 1, a downgrade is refused unless --force.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import type { LocalCluster } from '../../src/sandbox/cluster.js';
import type { Registry } from '../../src/sandbox/images/index.js';
import { clientOf, deploymentAvailable, hubAtNodeIp, startNodeClusters, startRegistryWithImages, tearDownNodeSuite, waitFor } from '../nodes/support.js';
import { ROOT, condition, managedVersions, ocmadm, ok, snapshot, watchAvailable, type Snapshot } from './support.js';

const OLD = '0.0.9';
const NEW = (JSON.parse(fs.readFileSync(path.join(ROOT, 'dist/bundles/manifest.json'), 'utf8')) as { version: string }).version;
const CLUSTER = 'upg-spoke';
const HUB_NS = 'open-cluster-management-hub';
const AGENT_NS = 'open-cluster-management-agent';
const HUB_PODS = 'app=ocmadm-hub-controller';
const AGENT_PODS = 'app.kubernetes.io/name=klusterlet-agent';
const HUB_COLLECTIONS = ['/api/v1/configmaps', '/apis/apps/v1/deployments', '/apis/rbac.authorization.k8s.io/v1/clusterroles', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings'];
const SPOKE_COLLECTIONS = HUB_COLLECTIONS;

type Pod = KubeObject & { metadata: { name: string; annotations?: Record<string, string> } };
const podsOf = async (c: KubeClient, ns: string, selector: string) => (await c.list<Pod>(`/api/v1/namespaces/${ns}/pods`, { labelSelector: selector })).items as Pod[];
const versionOf = (p: Pod) => p.metadata.annotations?.['ocmadm.io/runtime-version'];

/** The spoke objects the works applied. */
const APPLIED = [
  '/api/v1/namespaces/hello',
  '/api/v1/namespaces/hello/configmaps/hello-config',
  '/apis/apps/v1/namespaces/hello/deployments/hello',
  '/api/v1/namespaces/default/configmaps/upgrade-check',
];
const WORKS = `/apis/work.open-cluster-management.io/v1/namespaces/${CLUSTER}/manifestworks`;
const APPLIED_WORKS = '/apis/work.open-cluster-management.io/v1/appliedmanifestworks';

describe('ocmadm upgrade on real nodes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocmadm-upgrade-'));
  const oldBundles = path.join(dir, 'bundles-0.0.9');
  let registry: Registry | undefined;
  let hub: LocalCluster;
  let spoke: LocalCluster;
  let hc: KubeClient;
  let sc: KubeClient;
  let hubKubeconfig: string;
  let join: string[];

  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-runtimes.mjs'), '--out', oldBundles, '--version', OLD], { stdio: 'pipe' });
    registry = await startRegistryWithImages(dir);
    [hub, spoke] = (await startNodeClusters(['upg-hub', CLUSTER], dir, registry)) as [LocalCluster, LocalCluster];
    hc = await clientOf(hub);
    sc = await clientOf(spoke);
    hubKubeconfig = path.join(dir, 'hub-at-node-ip.kubeconfig');
    await hubAtNodeIp(hub, [spoke], hubKubeconfig);
  }, 900_000);

  afterAll(() => tearDownNodeSuite(dir, [hc, sc], [hub, spoke, registry]));

  it(`init, join and accept with the ${OLD} runtime; hello and a ConfigMap deployed`, async () => {
    const init = JSON.parse(await ok(['init', '--wait', '-o', 'json'], hubKubeconfig, oldBundles)) as { 'hub-token': string; 'hub-apiserver': string };
    join = ['join', '--hub-token', init['hub-token'], '--hub-apiserver', init['hub-apiserver'], '--cluster-name', CLUSTER];
    await ok([...join, '--wait'], spoke.adminKubeconfigPath, oldBundles);
    await ok(['accept', '--clusters', CLUSTER, '--wait'], hubKubeconfig);
    expect((await podsOf(hc, HUB_NS, HUB_PODS)).map(versionOf)).toEqual([OLD, OLD]);
    expect((await podsOf(sc, AGENT_NS, AGENT_PODS)).map(versionOf)).toEqual([OLD]);

    await ok(['deploy', 'hello', '-f', path.join(ROOT, 'examples/hello'), '--clusters', CLUSTER, '--wait'], hubKubeconfig);
    const cmDir = path.join(dir, 'cm');
    fs.mkdirSync(cmDir);
    fs.writeFileSync(path.join(cmDir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: upgrade-check\n  namespace: default\ndata:\n  k: v\n');
    await ok(['deploy', 'upgrade-check', '-f', cmDir, '--clusters', CLUSTER, '--wait'], hubKubeconfig);
    await waitFor(sc, { group: 'apps', version: 'v1', resource: 'deployments', namespace: 'hello', name: 'hello' }, deploymentAvailable, 'hello Available on the spoke', 300_000);
  }, 900_000);

  it('upgrade --dry-run: from → to and the objects it would replace, nothing written; nothing installed: exit 1', async () => {
    const hubBefore = await managedVersions(hc, HUB_COLLECTIONS);
    const spokeBefore = await managedVersions(sc, SPOKE_COLLECTIONS);
    const h = JSON.parse(await ok(['upgrade', 'clustermanager', '--dry-run', '-o', 'json'], hubKubeconfig)) as { state: string; from: { version: string }; to: { version: string }; changed: { kind: string; name: string }[] };
    expect({ state: h.state, from: h.from.version, to: h.to.version }).toEqual({ state: 'planned', from: OLD, to: NEW });
    expect(h.changed.map((c) => `${c.kind} ${c.name}`)).toEqual(expect.arrayContaining(['ConfigMap ocmadm-hub-controller-runtime', 'Deployment ocmadm-hub-controller']));
    const k = await ok(['upgrade', 'klusterlet', '--dry-run'], spoke.adminKubeconfigPath);
    expect(k).toContain(`Dry run: would upgrade the klusterlet runtime on ${spoke.server} from ${OLD} to ${NEW}`);
    expect(k).toMatch(/replace Deployment open-cluster-management-agent\/klusterlet-agent\n/);
    expect(k).toContain('Nothing was changed.');
    expect(await managedVersions(hc, HUB_COLLECTIONS)).toEqual(hubBefore);
    expect(await managedVersions(sc, SPOKE_COLLECTIONS)).toEqual(spokeBefore);

    const none = await ocmadm(['upgrade', 'klusterlet'], hubKubeconfig);
    // Progress lines may come first on stderr; the error is the last line, and one line.
    expect({ code: none.code, stderr: none.stderr.trim().split('\n').at(-1) }).toEqual({
      code: 1,
      stderr: expect.stringMatching(/^Error: no klusterlet found on \S+ \(no Deployment open-cluster-management-agent\/klusterlet-agent\): run ocmadm join/),
    });
    expect(none.stderr).not.toMatch(/\n\s+at /);
  }, 300_000);

  it('upgrade hub --wait and klusterlet --wait: pods roll, Available stays True, works untouched, a new work applies', async () => {
    // Before: every applied object, the AppliedManifestWorks and the works' conditions.
    const objects = new Map<string, Snapshot>();
    for (const p of APPLIED) objects.set(p, snapshot(await sc.get(p)));
    const applied = (await sc.list(APPLIED_WORKS)).items.map(snapshot);
    const works = async () =>
      Object.fromEntries((await hc.list(WORKS)).items.map((w) => [w.metadata!.name!, ((w as { status?: { conditions?: unknown[] } }).status?.conditions ?? []) as { type: string; status: string; lastTransitionTime: string }[]]).map(([n, cs]) => [n, (cs as { type: string; status: string; lastTransitionTime: string }[]).map((c) => `${c.type}=${c.status}@${c.lastTransitionTime}`).sort()]));
    const worksBefore = await works();
    expect(Object.keys(worksBefore).sort()).toEqual(['hello', 'upgrade-check']);
    const mc = await hc.get(`/apis/cluster.open-cluster-management.io/v1/managedclusters/${CLUSTER}`);
    const availableBefore = condition(mc, 'ManagedClusterConditionAvailable');
    expect(availableBefore?.status).toBe('True');
    // version, before: the older runtime on each cluster is named, with the command that fixes it.
    for (const [kc, runtime, fix] of [[hubKubeconfig, 'hub-controller', 'hub'], [spoke.adminKubeconfigPath, 'klusterlet', 'klusterlet']] as const) {
      const v = JSON.parse((await ocmadm(['version', '-o', 'json'], kc)).stdout) as { warnings: string[] };
      expect(v.warnings).toContain(`the ${runtime} runtime in the cluster is ${OLD}, this CLI is ${NEW}: run \`ocmadm upgrade ${fix}\` with the CLI you mean to keep`);
    }
    const oldHub = (await podsOf(hc, HUB_NS, HUB_PODS)).map((p) => p.metadata.name);
    const oldAgent = (await podsOf(sc, AGENT_NS, AGENT_PODS)).map((p) => p.metadata.name);

    const watch = watchAvailable(hc, CLUSTER);
    let h: { state: string; from: { version: string }; to: { version: string }; rolled: { pods: string[]; leader: string; seconds: number } };
    let k: typeof h;
    try {
      h = JSON.parse(await ok(['upgrade', 'hub', '--wait', '-o', 'json'], hubKubeconfig));
      k = JSON.parse(await ok(['upgrade', 'klusterlet', '--wait', '-o', 'json'], spoke.adminKubeconfigPath));
      // A work deployed after the upgrade is applied by the new agent.
      const d2 = path.join(dir, 'cm-after');
      fs.mkdirSync(d2);
      fs.writeFileSync(path.join(d2, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: after-upgrade\n  namespace: default\ndata:\n  k: v\n');
      await ok(['deploy', 'after-upgrade', '-f', d2, '--clusters', CLUSTER, '--wait'], hubKubeconfig);
      await waitFor(sc, { group: '', version: 'v1', resource: 'configmaps', namespace: 'default', name: 'after-upgrade' }, (o) => !!o, 'the new work applied on the spoke', 120_000);
    } finally {
      await watch.stop();
    }
    process.stdout.write(`upgrade roll: hub ${h!.rolled.seconds} s, klusterlet ${k!.rolled.seconds} s; load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);

    // The pods rolled: new ones carry the new runtime, the old ones are gone; a new hub pod leads.
    expect({ state: h!.state, from: h!.from.version, to: h!.to.version }).toEqual({ state: 'upgraded', from: OLD, to: NEW });
    expect({ state: k!.state, from: k!.from.version, to: k!.to.version }).toEqual({ state: 'upgraded', from: OLD, to: NEW });
    const hubPods = await podsOf(hc, HUB_NS, HUB_PODS);
    expect(hubPods.map(versionOf)).toEqual([NEW, NEW]);
    expect(hubPods.map((p) => p.metadata.name).filter((n) => oldHub.includes(n))).toEqual([]);
    expect(hubPods.map((p) => p.metadata.name)).toContain(h!.rolled.leader);
    const agentPods = await podsOf(sc, AGENT_NS, AGENT_PODS);
    expect(agentPods.map(versionOf)).toEqual([NEW]);
    expect(agentPods.map((p) => p.metadata.name).filter((n) => oldAgent.includes(n))).toEqual([]);

    // Available was True at every event of the watch, and never transitioned.
    expect(watch.seen.length).toBeGreaterThan(0);
    expect(watch.seen.filter((s) => s.status !== 'True' || s.lastTransitionTime !== availableBefore!.lastTransitionTime)).toEqual([]);

    // The same objects, not rewritten; no AppliedManifestWork gone or new but the new work's; conditions as they were.
    for (const [p, before] of objects) expect({ p, ...snapshot(await sc.get(p)) }).toEqual({ p, ...before });
    const appliedAfter = (await sc.list(APPLIED_WORKS)).items.map(snapshot);
    expect(appliedAfter.filter((a) => applied.some((b) => b.uid === a.uid))).toEqual(applied);
    expect(appliedAfter).toHaveLength(applied.length + 1);
    const worksAfter = await works();
    expect({ hello: worksAfter.hello, 'upgrade-check': worksAfter['upgrade-check'] }).toEqual(worksBefore);

    // version: the new runtime everywhere, no mismatch warning.
    for (const kc of [hubKubeconfig, spoke.adminKubeconfigPath]) {
      const r = await ocmadm(['version', '-o', 'json'], kc);
      const v = JSON.parse(r.stdout) as { warnings: string[]; cluster: { runtimes: { installed: string; pods: { version: string }[] }[] } };
      expect(v.warnings).toEqual([]);
      expect(v.cluster.runtimes).toHaveLength(1);
      expect(v.cluster.runtimes.map((x) => [x.installed, ...x.pods.map((p) => p.version)]).flat().every((x) => x === NEW)).toBe(true);
    }

    // Up to date now: exit 0, nothing written.
    const before = await managedVersions(hc, HUB_COLLECTIONS);
    expect(await ok(['upgrade', 'hub'], hubKubeconfig)).toMatch(new RegExp(`is up to date \\(${NEW.replaceAll('.', '\\.')}, image`));
    expect(await managedVersions(hc, HUB_COLLECTIONS)).toEqual(before);
  }, 900_000);

  it(`a downgrade (the CLI with the ${OLD} bundle) is refused by upgrade, init and join, nothing changed; --force goes through`, async () => {
    const hubBefore = await managedVersions(hc, HUB_COLLECTIONS);
    const spokeBefore = await managedVersions(sc, SPOKE_COLLECTIONS);
    const line = (where: string, kind: string) => new RegExp(`^Error: ${where} runs the ${kind} runtime ${NEW.replaceAll('.', '\\.')}, newer than the ${OLD.replaceAll('.', '\\.')} this ocmadm carries: use ocmadm \\S+ or newer, or pass --force to downgrade; nothing was changed$`);
    for (const [args, kc, re] of [
      [['upgrade', 'hub'], hubKubeconfig, line('the hub \\S+', 'hub-controller')],
      [['init'], hubKubeconfig, line('the hub \\S+', 'hub-controller')],
      [['upgrade', 'klusterlet'], spoke.adminKubeconfigPath, line('the spoke \\S+', 'klusterlet')],
      [join, spoke.adminKubeconfigPath, line('the spoke \\S+', 'klusterlet')],
    ] as const) {
      const r = await ocmadm([...args], kc, oldBundles);
      expect({ args: args.slice(0, 2), code: r.code, stderr: r.stderr.trim().split('\n').at(-1) }).toEqual({ args: args.slice(0, 2), code: 1, stderr: expect.stringMatching(re) });
    }
    expect(await managedVersions(hc, HUB_COLLECTIONS)).toEqual(hubBefore);
    expect(await managedVersions(sc, SPOKE_COLLECTIONS)).toEqual(spokeBefore);

    const forced = JSON.parse(await ok(['upgrade', 'hub', '--force', '--wait', '-o', 'json'], hubKubeconfig, oldBundles)) as { state: string; downgrade: boolean; to: { version: string } };
    expect(forced).toMatchObject({ state: 'upgraded', downgrade: true, to: { version: OLD } });
    expect((await podsOf(hc, HUB_NS, HUB_PODS)).map(versionOf)).toEqual([OLD, OLD]);
  }, 600_000);
});
