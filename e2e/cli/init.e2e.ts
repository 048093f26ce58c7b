/**
 * `ocmadm init` end to end on a private hub: every refusal changes nothing, --dry-run changes
 * nothing, a real run installs what OCM's agents expect, a second run is a no-op, and the
 * runtime can move between a local process and a Deployment.
 */
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import type { KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { waitForObject } from '../../src/kube/wait.js';
import { CLUSTERSET, LEASE, NS, RBAC, SA } from '../../src/api/names.js';
import { runCli, whoAmI } from '../support/clusters.js';
import { KubeClient } from '../../src/kube/client.js';
import { KubeConfig } from '../../src/kube/kubeconfig.js';
import { isAlive } from '../../src/runtime/host/index.js';
import { startFleet, type Fleet } from '../support/fleet.js';
import { errorLines, serviceAccountIdentity, snapshot, unreachableKubeconfig, type Identity } from './support.js';

let fleet: Fleet;
let admin: KubeClient;
let before: string[];
let viewer: Identity;

const crdRef = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' };
const get = (ref: Parameters<typeof resourcePath>[0]) => admin.get<KubeObject>(resourcePath(ref));
const CRD_NAMES = [
  'managedclusters.cluster.open-cluster-management.io',
  'managedclustersets.cluster.open-cluster-management.io',
  'managedclustersetbindings.cluster.open-cluster-management.io',
  'placements.cluster.open-cluster-management.io',
  'placementdecisions.cluster.open-cluster-management.io',
  'addonplacementscores.cluster.open-cluster-management.io',
  'manifestworks.work.open-cluster-management.io',
  'manifestworkreplicasets.work.open-cluster-management.io',
  'clustermanagementaddons.addon.open-cluster-management.io',
  'managedclusteraddons.addon.open-cluster-management.io',
  'addontemplates.addon.open-cluster-management.io',
  'addondeploymentconfigs.addon.open-cluster-management.io',
];

beforeAll(async () => {
  fleet = await startFleet('init', ['hub']);
  admin = await fleet.client('hub');
  viewer = await serviceAccountIdentity(fleet, 'hub', admin, 'default', 'viewer', 'view');
  before = await snapshot(admin);
});
afterAll(async () => {
  await viewer?.client.close();
  await fleet?.stop();
});

describe('bad input: one line, the right exit code, nothing changed', () => {
  afterAll(async () => expect(await snapshot(admin)).toEqual(before));

  test('no kubeconfig anywhere: exit 1, never a fallback to localhost:8080', async () => {
    const home = fs.mkdtempSync(path.join(fleet.stateDir, 'home-'));
    const r = await runCli(['init'], { env: { ...fleet.env, KUBECONFIG: '', HOME: home } });
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/kubeconfig/i);
    expect(r.stderr).not.toMatch(/8080/);
  });

  test('unknown context: exit 1 naming it', async () => {
    const r = await fleet.cli('hub', ['init', '--context', 'nope']);
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain('nope');
  });

  test('unreachable API server: exit 1 naming the URL', async () => {
    const { file, url } = await unreachableKubeconfig(fleet, 'hub', path.join(fleet.stateDir, 'unreachable.kubeconfig'));
    const r = await runCli(['init', '--kubeconfig', file], { env: fleet.env });
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain(url);
    expect(r.stderr).toContain('ECONNREFUSED');
  });

  test('missing permissions: exit 1 naming the first missing ones', async () => {
    const r = await runCli(['init', '--kubeconfig', viewer.kubeconfigFile], { env: fleet.env });
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/missing permissions to initialize the hub https:\/\/127\.0\.0\.1:\d+: (create|patch) customresourcedefinitions\.apiextensions\.k8s\.io/);
  });

  test('unknown flag or value: exit 2', async () => {
    for (const args of [['init', '--no-such-flag'], ['init', '--runtime', 'docker'], ['init', '--ttl', 'soon'], ['init', '-o', 'xml']]) {
      const r = await fleet.cli('hub', args);
      expect({ args, code: r.code, lines: errorLines(r.stderr).length }).toEqual({ args, code: 2, lines: 1 });
    }
  });

  test('a pull secret that does not exist: exit 1 naming it and how to create it', async () => {
    const r = await fleet.cli('hub', ['init', '--runtime', 'cluster', '--image-pull-secret', 'no-such-regcred']);
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/--image-pull-secret: Secret open-cluster-management-hub\/no-such-regcred does not exist; create it first .*nothing was changed/);
  });

  test("a hub run by OCM's cluster-manager operator: refused, names what it found", async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'clustermanagers.operator.open-cluster-management.io' },
      spec: {
        group: 'operator.open-cluster-management.io',
        scope: 'Cluster',
        names: { plural: 'clustermanagers', singular: 'clustermanager', kind: 'ClusterManager', listKind: 'ClusterManagerList' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    };
    await admin.create(resourcePath(crdRef), crd);
    try {
      const cmRef = { group: 'operator.open-cluster-management.io', version: 'v1', resource: 'clustermanagers' };
      await waitForCrd(crd.metadata.name, established, 'to be Established');
      await admin.create(resourcePath(cmRef), { apiVersion: 'operator.open-cluster-management.io/v1', kind: 'ClusterManager', metadata: { name: 'cluster-manager' } });
      const snap = await snapshot(admin);
      const r = await fleet.cli('hub', ['init', '--runtime', 'local']);
      expect(r.code).toBe(1);
      expect(errorLines(r.stderr)).toHaveLength(1);
      expect(r.stderr).toContain("OCM's cluster-manager operator");
      expect(r.stderr).toContain('ClusterManager cluster-manager');
      expect(r.stderr).toContain('--force');
      expect(await snapshot(admin)).toEqual(snap);
    } finally {
      await admin.delete(resourcePath({ ...crdRef, name: crd.metadata.name }));
      await waitForCrd(crd.metadata.name, (o) => o === undefined, 'to be deleted');
    }
  });
});

