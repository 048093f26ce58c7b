/**
 * examples/addons/hello-addon with its agent as real pods: a hub and two spokes, each with one real
 * node (started once for the suite), local runtimes; the spokes reach the hub at its node IP
 * (relayed on their nodes), so the add-on hub kubeconfig the klusterlet writes works from a pod.
 * Enable by name and by placement; the agent writes into its cluster namespace on the hub with its
 * own identity and is refused elsewhere (from the pod, and a matrix with its credentials); Available
 * follows the agent's Deployment as OCM's workload prober (a template Deployment at 0 replicas is not probed); an AddOnDeploymentConfig change rolls the agent; disable runs the
 * pre-delete Job before the work, the agent, the secret and the hub RBAC go; a cluster leaving
 * loses its add-ons.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { resourcePath, type ResourceRef } from '../../src/kube/resources.js';
import { waitForList, waitForObject } from '../../src/kube/wait.js';
import { ADDON_DEPLOYMENT_CONFIGS, ADDON_TEMPLATES, MANAGED_CLUSTERS, MANAGED_CLUSTER_ADDONS, MANIFEST_WORKS, MANAGED_CLUSTER_SET_BINDINGS, PLACEMENTS, TYPE, type ManagedClusterAddOn } from '../../src/api/index.js';
import type { Registry } from '../../src/sandbox/images/index.js';
import { startFleet, type Fleet } from '../support/fleet.js';
import { errorLines } from '../cli/support.js';
import { hubAtNodeIp, startRegistryWithImages } from '../nodes/support.js';
import { AGENT_NS, addonIdentity } from './support.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EXAMPLE = path.join(ROOT, 'examples/addons/hello-addon');
const ADDON = 'hello-addon';
const MS = 300_000;
const SPOKES = ['spoke1', 'spoke2'] as const;
type Cond = { type: string; status: string; reason: string; message?: string };
type Pod = KubeObject & { spec: { containers: Array<{ image: string; env?: Array<{ name: string; value?: string }> }>; nodeName?: string }; status?: { phase?: string } };
const cond = (a: KubeObject | undefined, type: string) => ((a?.status as { conditions?: Cond[] } | undefined)?.conditions ?? []).find((c) => c.type === type);
const mcaRef = (c: string) => ({ ...MANAGED_CLUSTER_ADDONS, namespace: c, name: ADDON });
const hubCm = (c: string) => ({ group: '', version: 'v1', resource: 'configmaps', namespace: c, name: ADDON });
const DEPLOY = { group: 'apps', version: 'v1', resource: 'deployments', namespace: AGENT_NS, name: `${ADDON}-agent` };
const until = <T extends KubeObject>(c: KubeClient, ref: ResourceRef & { name: string }, done: (o: T | undefined) => boolean, what: string) => waitForObject<T>(c, ref, done, { deadline: Date.now() + MS, what });
const available = (c: string, status: string, reason: string) =>
  until<ManagedClusterAddOn>(hub, mcaRef(c), (a) => cond(a, 'Available')?.status === status && cond(a, 'Available')?.reason === reason, `${ADDON} on ${c} Available ${status} (${reason})`);
const running = (ps: Pod[]) => ps.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp);
/** The agent's running pods once `done` holds for them (a pod still terminating is not one of them). */
const runningPods = async (c: KubeClient, what: string, done: (pods: Pod[]) => boolean) =>
  running(
    await waitForList<Pod>(c, resourcePath({ group: '', version: 'v1', resource: 'pods', namespace: AGENT_NS }), (ps) => done(running(ps)), {
      labelSelector: `app=${ADDON}-agent`,
      deadline: Date.now() + MS,
      what,
    }),
  );

let registry: Registry | undefined;
let fleet: Fleet;
let hub: KubeClient;
const spokes: Record<string, KubeClient> = {};
let hubUrl: string;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocmadm-addon-pods-'));

/** Status code of a write (201/200 allowed, 403 refused). */
async function status(p: Promise<unknown>): Promise<number> {
  return p.then(
    () => 200,
    (e: { status?: number; statusCode?: number; code?: number }) => e.status ?? e.statusCode ?? e.code ?? -1,
  );
}

