/**
 * The add-on framework end to end on real control planes: a hub made by `init`, two spokes joined
 * and accepted (local runtimes: real hub controller, registration, work and add-on agents).
 * Bad input writes nothing; `addon create` a template add-on; enable by cluster name (the work
 * `addon-<name>-deploy-0`, rendered variables on the spoke, the add-on CSR approved, the
 * `<addon>-hub-kubeconfig` secret, the identity's hub permissions exactly the template's);
 * enable by placement with --wait; an AddOnDeploymentConfig change re-renders; disable removes
 * work, agent objects, secret and hub RBAC; a cluster leaving loses its add-ons; a template
 * shaped like OCM's own is accepted as is. No pods run here (no nodes): Available is asserted only
 * for an add-on without workloads; the rest is what the control planes hold.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { getOrUndefined, resourcePath } from '../../src/kube/resources.js';
import { waitForList, waitForObject } from '../../src/kube/wait.js';
import {
  ADDON_DEPLOYMENT_CONFIGS,
  ADDON_TEMPLATES,
  CLUSTER_MANAGEMENT_ADDONS,
  MANAGED_CLUSTERS,
  MANAGED_CLUSTER_ADDONS,
  MANIFEST_WORKS,
  PLACEMENTS,
  MANAGED_CLUSTER_SET_BINDINGS,
  TYPE,
  type ManagedClusterAddOn,
} from '../../src/api/index.js';
import { canonicalJson } from '../../src/runtime/hub/addon-configs.js';
import { microTime } from '../../src/runtime/core/leader.js';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createCertificateAuthority } from '../../src/sandbox/pki.js';
import { startFleet, type Fleet } from '../support/fleet.js';
import { errorLines } from '../cli/support.js';
import { AGENT_NS, addonIdentity, can, ocmShapedTemplate, writeYaml } from './support.js';

let fleet: Fleet;
let hub: KubeClient;
const spokes: Record<string, KubeClient> = {};
let dir: string;
const MS = 120_000;
const RBAC = { group: 'rbac.authorization.k8s.io', version: 'v1' };
const cm = (ns: string, name: string) => ({ group: '', version: 'v1', resource: 'configmaps', namespace: ns, name });
const mcaRef = (c: string, n: string) => ({ ...MANAGED_CLUSTER_ADDONS, namespace: c, name: n });
const cond = (a: KubeObject | undefined, type: string) => ((a?.status as { conditions?: { type: string; status: string; reason: string }[] } | undefined)?.conditions ?? []).find((c) => c.type === type);
const until = <T extends KubeObject>(c: KubeClient, ref: Parameters<typeof waitForObject>[1], done: (o: T | undefined) => boolean, what: string) =>
  waitForObject<T>(c, ref, done, { deadline: Date.now() + MS, what });

/** Our demo add-on: a ConfigMap rendered with variables, a Deployment; hub rights on configmaps in its cluster namespace and reads in `demo-shared`. */
const DEMO = {
  apiVersion: 'addon.open-cluster-management.io/v1alpha1',
  kind: 'AddOnTemplate',
  metadata: { name: 'demo-v1' },
  spec: {
    addonName: 'demo',
    agentSpec: {
      workload: {
        manifests: [
          { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'demo-settings', namespace: AGENT_NS }, data: { cluster: '{{CLUSTER_NAME}}', level: '{{LOG_LEVEL}}', kubeconfig: '{{HUB_KUBECONFIG}}' } },
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'demo-agent', namespace: AGENT_NS },
            spec: { replicas: 1, selector: { matchLabels: { app: 'demo' } }, template: { metadata: { labels: { app: 'demo' } }, spec: { containers: [{ name: 'agent', image: 'node:24-bookworm-slim', command: ['node', '-e', 'setInterval(() => {}, 1 << 30)'] }] } } },
          },
        ],
      },
    },
    registration: [
      {
        type: 'KubeClient',
        kubeClient: {
          hubPermissions: [
            { type: 'CurrentCluster', currentCluster: { clusterRoleName: 'demo-addon-configmaps' } },
            { type: 'SingleNamespace', singleNamespace: { namespace: 'demo-shared', roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'demo-reader' } } },
          ],
        },
      },
    ],
  },
};
/** An add-on without workloads: Available comes from the work, so --wait can finish without pods. */
const NOTES = {
  apiVersion: 'addon.open-cluster-management.io/v1alpha1',
  kind: 'AddOnTemplate',
  metadata: { name: 'notes-v1' },
  spec: { addonName: 'notes', agentSpec: { workload: { manifests: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'notes', namespace: AGENT_NS }, data: { cluster: '{{CLUSTER_NAME}}' } }] } }, registration: [] },
};