describe('--dry-run', () => {
  test('prints every object and changes nothing', async () => {
    const snap = await snapshot(admin);
    const r = await fleet.cli('hub', ['init', '--dry-run', '--runtime', 'local']);
    expect(r.code).toBe(0);
    const docs = yaml.loadAll(r.stdout) as KubeObject[];
    const names = docs.map((d) => `${d.kind}/${d.metadata?.name}`);
    for (const crd of CRD_NAMES) expect(names).toContain(`CustomResourceDefinition/${crd}`);
    expect(names).toEqual(expect.arrayContaining([
      `Namespace/${NS.hubBootstrap}`,
      `ServiceAccount/${SA.bootstrap}`,
      `ClusterRole/${RBAC.bootstrapClusterRole}`,
      `ClusterRoleBinding/${RBAC.bootstrapSaBinding}`,
      'ConfigMap/cluster-info',
      `ManagedClusterSet/${CLUSTERSET.default}`,
      `ManagedClusterSet/${CLUSTERSET.global}`,
      'ValidatingAdmissionPolicy/ocmadm-managedcluster-guard',
      'ValidatingAdmissionPolicyBinding/ocmadm-managedcluster-guard',
      ...['clustersetbinding', 'manifestwork', 'manifestworkreplicaset'].flatMap((g) => [
        `ValidatingAdmissionPolicy/ocmadm-${g}-guard`,
        `ValidatingAdmissionPolicyBinding/ocmadm-${g}-guard`,
      ]),
    ]));
    expect(names.some((n) => n.startsWith('Deployment/'))).toBe(false); // local runtime: no Deployment
    const json = await fleet.cli('hub', ['init', '--dry-run', '-o', 'json']);
    expect(json.code).toBe(0);
    const list = JSON.parse(json.stdout) as { kind: string; items: KubeObject[] };
    expect(list.kind).toBe('List');
    expect(list.items.some((o) => o.kind === 'Deployment')).toBe(true); // cluster runtime (default)
    expect(await snapshot(admin)).toEqual(snap);
  });
});