beforeAll(async () => {
  registry = await startRegistryWithImages(dir);
  fleet = await startFleet('addonpods', ['hub', ...SPOKES], { nodes: { registry: registry.address } });
  hub = await fleet.client('hub');
  for (const s of SPOKES) spokes[s] = await fleet.client(s);
  hubUrl = await hubAtNodeIp(fleet.clusters.hub!, SPOKES.map((s) => fleet.clusters[s]!));

  const init = await fleet.cli('hub', ['init', '--runtime', 'local', '--wait', '-o', 'json']);
  expect(init.code).toBe(0);
  const token = (JSON.parse(init.stdout) as { 'hub-token': string })['hub-token'];
  const joins = await Promise.all(SPOKES.map((s) => fleet.cli(s, ['join', '--hub-token', token, '--hub-apiserver', hubUrl, '--cluster-name', s, '--runtime', 'local', '--wait'])));
  for (const j of joins) expect({ code: j.code, err: errorLines(j.stderr) }).toEqual({ code: 0, err: [] });
  expect((await fleet.cli('hub', ['accept', '--clusters', SPOKES.join(','), '--wait'])).code).toBe(0);

  // What the example's README says to apply on the hub, then `addon create`.
  for (const doc of yaml.loadAll(fs.readFileSync(path.join(EXAMPLE, 'hub.yaml'), 'utf8')) as KubeObject[]) {
    const [group, version] = doc.apiVersion!.includes('/') ? doc.apiVersion!.split('/') : ['', doc.apiVersion!];
    const resource = doc.kind === 'ClusterRole' ? 'clusterroles' : 'addondeploymentconfigs';
    await hub.create(resourcePath({ group: group!, version: version!, resource, namespace: doc.metadata?.namespace }), doc);
  }
  const created = await fleet.cli('hub', ['addon', 'create', '-f', path.join(EXAMPLE, 'template.yaml'), '--config', 'AddOnDeploymentConfig/default/hello-addon-config']);
  expect({ code: created.code, err: errorLines(created.stderr) }).toEqual({ code: 0, err: [] });
}, 900_000);