const adc = (level: string) => ({ ...TYPE.addOnDeploymentConfig, metadata: { name: 'demo-config', namespace: 'default' }, spec: { customizedVariables: [{ name: 'LOG_LEVEL', value: level }] } });

async function snapshot(): Promise<string[]> {
  const names = async (ref: Parameters<typeof resourcePath>[0]) => (await hub.list(resourcePath(ref))).items.map((o) => `${ref.resource}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`);
  return [...(await names(ADDON_TEMPLATES)), ...(await names(CLUSTER_MANAGEMENT_ADDONS)), ...(await names(MANAGED_CLUSTER_ADDONS))].sort();
}

beforeAll(async () => {
  fleet = await startFleet('addons', ['hub', 'spoke1', 'spoke2']);
  hub = await fleet.client('hub');
  for (const s of ['spoke1', 'spoke2']) spokes[s] = await fleet.client(s);
  dir = fs.mkdtempSync(path.join(fleet.stateDir, 'addons-'));
  const init = await fleet.cli('hub', ['init', '--runtime', 'local', '--wait', '-o', 'json']);
  expect(init.code).toBe(0);
  const { 'hub-token': token, 'hub-apiserver': server } = JSON.parse(init.stdout);
  const joins = await Promise.all(['spoke1', 'spoke2'].map((s) => fleet.cli(s, ['join', '--hub-token', token, '--hub-apiserver', server, '--cluster-name', s, '--runtime', 'local', '--wait'])));
  for (const j of joins) expect({ code: j.code, err: errorLines(j.stderr) }).toEqual({ code: 0, err: [] });
  expect((await fleet.cli('hub', ['accept', '--clusters', 'spoke1,spoke2', '--wait'])).code).toBe(0);
  // The roles the demo template names, and a cluster the hub has not accepted.
  await hub.create(resourcePath({ ...RBAC, resource: 'clusterroles' }), { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'demo-addon-configmaps' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'create', 'update'] }] });
  await hub.create(resourcePath({ group: '', version: 'v1', resource: 'namespaces' }), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo-shared' } });
  await hub.create(resourcePath({ ...RBAC, resource: 'roles', namespace: 'demo-shared' }), { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'demo-reader', namespace: 'demo-shared' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] });
  await hub.create(resourcePath(MANAGED_CLUSTERS), { ...TYPE.managedCluster, metadata: { name: 'ghost' }, spec: { hubAcceptsClient: false } });
}, 600_000);
afterAll(() => fleet?.stop());