describe('a real run', () => {
  let out: { 'hub-token': string; 'hub-apiserver': string; 'expires-at': string };
  const outputFile = () => path.join(fleet.stateDir, 'hub.yaml');
  const joinFile = () => path.join(fleet.stateDir, 'join.sh');

  beforeAll(async () => {
    fs.writeFileSync(outputFile(), 'stale content that must be replaced\n'.repeat(1000));
    const t0 = Date.now();
    const r = await fleet.cli('hub', ['init', '--runtime', 'local', '--wait', '-o', 'json', '--output-file', outputFile(), '--output-join-command-file', joinFile()]);
    process.stderr.write(`e2e: ocmadm init --runtime local --wait took ${Date.now() - t0} ms\n`);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    out = JSON.parse(r.stdout);
  });

  test('-o json prints only the join values; progress went to stderr', () => {
    expect(Object.keys(out).sort()).toEqual(['expires-at', 'hub-apiserver', 'hub-token', 'token-type']);
    expect(out['hub-apiserver']).toBe(fleet.info('hub').server);
    expect(Date.parse(out['expires-at']) - Date.now()).toBeGreaterThan(50 * 60_000);
  });

  test('CRDs are Established and the bootstrap identity, cluster-info and cluster sets exist', async () => {
    for (const name of CRD_NAMES) {
      const crd = await get({ ...crdRef, name });
      const established = (crd.status as { conditions: { type: string; status: string }[] }).conditions.find((c) => c.type === 'Established');
      expect({ name, established: established?.status }).toEqual({ name, established: 'True' });
    }
    await get({ group: '', version: 'v1', resource: 'serviceaccounts', namespace: NS.hubBootstrap, name: SA.bootstrap });
    const role = await get({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', name: RBAC.bootstrapClusterRole });
    expect(JSON.stringify(role.rules)).toContain('certificatesigningrequests');
    const info = await get({ group: '', version: 'v1', resource: 'configmaps', namespace: 'kube-public', name: 'cluster-info' });
    expect((info.data as Record<string, string>).kubeconfig).toContain(fleet.info('hub').server);
    for (const set of [CLUSTERSET.default, CLUSTERSET.global]) {
      await get({ group: 'cluster.open-cluster-management.io', version: 'v1beta2', resource: 'managedclustersets', name: set });
    }
  });

  test('the hub controller runs as a local process holding its leader Lease; runtime list reports it, runtime stop ends it', async () => {
    const lease = await get({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: NS.hubRuntime, name: LEASE.hubController });
    expect((lease.spec as { holderIdentity?: string }).holderIdentity).toBeTruthy();
    const list = await fleet.cli('hub', ['runtime', 'list', '-o', 'json']);
    expect(list.code).toBe(0);
    const [rt, ...others] = (JSON.parse(list.stdout) as { items: { kind: string; name: string; status: string; pid: number; server: string }[] }).items;
    expect(others).toEqual([]);
    expect(rt).toMatchObject({ kind: 'hub-controller', status: 'running', server: fleet.info('hub').server });
    expect(isAlive(rt!.pid)).toBe(true);

    // It runs as its own ServiceAccount, not as the admin who ran init.
    const own = new KubeConfig();
    own.loadFromFile(path.join(fleet.stateDir, 'hub-controller', rt!.name, 'kubeconfig'));
    const ownClient = await KubeClient.create(own);
    expect((await whoAmI(ownClient)).username).toBe(`system:serviceaccount:${NS.hubRuntime}:${SA.hubController}`);
    await ownClient.close();
    expect(fs.statSync(path.join(fleet.stateDir, 'hub-controller', rt!.name, 'kubeconfig')).mode & 0o777).toBe(0o600);

    const stop = await fleet.cli('hub', ['runtime', 'stop', 'hub-controller', rt!.name]);
    expect({ code: stop.code, out: stop.stdout.trim() }).toEqual({ code: 0, out: `hub-controller ${rt!.name}: stopped` });
    expect(isAlive(rt!.pid)).toBe(false); // (a zombie the container's init never reaps counts as gone)
    const bad = await fleet.cli('hub', ['runtime', 'stop', 'hub-controller', 'nope']);
    expect(bad.code).toBe(1); // no such runtime: the world disagrees (2 is for malformed command lines)
    const again = await fleet.cli('hub', ['init', '--runtime', 'local', '--wait']);
    expect(again.code).toBe(0);
  });

  test('--output-file holds the applied YAML (replaced), --output-join-command-file a runnable script', () => {
    const text = fs.readFileSync(outputFile(), 'utf8');
    expect(text).not.toContain('stale content');
    const kinds = (yaml.loadAll(text) as KubeObject[]).map((o) => o.kind);
    expect(kinds).toContain('CustomResourceDefinition');
    const script = fs.readFileSync(joinFile(), 'utf8');
    expect(script).toContain(`--hub-apiserver ${fleet.info('hub').server}`);
    expect(fs.statSync(joinFile()).mode & 0o777).toBe(0o700);
  });

  test('a second run is idempotent: exit 0 and no installed object changes', async () => {
    const snap = await snapshot(admin);
    const r = await fleet.cli('hub', ['init', '--runtime', 'local', '--wait']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ocmadm join --hub-token \S+ --hub-apiserver \S+ --cluster-name <cluster_name>$/m);
    // Only the runtime's own Lease/credentials may move; the installed objects must not.
    expect((await snapshot(admin)).filter((s) => !s.startsWith('secrets '))).toEqual(snap.filter((s) => !s.startsWith('secrets ')));
  });

  test('--runtime cluster replaces the local process with a restricted Deployment, and back', async () => {
    const r = await fleet.cli('hub', ['init', '--runtime', 'cluster', '--image', 'registry.example/ocmadm:test']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('stopped the local hub controller');
    const dep = await get({ group: 'apps', version: 'v1', resource: 'deployments', namespace: NS.hubRuntime, name: SA.hubController });
    const pod = (dep.spec as { template: { spec: Record<string, any> } }).template.spec;
    const c = pod.containers[0];
    expect(c.image).toBe('registry.example/ocmadm:test');
    expect(pod.serviceAccountName).toBe(SA.hubController);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(c.livenessProbe.httpGet.path).toBe('/healthz');
    expect(c.readinessProbe.httpGet.path).toBe('/readyz');
    expect(c.resources.requests).toEqual(expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }));

    const back = await fleet.cli('hub', ['init', '--runtime', 'local', '--wait']);
    expect(back.code).toBe(0);
    await expect(get({ group: 'apps', version: 'v1', resource: 'deployments', namespace: NS.hubRuntime, name: SA.hubController })).rejects.toThrow(/not found/i);
  });
});

/** Watches the CRD until `done` holds (Established, or gone). */
function waitForCrd(name: string, done: (o: KubeObject | undefined) => boolean, what: string): Promise<unknown> {
  return waitForObject(admin, { ...crdRef, name }, done, { deadline: Date.now() + 60_000, what: `CRD ${name} ${what}` });
}
const established = (o: KubeObject | undefined) =>
  !!(o?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
