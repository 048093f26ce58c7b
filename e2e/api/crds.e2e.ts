/**
 * The generated OCM CRDs on a real hub API server: every CRD is accepted and Established, one
 * sample of each kind round-trips with every field kept, OCM's defaults are applied, invalid
 * objects are rejected by the schema, both add-on versions serve the same object, and
 * `kubectl get managedclusters` gets the columns users know.
 */
import https from 'node:https';
import { CRDS, crdName, crdObject, type CrdDefinition } from '../../src/api/crds.js';
import { MANAGED_CLUSTERS, MANAGED_CLUSTER_ADDONS, MANAGED_CLUSTER_ADDONS_V1BETA1, TYPE } from '../../src/api/index.js';
import { FIELD_MANAGER } from '../../src/api/names.js';
import { samples, type Samples } from '../../src/api/samples.js';
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { KubeApiError, isNotFound } from '../../src/kube/errors.js';
import { resourcePath, type ResourceRef } from '../../src/kube/resources.js';
import { waitForObject } from '../../src/kube/wait.js';
import { hubAdmin } from './support.js';

const CRD: ResourceRef = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' };
const NAMESPACES: ResourceRef = { group: '', version: 'v1', resource: 'namespaces' };
type Cond = { type: string; status: string };
const condition = (o: KubeObject | undefined, type: string) =>
  ((o?.status as { conditions?: Cond[] } | undefined)?.conditions ?? []).find((c) => c.type === type)?.status;

const run = `e2e-api-${Date.now().toString(36)}`;
const ns = run;
const all = samples(run, ns);
const defOf = (kind: string): CrdDefinition => CRDS.find((d) => d.kind === kind)!;

/** REST reference of a sample in its storage version. */
function refOf(obj: KubeObject, name = obj.metadata?.name): ResourceRef {
  const def = defOf(obj.kind!);
  const version = obj.apiVersion!.split('/')[1]!;
  return { group: def.group, version, resource: def.plural, namespace: def.scope === 'Namespaced' ? ns : undefined, name };
}

/** The error the API server answers for a create (with dry run, so nothing is left behind). */
async function createError(client: KubeClient, obj: KubeObject): Promise<KubeApiError> {
  try {
    await client.create(resourcePath(refOf(obj, undefined)), obj, { dryRun: 'All' });
  } catch (e) {
    if (e instanceof KubeApiError) return e;
    throw e;
  }
  throw new Error(`${obj.kind} ${obj.metadata?.name} was accepted`);
}