describe('bad input: one line, non-zero exit, nothing written', () => {
  let before: string[];
  beforeAll(async () => {
    before = await snapshot();
    await hub.create(resourcePath(CLUSTER_MANAGEMENT_ADDONS), { ...TYPE.clusterManagementAddOn, metadata: { name: 'clash' }, spec: {} });
    before = await snapshot();
  });
  afterAll(async () => expect(await snapshot()).toEqual(before));

  test.each([
    ['a template failing the schema', () => ['addon', 'create', '-f', writeYaml(dir, 'bad.yaml', { ...DEMO, spec: { ...DEMO.spec, registration: [{ type: 'Sideways' }] } })], 2, /not a valid AddOnTemplate: \/spec\/registration\/0\/type/],
    ['a template naming unknown variables', () => ['addon', 'create', '-f', writeYaml(dir, 'demo.yaml', DEMO)], 1, /uses \{\{LOG_LEVEL\}\}, neither built in nor set by a --config/],
    ['a config that does not exist', () => ['addon', 'create', '-f', writeYaml(dir, 'demo.yaml', DEMO), '--config', 'AddOnDeploymentConfig/default/nope'], 1, /AddOnDeploymentConfig default\/nope does not exist/],
    ['an add-on name that clashes', () => ['addon', 'create', '-f', writeYaml(dir, 'clash.yaml', { ...NOTES, metadata: { name: 'clash-v1' }, spec: { ...NOTES.spec, addonName: 'clash' } })], 1, /add-on clash already exists on the hub \(not a template add-on\)/],
    ['enabling on a cluster not accepted', () => ['addon', 'enable', '--names', 'clash', '--clusters', 'ghost'], 1, /cluster ghost is not accepted; accept it first/],
    ['enabling an add-on that does not exist', () => ['addon', 'enable', '--names', 'nope', '--clusters', 'spoke1'], 1, /add-on nope does not exist on the hub/],
    ['both --clusters and --placement', () => ['addon', 'enable', '--names', 'clash', '--clusters', 'spoke1', '--placement', 'p'], 2, /exactly one of --clusters and --placement/],
  ])('%s', async (_what, args, code, msg) => {
    const r = await fleet.cli('hub', args());
    expect({ code: r.code, errors: errorLines(r.stderr) }).toEqual({ code, errors: [expect.stringMatching(msg)] });
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('a template add-on enabled by cluster name', () => {
  beforeAll(async () => {
    await hub.create(resourcePath({ ...ADDON_DEPLOYMENT_CONFIGS, namespace: 'default' }), adc('2'));
  });

  test('create --dry-run writes nothing; create writes the template, the add-on and the bind grant', async () => {
    const f = writeYaml(dir, 'demo.yaml', DEMO);
    const dry = await fleet.cli('hub', ['addon', 'create', '-f', f, '--config', 'AddOnDeploymentConfig/default/demo-config', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('dry run: nothing was written');
    expect(await getOrUndefined(hub, resourcePath({ ...ADDON_TEMPLATES, name: 'demo-v1' }))).toBeUndefined();
    const r = await fleet.cli('hub', ['addon', 'create', '-f', f, '--config', 'AddOnDeploymentConfig/default/demo-config', '-o', 'json']);
    expect({ code: r.code, err: errorLines(r.stderr) }).toEqual({ code: 0, err: [] });
    expect(JSON.parse(r.stdout).changes.map((c: { kind: string; change: string }) => `${c.kind}:${c.change}`)).toEqual([
      'AddOnTemplate:created',
      'ClusterManagementAddOn:created',
      'ClusterRole:created',
      'ClusterRoleBinding:created',
      'Role:created',
      'RoleBinding:created',
    ]);
  });

  test('enable: the work addon-demo-deploy-0 in spoke1, applied; config references carry spec hashes', async () => {
    const r = await fleet.cli('hub', ['addon', 'enable', '--names', 'demo', '--clusters', 'spoke1']);
    expect({ code: r.code, err: errorLines(r.stderr) }).toEqual({ code: 0, err: [] });
    const work = await until<KubeObject>(hub, { ...MANIFEST_WORKS, namespace: 'spoke1', name: 'addon-demo-deploy-0' }, (w) => !!w, 'work addon-demo-deploy-0');
    expect(work!.metadata!.labels).toMatchObject({ 'open-cluster-management.io/addon-name': 'demo' });
    expect(work!.metadata!.ownerReferences).toEqual([expect.objectContaining({ kind: 'ManagedClusterAddOn', name: 'demo', controller: true })]);
    const mca = await until<ManagedClusterAddOn>(hub, mcaRef('spoke1', 'demo'), (a) => cond(a, 'ManifestApplied')?.status === 'True' && cond(a, 'RegistrationApplied')?.status === 'True', 'demo ManifestApplied and RegistrationApplied');
    expect(cond(mca, 'ManifestApplied')!.reason).toBe('AddonManifestApplied');
    expect(cond(mca, 'RegistrationApplied')!.reason).toBe('SetPermissionApplied');
    expect(cond(mca, 'Progressing')).toMatchObject({ status: 'False', reason: 'Completed' });
    // No pods here: the probe sees no ready replica (or no feedback yet), never True.
    expect(cond(mca, 'Available')?.status).not.toBe('True');
    const template = await hub.get<KubeObject>(resourcePath({ ...ADDON_TEMPLATES, name: 'demo-v1' }));
    const hash = createHash('sha256').update(canonicalJson((template as { spec: unknown }).spec)).digest('hex');
    expect(mca!.status!.configReferences).toEqual(
      expect.arrayContaining([expect.objectContaining({ resource: 'addontemplates', desiredConfig: { name: 'demo-v1', specHash: hash } })]),
    );
    expect(mca!.status!.namespace).toBe(AGENT_NS);
    expect(mca!.status!.registrations).toEqual([
      expect.objectContaining({ type: 'kubeClient', kubeClient: { driver: 'csr', subject: { user: 'system:open-cluster-management:cluster:spoke1:addon:demo:agent:demo-agent', groups: ['system:open-cluster-management:cluster:spoke1:addon:demo', 'system:open-cluster-management:addon:demo'] } } }),
    ]);
  });

  test('on spoke1: the manifests rendered with built-in and config variables, the agent given env and the hub kubeconfig volume', async () => {
    const settings = await until<KubeObject>(spokes.spoke1!, cm(AGENT_NS, 'demo-settings'), (o) => !!o, 'demo-settings on spoke1');
    expect((settings as { data?: unknown }).data).toEqual({ cluster: 'spoke1', level: '2', kubeconfig: '/managed/hub-kubeconfig/kubeconfig' });
    const d = await until<KubeObject>(spokes.spoke1!, { group: 'apps', version: 'v1', resource: 'deployments', namespace: AGENT_NS, name: 'demo-agent' }, (o) => !!o, 'demo-agent on spoke1');
    const pod = (d as { spec: { template: { spec: { containers: { env?: unknown[] }[]; volumes?: unknown[] } } } }).spec.template.spec;
    expect(pod.containers[0]!.env).toEqual([{ name: 'HUB_KUBECONFIG', value: '/managed/hub-kubeconfig/kubeconfig' }, { name: 'CLUSTER_NAME', value: 'spoke1' }]);
    expect(pod.volumes).toEqual([expect.objectContaining({ name: 'hub-kubeconfig', secret: expect.objectContaining({ secretName: 'demo-hub-kubeconfig' }) })]);
  });

  test('the add-on CSR is approved and demo-hub-kubeconfig written in the install namespace; ClusterCertificateRotated', async () => {
    const { client, secret } = await addonIdentity(fleet, spokes.spoke1!, 'demo');
    try {
      expect(Object.keys(secret.data!).sort()).toEqual(['addon-name', 'cluster-name', 'kubeconfig', 'tls.crt', 'tls.key']);
      const csrs = await hub.list<KubeObject>('/apis/certificates.k8s.io/v1/certificatesigningrequests', { labelSelector: 'open-cluster-management.io/addon-name=demo' });
      expect(csrs.items.some((c) => JSON.stringify(c.status).includes('"Approved"'))).toBe(true);
      const who = await client.create<{ status: { userInfo: { username: string; groups: string[] } } }>('/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
      expect(who.status.userInfo.username).toBe('system:open-cluster-management:cluster:spoke1:addon:demo:agent:demo-agent');
      await until<ManagedClusterAddOn>(hub, mcaRef('spoke1', 'demo'), (a) => cond(a, 'ClusterCertificateRotated')?.reason === 'ClientCertificateUpdated', 'ClusterCertificateRotated');
    } finally {
      await client.close();
    }
  });

  test("the add-on identity's hub permissions are exactly the template's", async () => {
    const { client } = await addonIdentity(fleet, spokes.spoke1!, 'demo');
    try {
      const matrix = {
        'create configmaps in spoke1': await can(client, 'create', 'configmaps', 'spoke1'),
        'get configmaps in demo-shared': await can(client, 'get', 'configmaps', 'demo-shared'),
        'create configmaps in demo-shared': await can(client, 'create', 'configmaps', 'demo-shared'),
        'create configmaps in spoke2': await can(client, 'create', 'configmaps', 'spoke2'),
        'get secrets in spoke1': await can(client, 'get', 'secrets', 'spoke1'),
        'delete configmaps in spoke1': await can(client, 'delete', 'configmaps', 'spoke1'),
        'update manifestworks in spoke1': await can(client, 'update', 'manifestworks', 'spoke1', 'work.open-cluster-management.io'),
        'create clusterroles': await can(client, 'create', 'clusterroles', undefined, 'rbac.authorization.k8s.io'),
        'create namespaces': await can(client, 'create', 'namespaces'),
        'update managedclusters': await can(client, 'update', 'managedclusters', undefined, 'cluster.open-cluster-management.io'),
      };
      expect(matrix).toEqual({
        'create configmaps in spoke1': true,
        'get configmaps in demo-shared': true,
        'create configmaps in demo-shared': false,
        'create configmaps in spoke2': false,
        'get secrets in spoke1': false,
        'delete configmaps in spoke1': false,
        'update manifestworks in spoke1': false,
        'create clusterroles': false,
        'create namespaces': false,
        'update managedclusters': false,
      });
      // Real requests too: its own namespace takes a write, another cluster's refuses it.
      const body = (ns: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'from-demo', namespace: ns }, data: { by: 'demo' } });
      await client.create(resourcePath({ group: '', version: 'v1', resource: 'configmaps', namespace: 'spoke1' }), body('spoke1'));
      await expect(client.create(resourcePath({ group: '', version: 'v1', resource: 'configmaps', namespace: 'spoke2' }), body('spoke2'))).rejects.toMatchObject({ status: 403 });
    } finally {
      await client.close();
    }
  });

  test('changing the AddOnDeploymentConfig re-renders the agent manifests on the spoke', async () => {
    const cur = await hub.get<KubeObject>(resourcePath({ ...ADDON_DEPLOYMENT_CONFIGS, namespace: 'default', name: 'demo-config' }));
    await hub.replace(resourcePath({ ...ADDON_DEPLOYMENT_CONFIGS, namespace: 'default', name: 'demo-config' }), { ...adc('5'), metadata: cur.metadata });
    await until<KubeObject>(spokes.spoke1!, cm(AGENT_NS, 'demo-settings'), (o) => (o as { data?: { level?: string } } | undefined)?.data?.level === '5', 'LOG_LEVEL 5 on spoke1');
  });

  test('disable: the work, the agent objects, the secret and the hub RBAC go', async () => {
    const r = await fleet.cli('hub', ['addon', 'disable', '--names', 'demo', '--clusters', 'spoke1']);
    expect({ code: r.code, out: r.stdout.trim() }).toEqual({ code: 0, out: 'ManagedClusterAddOn spoke1/demo: deleted' });
    await until(hub, { ...MANIFEST_WORKS, namespace: 'spoke1', name: 'addon-demo-deploy-0' }, (w) => !w, 'work gone');
    await until(spokes.spoke1!, cm(AGENT_NS, 'demo-settings'), (o) => !o, 'demo-settings gone from spoke1');
    await until(spokes.spoke1!, { group: 'apps', version: 'v1', resource: 'deployments', namespace: AGENT_NS, name: 'demo-agent' }, (o) => !o, 'demo-agent gone from spoke1');
    await until(spokes.spoke1!, { group: '', version: 'v1', resource: 'secrets', namespace: AGENT_NS, name: 'demo-hub-kubeconfig' }, (o) => !o, 'secret gone from spoke1');
    await until(hub, { ...RBAC, resource: 'rolebindings', namespace: 'spoke1', name: 'open-cluster-management:demo:clusterrole:agent' }, (o) => !o, 'CurrentCluster binding gone');
    await until(hub, { ...RBAC, resource: 'rolebindings', namespace: 'demo-shared', name: 'open-cluster-management:demo:role:agent' }, (o) => !o, 'SingleNamespace binding gone');
  });
});

describe('a template add-on enabled by placement', () => {
  beforeAll(async () => {
    await hub.create(resourcePath({ ...MANAGED_CLUSTER_SET_BINDINGS, namespace: 'default' }), { ...TYPE.managedClusterSetBinding, metadata: { name: 'global', namespace: 'default' }, spec: { clusterSet: 'global' } });
    await hub.create(resourcePath({ ...PLACEMENTS, namespace: 'default' }), { ...TYPE.placement, metadata: { name: 'everywhere', namespace: 'default' }, spec: { clusterSets: ['global'] } });
    expect((await fleet.cli('hub', ['addon', 'create', '-f', writeYaml(dir, 'notes.yaml', NOTES)])).code).toBe(0);
  });

  test('enable --placement --wait: installed on both spokes, Available, one line per cluster', async () => {
    const r = await fleet.cli('hub', ['addon', 'enable', '--names', 'notes', '--placement', 'default/everywhere', '--wait', '-o', 'json']);
    expect({ code: r.code, err: errorLines(r.stderr) }).toEqual({ code: 0, err: [] });
    expect(JSON.parse(r.stdout).clusters).toEqual([
      expect.objectContaining({ cluster: 'spoke1', addon: 'notes', available: true }),
      expect.objectContaining({ cluster: 'spoke2', addon: 'notes', available: true }),
    ]);
    for (const s of ['spoke1', 'spoke2']) {
      const mca = await hub.get<KubeObject>(resourcePath(mcaRef(s, 'notes')));
      expect(mca.metadata!.ownerReferences).toEqual([expect.objectContaining({ kind: 'ClusterManagementAddOn', name: 'notes', controller: true })]);
      expect(((await spokes[s]!.get<KubeObject>(resourcePath(cm(AGENT_NS, 'notes')))) as { data?: unknown }).data).toEqual({ cluster: s });
    }
    const table = await fleet.cli('hub', ['get', 'addons', 'notes']);
    expect(table.stdout.split('\n')[0]).toMatch(/^CLUSTER\s+NAME\s+AVAILABLE\s+DEGRADED\s+PROGRESSING\s+NAMESPACE\s+AGE/);
    expect(table.stdout).toMatch(/spoke1\s+notes\s+True/);
  });

  test('a cluster leaving loses its add-ons: its add-on and work go', async () => {
    await hub.delete(resourcePath({ ...MANAGED_CLUSTERS, name: 'spoke2' }));
    await until(hub, mcaRef('spoke2', 'notes'), (o) => !o, 'notes add-on of spoke2 gone');
    await until(hub, { ...MANIFEST_WORKS, namespace: 'spoke2', name: 'addon-notes-deploy-0' }, (o) => !o, 'notes work of spoke2 gone');
    expect(await getOrUndefined(hub, resourcePath(mcaRef('spoke1', 'notes')))).toBeDefined();
  });

  test('disable --placement: back to Manual, the installed add-ons removed', async () => {
    const r = await fleet.cli('hub', ['addon', 'disable', '--names', 'notes', '--placement', 'default/everywhere']);
    expect(r.code).toBe(0);
    await waitForList(hub, resourcePath(MANAGED_CLUSTER_ADDONS), (items) => !items.some((a) => a.metadata?.name === 'notes'), { deadline: Date.now() + MS, what: 'notes add-ons gone' });
    await until(hub, { ...MANIFEST_WORKS, namespace: 'spoke1', name: 'addon-notes-deploy-0' }, (o) => !o, 'notes work of spoke1 gone');
  });
});

test('a template shaped like OCM\'s own (Deployment, DaemonSet, pre-delete Job, custom signer) is accepted as is; its custom signer signs', async () => {
  const ca = await createCertificateAuthority('hello-signer');
  await hub.create(resourcePath({ group: '', version: 'v1', resource: 'secrets', namespace: 'default' }), { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'ca-secret', namespace: 'default' }, data: { 'tls.crt': Buffer.from(ca.certPem).toString('base64'), 'tls.key': Buffer.from(ca.keyPem).toString('base64') } });
  await hub.create(resourcePath({ ...ADDON_DEPLOYMENT_CONFIGS, namespace: 'default' }), { ...TYPE.addOnDeploymentConfig, metadata: { name: 'hello-config', namespace: 'default' }, spec: { customizedVariables: [{ name: 'LOG_LEVEL', value: '1' }] } });
  const t = ocmShapedTemplate('hello');
  const r = await fleet.cli('hub', ['addon', 'create', '-f', writeYaml(dir, 'hello.yaml', t), '--config', 'AddOnDeploymentConfig/default/hello-config']);
  expect({ code: r.code, err: errorLines(r.stderr) }).toEqual({ code: 0, err: [] });
  const stored = await hub.get<KubeObject>(resourcePath({ ...ADDON_TEMPLATES, name: 'hello-template' }));
  expect((stored as { spec: unknown }).spec).toEqual(t.spec);
  // Enabled, the pre-delete Job stays out of the deploy work and the orphan-marked objects are kept on removal.
  expect((await fleet.cli('hub', ['addon', 'enable', '--names', 'hello', '--clusters', 'spoke1'])).code).toBe(0);
  const w = await until<KubeObject>(hub, { ...MANIFEST_WORKS, namespace: 'spoke1', name: 'addon-hello-deploy-0' }, (o) => !!o, 'hello work');
  const spec = (w as { spec: { workload: { manifests: KubeObject[] }; deleteOption: { propagationPolicy: string } } }).spec;
  expect(spec.workload.manifests.map((m) => m.kind)).toEqual(['Deployment', 'DaemonSet', 'ServiceAccount', 'ClusterRoleBinding']);
  expect(spec.deleteOption.propagationPolicy).toBe('SelectivelyOrphan');
  // The CustomSigner registration: its CSR approved and signed by the template's CA, the certificate on the spoke.
  const signed = await until<KubeObject & { data?: Record<string, string> }>(
    spokes.spoke1!,
    { group: '', version: 'v1', resource: 'secrets', namespace: AGENT_NS, name: 'hello-example.com-signer-name-client-cert' },
    (o) => !!(o as { data?: Record<string, string> } | undefined)?.data?.['tls.crt'],
    'custom-signer certificate on spoke1',
  );
  const cert = new x509.X509Certificate(Buffer.from(signed!.data!['tls.crt']!, 'base64').toString('utf8'));
  expect(cert.issuer).toBe(ca.cert.subject);
  expect(await cert.verify({ publicKey: ca.cert.publicKey, signatureOnly: true })).toBe(true);
  expect({ cn: cert.subjectName.getField('CN'), o: cert.subjectName.getField('O'), ou: cert.subjectName.getField('OU') }).toEqual({ cn: ['user1'], o: ['g1', 'g2'], ou: ['o1', 'o2'] });
});

describe('lease health of a Lease-mode add-on (the test renews the agent lease, as an agent would)', () => {
  const LEASES = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: AGENT_NS };
  const lease = (renew: Date, rv?: string) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'beat', namespace: AGENT_NS, ...(rv ? { resourceVersion: rv } : {}) }, spec: { holderIdentity: 'beat-agent', leaseDurationSeconds: 60, renewTime: microTime(renew) } });
  const available = (status: string, reason: string) => until<ManagedClusterAddOn>(hub, mcaRef('spoke1', 'beat'), (a) => cond(a, 'Available')?.status === status && cond(a, 'Available')?.reason === reason, `beat Available ${status} (${reason})`);

  beforeAll(async () => {
    await hub.create(resourcePath(CLUSTER_MANAGEMENT_ADDONS), { ...TYPE.clusterManagementAddOn, metadata: { name: 'beat' }, spec: {} });
    expect((await fleet.cli('hub', ['addon', 'enable', '--names', 'beat', '--clusters', 'spoke1'])).code).toBe(0);
  });

  test('no lease: Unknown; renewed: True; renewal stopped: False; lease gone: Unknown', async () => {
    await available('Unknown', 'ManagedClusterAddOnLeaseNotFound');
    const created = await spokes.spoke1!.create<KubeObject>(resourcePath(LEASES), lease(new Date()));
    await available('True', 'ManagedClusterAddOnLeaseUpdated');
    // The agent stopped renewing more than 5 lease durations ago.
    await spokes.spoke1!.replace(resourcePath({ ...LEASES, name: 'beat' }), lease(new Date(Date.now() - 6 * 60_000), created.metadata!.resourceVersion));
    await available('False', 'ManagedClusterAddOnLeaseUpdateStopped');
    await spokes.spoke1!.delete(resourcePath({ ...LEASES, name: 'beat' }));
    await available('Unknown', 'ManagedClusterAddOnLeaseNotFound');
  });
});