afterAll(async () => {
  await fleet?.stop();
  await registry?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('enable by name (spoke1), then by a placement deciding both spokes (spoke2 installed): CSR approved, secret at the klusterlet\'s hub URL, agent pod Running, Available', async () => {
  const byName = await fleet.cli('hub', ['addon', 'enable', '--names', ADDON, '--clusters', 'spoke1']);
  expect({ code: byName.code, err: errorLines(byName.stderr) }).toEqual({ code: 0, err: [] });
  await available('spoke1', 'True', 'ProbeAvailable');
  // The placement decides both spokes: spoke1 keeps its add-on (a Placements strategy removes the ones it does not decide, as OCM does), spoke2 gets one.
  await hub.create(resourcePath({ ...MANAGED_CLUSTER_SET_BINDINGS, namespace: 'default' }), { ...TYPE.managedClusterSetBinding, metadata: { name: 'global', namespace: 'default' }, spec: { clusterSet: 'global' } });
  await hub.create(resourcePath({ ...PLACEMENTS, namespace: 'default' }), {
    ...TYPE.placement,
    metadata: { name: 'hello-addon', namespace: 'default' },
    spec: { clusterSets: ['global'] },
  });
  const byPlacement = await fleet.cli('hub', ['addon', 'enable', '--names', ADDON, '--placement', 'default/hello-addon', '--wait', '-o', 'json']);
  expect({ code: byPlacement.code, err: errorLines(byPlacement.stderr) }).toEqual({ code: 0, err: [] });

  for (const s of SPOKES) {
    await available(s, 'True', 'ProbeAvailable');
    const csrs = await hub.list<KubeObject>('/apis/certificates.k8s.io/v1/certificatesigningrequests', { labelSelector: `open-cluster-management.io/addon-name=${ADDON},open-cluster-management.io/cluster-name=${s}` });
    expect(csrs.items.some((c) => JSON.stringify(c.status).includes('"Approved"'))).toBe(true);
    const { secret, client } = await addonIdentity(fleet, spokes[s]!, ADDON, MS);
    await client.close();
    expect(Buffer.from(secret.data!.kubeconfig!, 'base64').toString('utf8')).toContain(`server: ${hubUrl}`);
    const [pod] = await runningPods(spokes[s]!, `the ${ADDON} agent pod Running on ${s}`, (ps) => ps.length === 1);
    expect(pod!.spec.containers[0]!.image).toBe('node:24-bookworm-slim');
    expect(pod!.spec.nodeName).toBe(`addonpods-${s}-node`);
  }
}, 900_000);

test('the agent writes its ConfigMap in its own cluster namespace on the hub, is refused elsewhere, and renews its Lease on the spoke', async () => {
  for (const s of SPOKES) {
    const cm = await until<KubeObject & { data?: Record<string, string> }>(hub, hubCm(s), (o) => !!o?.data?.reportedAt, `the agent's ConfigMap in ${s} on the hub`);
    expect({ cluster: cm!.data!.cluster, greeting: cm!.data!.greeting, refusedElsewhere: cm!.data!.refusedElsewhere }).toEqual({ cluster: s, greeting: 'hello', refusedElsewhere: '403' });
    const lease = await until<KubeObject & { spec?: { renewTime?: string } }>(spokes[s]!, { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: AGENT_NS, name: ADDON }, (o) => !!o?.spec?.renewTime, `the agent's Lease on ${s}`);
    expect(lease).toBeDefined();
  }
  // Nothing in the other namespaces from the agent's write attempt.
  expect(await status(hub.get(resourcePath({ group: '', version: 'v1', resource: 'configmaps', namespace: 'default', name: `${ADDON}-spoke1` })))).toBe(404);
}, MS);

test("the agent's identity (the pod's credentials): its cluster namespace only, configmaps only", async () => {
  const { client } = await addonIdentity(fleet, spokes.spoke1!, ADDON, MS);
  const cmIn = (ns: string, name: string) => client.create(resourcePath({ group: '', version: 'v1', resource: 'configmaps', namespace: ns }), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
  try {
    const matrix = {
      'create configmap in spoke1': await status(cmIn('spoke1', 'matrix-own')),
      'create configmap in spoke2': await status(cmIn('spoke2', 'matrix-other')),
      'create configmap in default': await status(cmIn('default', 'matrix-default')),
      'create secret in spoke1': await status(client.create(resourcePath({ group: '', version: 'v1', resource: 'secrets', namespace: 'spoke1' }), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'matrix' } })),
      'update managedcluster spoke1': await status(client.patch(resourcePath({ ...MANAGED_CLUSTERS, name: 'spoke1' }), { metadata: { labels: { x: 'y' } } }, 'merge')),
      'create namespace': await status(client.create(resourcePath({ group: '', version: 'v1', resource: 'namespaces' }), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'matrix' } })),
      'create clusterrole': await status(client.create(resourcePath({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles' }), { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'matrix' } })),
      'delete the other agent configmap': await status(client.delete(resourcePath(hubCm('spoke2')))),
    };
    expect(matrix).toEqual({
      'create configmap in spoke1': 200,
      'create configmap in spoke2': 403,
      'create configmap in default': 403,
      'create secret in spoke1': 403,
      'update managedcluster spoke1': 403,
      'create namespace': 403,
      'create clusterrole': 403,
      'delete the other agent configmap': 403,
    });
  } finally {
    await client.close();
  }
}, MS);

test("Available follows the agent as OCM's workload prober: Unknown when its Deployment is scaled to 0 (nothing to probe), True when the template itself asks for 0 replicas (not probed), True again at 1", async () => {
  const spoke = spokes.spoke1!;
  await spoke.patch(resourcePath({ ...DEPLOY, subresource: 'scale' }), { spec: { replicas: 0 } }, 'merge');
  const a = await available('spoke1', 'Unknown', 'NoProbeResult');
  expect(cond(a, 'Available')!.message).toContain(`deployments ${AGENT_NS}/${ADDON}-agent`);
  await until(spoke, { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: AGENT_NS, name: ADDON }, (o) => !o, 'the stopped agent removed its Lease');
  // The template's Deployment at 0 replicas: OCM leaves it out of the probe, and with no other workload the add-on is available.
  const replicasInTemplate = async (n: number) => {
    const ref = { ...ADDON_TEMPLATES, name: `${ADDON}-v1` };
    const t = await hub.get<KubeObject & { spec: { agentSpec: { workload: { manifests: Array<KubeObject & { spec?: { replicas?: number } }> } } } }>(resourcePath(ref));
    t.spec.agentSpec.workload.manifests.find((m) => m.kind === 'Deployment')!.spec!.replicas = n;
    await hub.replace(resourcePath(ref), t);
  };
  await replicasInTemplate(0);
  const zero = await available('spoke1', 'True', 'ProbeAvailable');
  expect(cond(zero, 'Available')!.status).toBe('True');
  expect(running(await spoke.list<Pod>(resourcePath({ group: '', version: 'v1', resource: 'pods', namespace: AGENT_NS }), { labelSelector: `app=${ADDON}-agent` }).then((l) => l.items))).toEqual([]);
  await replicasInTemplate(1);
  await runningPods(spoke, `the ${ADDON} agent pod Running again on spoke1`, (ps) => ps.length === 1);
  await available('spoke1', 'True', 'ProbeAvailable');
}, MS);

test('an AddOnDeploymentConfig change rolls the agent: a new pod with the new greeting, written to the hub', async () => {
  const before = new Map<string, string>();
  for (const s of SPOKES) before.set(s, (await runningPods(spokes[s]!, `agent on ${s}`, (ps) => ps.length >= 1))[0]!.metadata!.name!);
  await hub.patch(resourcePath({ ...ADDON_DEPLOYMENT_CONFIGS, namespace: 'default', name: 'hello-addon-config' }), { spec: { customizedVariables: [{ name: 'GREETING', value: 'bonjour' }] } }, 'merge');
  for (const s of SPOKES) {
    const [pod] = await runningPods(spokes[s]!, `a new agent pod on ${s}`, (ps) => ps.length === 1 && ps[0]!.metadata!.name !== before.get(s));
    expect(pod!.spec.containers[0]!.env?.find((e) => e.name === 'GREETING')?.value).toBe('bonjour');
    await until<KubeObject & { data?: Record<string, string> }>(hub, hubCm(s), (o) => o?.data?.greeting === 'bonjour' && o.data.pod === pod!.metadata!.name, `the new agent's greeting in ${s} on the hub`);
  }
}, MS);

test('a cluster leaving (its ManagedCluster deleted) loses its add-on without waiting on hooks', async () => {
  await hub.delete(resourcePath({ ...MANAGED_CLUSTERS, name: 'spoke2' }));
  await until(hub, mcaRef('spoke2'), (o) => !o, 'the add-on gone from spoke2');
  await until(hub, { ...MANIFEST_WORKS, namespace: 'spoke2', name: `addon-${ADDON}-deploy-0` }, (o) => !o, 'the deploy work of spoke2 gone');
  expect(await status(hub.get(resourcePath({ ...MANIFEST_WORKS, namespace: 'spoke2', name: `addon-${ADDON}-pre-delete` })))).toBe(404);
  // spoke1's add-on is untouched.
  expect(cond(await hub.get(resourcePath(mcaRef('spoke1'))), 'Available')?.status).toBe('True');
}, MS);

test('disable (--placement): the pre-delete Job runs first (with the add-on identity), then the work, the agent, the secret and the hub RBAC go', async () => {
  const r = await fleet.cli('hub', ['addon', 'disable', '--names', ADDON, '--placement', 'default/hello-addon']);
  expect({ code: r.code, err: errorLines(r.stderr) }).toEqual({ code: 0, err: [] });
  // While the hook runs, the add-on is held by OCM's finalizer and its deploy work is still there.
  const hook = await until<KubeObject>(hub, { ...MANIFEST_WORKS, namespace: 'spoke1', name: `addon-${ADDON}-pre-delete` }, (o) => !!o, 'the pre-delete work');
  expect((hook as { spec: { workload: { manifests: KubeObject[] } } }).spec.workload.manifests.map((m) => `${m.kind}/${m.metadata?.name}`)).toEqual([`Job/${ADDON}-cleanup`]);
  const job = await until<KubeObject & { status?: { succeeded?: number } }>(spokes.spoke1!, { group: 'batch', version: 'v1', resource: 'jobs', namespace: AGENT_NS, name: `${ADDON}-cleanup` }, (o) => (o?.status?.succeeded ?? 0) >= 1, 'the pre-delete Job succeeded on spoke1');
  expect(job).toBeDefined();
  // The Job removed the agent's ConfigMap from the hub with the add-on's own identity.
  await until(hub, hubCm('spoke1'), (o) => !o, "the agent's ConfigMap removed from spoke1 on the hub by the hook");
  await until(hub, mcaRef('spoke1'), (o) => !o, 'the add-on gone from spoke1');
  for (const w of [`addon-${ADDON}-deploy-0`, `addon-${ADDON}-pre-delete`]) await until(hub, { ...MANIFEST_WORKS, namespace: 'spoke1', name: w }, (o) => !o, `work ${w} gone`);
  await until(spokes.spoke1!, DEPLOY, (o) => !o, 'the agent Deployment gone from spoke1');
  await until(spokes.spoke1!, { group: '', version: 'v1', resource: 'secrets', namespace: AGENT_NS, name: `${ADDON}-hub-kubeconfig` }, (o) => !o, 'the add-on secret gone from spoke1');
  await waitForList(hub, resourcePath({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings', namespace: 'spoke1' }), (l) => !l.some((b) => b.metadata?.name?.includes(`:${ADDON}:`)), {
    deadline: Date.now() + MS,
    what: 'the add-on RoleBinding gone from spoke1 on the hub',
  });
}, MS);