/** GET with the Table media type, as kubectl get does (server-side printing). */
async function getTable(client: KubeClient, path: string): Promise<{ columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }> {
  const opts: https.RequestOptions = {};
  await client.kc.applyToHTTPSOptions(opts);
  const url = new URL(client.server + path);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { ...opts, method: 'GET', headers: { ...opts.headers, Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`${res.statusCode}: ${body}`))));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('OCM CRDs on the hub API server', () => {
  let hub: KubeClient;
  const preexisting = new Set<string>();
  const deadline = () => Date.now() + 60_000;

  beforeAll(async () => {
    hub = await hubAdmin();
    for (const def of CRDS) {
      try {
        await hub.get(resourcePath({ ...CRD, name: crdName(def) }));
        preexisting.add(crdName(def));
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    await hub.create(resourcePath(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  });

  afterAll(async () => {
    if (!hub) return;
    for (const obj of Object.values(all) as KubeObject[]) {
      if (defOf(obj.kind!).scope === 'Cluster') await hub.delete(resourcePath(refOf(obj))).catch(() => undefined);
    }
    await hub.delete(resourcePath({ ...NAMESPACES, name: ns })).catch(() => undefined);
    // Leave the hub as we found it: remove the CRDs this suite installed and wait until they are gone.
    for (const def of CRDS) {
      if (preexisting.has(crdName(def))) continue;
      await hub.delete(resourcePath({ ...CRD, name: crdName(def) })).catch(() => undefined);
      await waitForObject(hub, { ...CRD, name: crdName(def) }, (o) => o === undefined, { deadline: deadline(), what: `CRD ${crdName(def)} deleted` });
    }
    await hub.close();
  });

  it('accepts every CRD and each becomes Established', async () => {
    for (const def of CRDS) {
      const crd = crdObject(def);
      await hub.patch(resourcePath({ ...CRD, name: crdName(def) }), crd, 'apply', { fieldManager: FIELD_MANAGER.cli, force: true });
    }
    for (const def of CRDS) {
      const crd = await waitForObject(hub, { ...CRD, name: crdName(def) }, (o) => condition(o, 'Established') === 'True', {
        deadline: deadline(),
        what: `CRD ${crdName(def)} Established`,
      });
      expect({ crd: crdName(def), nonStructural: condition(crd, 'NonStructuralSchema') }).toEqual({ crd: crdName(def), nonStructural: undefined });
    }
  });

  it('serves every kind with its names, scope and status subresource', async () => {
    for (const def of CRDS) {
      for (const ver of def.versions) {
        const list = await hub.get<{ resources: { name: string; kind: string; namespaced: boolean; shortNames?: string[] }[] }>(
          `/apis/${def.group}/${ver.name}`,
        );
        const main = list.resources.find((r) => r.name === def.plural);
        expect(main).toMatchObject({ kind: def.kind, namespaced: def.scope === 'Namespaced' });
        expect(main?.shortNames ?? []).toEqual(def.shortNames ?? []);
        expect(list.resources.some((r) => r.name === `${def.plural}/status`)).toBe(ver.status);
      }
    }
  });

  it('stores one sample of each kind with every field kept', async () => {
    for (const [key, obj] of Object.entries(all) as [keyof Samples, KubeObject][]) {
      const { status, ...body } = obj;
      const created = await hub.create<KubeObject>(resourcePath(refOf(obj, undefined)), body);
      expect({ key, spec: created.spec }).toMatchObject({ key, spec: (body as { spec?: unknown }).spec ?? undefined });
      if (status === undefined) continue;
      const withStatus = await hub.patch<KubeObject>(resourcePath({ ...refOf(obj), subresource: 'status' }), { status }, 'merge');
      expect({ key, status: withStatus.status }).toMatchObject({ key, status });
    }
  });

  it('applies the defaults OCM relies on', async () => {
    const mc = await hub.create<KubeObject>(resourcePath(MANAGED_CLUSTERS), { ...TYPE.managedCluster, metadata: { name: `${run}-defaults` }, spec: {} }, { dryRun: 'All' });
    expect(mc.spec).toEqual({ leaseDurationSeconds: 60 });

    const work = await hub.create<KubeObject>(
      resourcePath(refOf(all.manifestWork, undefined)),
      {
        ...TYPE.manifestWork,
        metadata: { name: 'defaults', namespace: ns },
        spec: { deleteOption: {}, manifestConfigs: [{ resourceIdentifier: { resource: 'configmaps', name: 'a' }, updateStrategy: { serverSideApply: {} } }] },
      },
      { dryRun: 'All' },
    );
    expect(work.spec).toEqual({
      deleteOption: { propagationPolicy: 'Foreground' },
      manifestConfigs: [
        {
          resourceIdentifier: { resource: 'configmaps', name: 'a' },
          updateStrategy: { type: 'Update', serverSideApply: { fieldManager: 'work-agent' } },
          feedbackScrapeType: 'Poll',
        },
      ],
    });

    const placement = await hub.create<KubeObject>(
      resourcePath(refOf(all.placement, undefined)),
      { ...TYPE.placement, metadata: { name: 'defaults', namespace: ns }, spec: { prioritizerPolicy: {} } },
      { dryRun: 'All' },
    );
    expect(placement.spec).toMatchObject({ prioritizerPolicy: { mode: 'Additive' } });

    const set = await hub.create<KubeObject>(
      resourcePath(refOf(all.managedClusterSet, undefined)),
      { ...TYPE.managedClusterSet, metadata: { name: `${run}-default-set` } },
      { dryRun: 'All' },
    );
    expect(set.spec).toEqual({ clusterSelector: { selectorType: 'ExclusiveClusterSetLabel' } });
  });

  const mc = all.managedCluster;
  const withSpec = (spec: object): KubeObject => ({ ...mc, metadata: { name: `${run}-bad` }, spec: { ...mc.spec, ...spec }, status: undefined });
  it.each([
    ['a string leaseDurationSeconds', withSpec({ leaseDurationSeconds: 'abc' }), 'spec.leaseDurationSeconds'],
    ['an unknown taint effect', withSpec({ taints: [{ key: 'a', effect: 'NoSchedule' }] }), 'spec.taints[0].effect'],
    [
      'an unknown ManifestWork update strategy',
      { ...all.manifestWork, metadata: { name: 'bad', namespace: ns }, status: undefined, spec: { manifestConfigs: [{ resourceIdentifier: { resource: 'configmaps', name: 'a' }, updateStrategy: { type: 'Replace' } }] } },
      'spec.manifestConfigs[0].updateStrategy.type',
    ],
    [
      'a ManifestWork manifest without apiVersion',
      { ...all.manifestWork, metadata: { name: 'bad', namespace: ns }, status: undefined, spec: { workload: { manifests: [{ kind: 'ConfigMap', metadata: { name: 'a' } }] } } },
      'spec.workload.manifests[0].apiVersion',
    ],
    ['a binding whose name is not its set', { ...all.managedClusterSetBinding, metadata: { name: 'other', namespace: ns } }, 'spec.clusterSet'],
    [
      'a prioritizer weight above 10',
      { ...all.placement, metadata: { name: 'bad', namespace: ns }, spec: { prioritizerPolicy: { configurations: [{ scoreCoordinate: { type: 'BuiltIn', builtIn: 'Steady' }, weight: 11 }] } } },
      'weight',
    ],
  ])('rejects %s', async (_what, obj, field) => {
    const err = await createError(hub, obj);
    expect({ status: err.status, reason: err.reason }).toEqual({ status: 422, reason: 'Invalid' });
    expect(err.message).toContain(field);
  });

  it('serves an add-on written as v1alpha1 as v1beta1, and back, without losing fields', async () => {
    const name = all.managedClusterAddOn.metadata.name!;
    const beta = await hub.get<KubeObject>(resourcePath({ ...MANAGED_CLUSTER_ADDONS_V1BETA1, namespace: ns, name }));
    expect(beta.apiVersion).toBe(`${MANAGED_CLUSTER_ADDONS.group}/v1beta1`);
    expect(beta.spec).toEqual(all.managedClusterAddOn.spec);
    expect(beta.status).toMatchObject(all.managedClusterAddOn.status!);

    const registrations = [{ type: 'customSigner', customSigner: { signerName: 'example.com/signer', subject: { user: 'u', organizationUnits: ['ou'] } } }];
    const written = await hub.create<KubeObject>(resourcePath({ ...MANAGED_CLUSTER_ADDONS_V1BETA1, namespace: ns }), {
      apiVersion: beta.apiVersion,
      kind: 'ManagedClusterAddOn',
      metadata: { name: 'beta-written', namespace: ns },
      spec: { configs: [{ resource: 'addondeploymentconfigs', name: 'c' }] },
    });
    await hub.patch(resourcePath({ ...MANAGED_CLUSTER_ADDONS_V1BETA1, namespace: ns, name: 'beta-written', subresource: 'status' }), { status: { registrations } });
    const alpha = await hub.get<KubeObject>(resourcePath({ ...MANAGED_CLUSTER_ADDONS, namespace: ns, name: 'beta-written' }));
    expect(alpha.metadata?.uid).toBe(written.metadata?.uid);
    expect(alpha.spec).toMatchObject({ configs: [{ group: '', resource: 'addondeploymentconfigs', name: 'c' }] });
    expect(alpha.status).toEqual({ registrations });
  });

  it('gives kubectl get managedclusters the OCM columns', async () => {
    const table = await getTable(hub, resourcePath({ ...MANAGED_CLUSTERS }) + `?fieldSelector=metadata.name=${mc.metadata.name}`);
    expect(table.columnDefinitions.map((c) => c.name.toUpperCase())).toEqual(['NAME', 'HUB ACCEPTED', 'MANAGED CLUSTER URLS', 'JOINED', 'AVAILABLE', 'AGE']);
    expect(table.rows).toHaveLength(1);
    expect(table.rows[0]!.cells.slice(0, 5)).toEqual([mc.metadata.name, true, 'https://spoke.example.com:6443', 'True', 'Unknown']);
  });
});
