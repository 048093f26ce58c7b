/**
 * The admission rows of the security matrix: OCM's webhooks for ManagedClusterSetBindings,
 * ManifestWorks and ManifestWorkReplicaSets, as the ValidatingAdmissionPolicies `ocmadm init`
 * installs (src/templates/hub/admission-fleet.yaml). Each row is a real API call (writes as server
 * dry runs) by an identity whose RBAC allows the write, and names who answers: the guard (403
 * Forbidden, or 422 Invalid for malformed manifests) or nobody (allowed). The last tests take
 * each policy's binding away and show the refused calls then succeed: the rule, not RBAC, is
 * what stops them.
 */
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { MANAGED_CLUSTER_SETS, MANAGED_CLUSTER_SET_BINDINGS, MANIFEST_WORKS, MANIFEST_WORK_REPLICA_SETS, TYPE } from '../../src/api/index.js';
import { HUB } from '../../src/install/hub/constants.js';
import { eventually, runCli } from '../support/clusters.js';
import { startFleet, type Fleet } from '../support/fleet.js';
import { errorLines, serviceAccountIdentity, type Identity } from '../cli/support.js';
import { DRY, probe } from './least-privilege-fleet.js';

type Outcome = 'allowed' | 'rbac' | 'guard' | 'invalid';
type Who = 'binder' | 'author' | 'runner' | 'fleetRunner';
type Guard = 'binding' | 'work' | 'set';
/** [what is tried, by whom, who answers, the policy that matters, the call] */
type Row = [title: string, who: Who, expected: Outcome, guard: Guard, call: (c: KubeClient) => Promise<unknown>];

const RBAC = { group: 'rbac.authorization.k8s.io', version: 'v1' };
const WORK_NS = 'c1';
const SET_NS = 'apps';
let fleet: Fleet;
let admin: KubeClient;
const ids = {} as Record<Who, Identity>;

const apply = (ref: { resource: string; namespace?: string; name: string }, body: object, group = RBAC) =>
  admin.patch(resourcePath({ ...group, ...ref }), body, 'apply', { fieldManager: 'ocmadm-e2e', force: true });
const clusterRole = (name: string, rules: object[]) =>
  apply({ resource: 'clusterroles', name }, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules });
/** Binds ClusterRole `role` to ServiceAccount lp/`sa` in one namespace only. */
const bindIn = (ns: string, role: string, sa: string) =>
  apply(
    { resource: 'rolebindings', namespace: ns, name: `${role}-${sa}` },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: `${role}-${sa}`, namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
      subjects: [{ kind: 'ServiceAccount', name: sa, namespace: 'lp' }],
    },
  );

const CM = (name?: string, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'default', ...(name ? { name } : {}), ...extra }, data: { a: '1' } });
const executor = (ns: string, name: string) => ({ subject: { type: 'ServiceAccount', serviceAccount: { namespace: ns, name } } });
const work = (name: string, manifests: object[], exec?: object) => ({
  ...TYPE.manifestWork,
  metadata: { name, namespace: WORK_NS },
  spec: { workload: { manifests }, ...(exec ? { executor: exec } : {}) },
});
const replicaSet = (name: string, manifests: object[], exec?: object) => ({
  ...TYPE.manifestWorkReplicaSet,
  metadata: { name, namespace: SET_NS },
  spec: { placementRefs: [{ name: 'p' }], manifestWorkTemplate: { workload: { manifests }, ...(exec ? { executor: exec } : {}) } },
});
const binding = (set: string) => ({ ...TYPE.managedClusterSetBinding, metadata: { name: set, namespace: SET_NS }, spec: { clusterSet: set } });
const works = (name?: string) => resourcePath({ ...MANIFEST_WORKS, namespace: WORK_NS, name });
const sets = () => resourcePath({ ...MANIFEST_WORK_REPLICA_SETS, namespace: SET_NS });
const bindings = () => resourcePath({ ...MANAGED_CLUSTER_SET_BINDINGS, namespace: SET_NS });
/** A dry-run update of the work `held` (made by the admin with executor app/runner), changed by `change`. */
const updateHeld = (change: (o: KubeObject & { spec: { executor?: unknown; workload: unknown } }) => void) => async (c: KubeClient) => {
  const o = await c.get<KubeObject & { spec: { executor?: unknown; workload: unknown } }>(works('held'));
  change(o);
  return c.replace(works('held'), o, DRY);
};

/** The guard refused; its policy name is in the message. Malformed input is 422 Invalid, the rest 403. */
async function outcome(call: Promise<unknown>): Promise<{ outcome: Outcome | 'other'; status: number; message: string }> {
  const r = await probe(call);
  if (r.outcome === 'other' && r.status === 422 && /ValidatingAdmissionPolicy/.test(r.message)) return { ...r, outcome: 'invalid' };
  return r;
}

const ROWS: Row[] = [
  // ManagedClusterSetBinding: create on bindings is not enough, the set's bind is asked too.
  ['bind set "prod" (may create bindings, no bind on prod)', 'binder', 'guard', 'binding', (c) => c.create(bindings(), binding('prod'), DRY)],
  ['bind set "team-a" (bind on team-a)', 'binder', 'allowed', 'binding', (c) => c.create(bindings(), binding('team-a'), DRY)],
  // ManifestWork: manifests well formed, executor only with execute-as.
  ['create a work with a ConfigMap', 'author', 'allowed', 'work', (c) => c.create(works(), work('ok', [CM('x')]), DRY)],
  ['create a work whose manifest has no metadata.name', 'author', 'invalid', 'work', (c) => c.create(works(), work('noname', [CM()]), DRY)],
  ['create a work whose manifest uses generateName', 'author', 'invalid', 'work', (c) => c.create(works(), work('gen', [CM('x', { generateName: 'x-' })]), DRY)],
  ['create a work running as app/runner without execute-as', 'author', 'guard', 'work', (c) => c.create(works(), work('exec', [CM('x')], executor('app', 'runner')), DRY)],
  ['create a work running as app/runner (execute-as on it in c1)', 'runner', 'allowed', 'work', (c) => c.create(works(), work('exec', [CM('x')], executor('app', 'runner')), DRY)],
  ['create a work running as app/other (execute-as on app/runner only)', 'runner', 'guard', 'work', (c) => c.create(works(), work('exec', [CM('x')], executor('app', 'other')), DRY)],
  ["update a work's manifests, its executor unchanged, without execute-as", 'author', 'allowed', 'work', updateHeld((o) => (o.spec.workload = { manifests: [CM('y')] }))],
  ["change a work's executor without execute-as", 'author', 'guard', 'work', updateHeld((o) => (o.spec.executor = executor('app', 'runner2')))],
  // ManifestWorkReplicaSet: the template's manifests, and its executor needs execute-as everywhere.
  ['create a replica set with a ConfigMap', 'author', 'allowed', 'set', (c) => c.create(sets(), replicaSet('ok', [CM('x')]), DRY)],
  ['create a replica set whose template manifest has no metadata.name', 'author', 'invalid', 'set', (c) => c.create(sets(), replicaSet('noname', [CM()]), DRY)],
  ['create a replica set running as app/runner (execute-as in c1 only)', 'runner', 'guard', 'set', (c) => c.create(sets(), replicaSet('exec', [CM('x')], executor('app', 'runner')), DRY)],
  ['create a replica set running as app/runner (execute-as cluster-wide)', 'fleetRunner', 'allowed', 'set', (c) => c.create(sets(), replicaSet('exec', [CM('x')], executor('app', 'runner')), DRY)],
];

beforeAll(async () => {
  fleet = await startFleet('lpadmission', ['hub']);
  admin = await fleet.client('hub');
  const init = await fleet.cli('hub', ['init', '--runtime', 'local']);
  expect({ code: init.code, stderr: init.code ? init.stderr : '' }).toEqual({ code: 0, stderr: '' });
  for (const ns of ['lp', WORK_NS, SET_NS]) await admin.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  for (const set of ['prod', 'team-a']) await admin.create(resourcePath(MANAGED_CLUSTER_SETS), { ...TYPE.managedClusterSet, metadata: { name: set }, spec: {} });
  const W = 'work.open-cluster-management.io';
  await clusterRole('e2e:binder', [
    { apiGroups: ['cluster.open-cluster-management.io'], resources: ['managedclustersetbindings'], verbs: ['get', 'create'] },
    // What `ocmadm clusterset bind` reads first.
    { apiGroups: ['cluster.open-cluster-management.io'], resources: ['managedclustersets'], verbs: ['get'] },
    { apiGroups: [''], resources: ['namespaces'], verbs: ['get'] },
    { apiGroups: ['cluster.open-cluster-management.io'], resources: ['managedclustersets/bind'], resourceNames: ['team-a'], verbs: ['create'] },
  ]);
  await clusterRole('e2e:author', [
    { apiGroups: [W], resources: ['manifestworks', 'manifestworkreplicasets'], verbs: ['get', 'create', 'update'] },
  ]);
  await clusterRole('e2e:run-as-runner', [{ apiGroups: [W], resources: ['manifestworks'], resourceNames: ['system:serviceaccount:app:runner'], verbs: ['execute-as'] }]);
  ids.binder = await serviceAccountIdentity(fleet, 'hub', admin, 'lp', 'binder', 'e2e:binder');
  ids.author = await serviceAccountIdentity(fleet, 'hub', admin, 'lp', 'author', 'e2e:author');
  ids.runner = await serviceAccountIdentity(fleet, 'hub', admin, 'lp', 'runner', 'e2e:author');
  await bindIn(WORK_NS, 'e2e:run-as-runner', 'runner');
  ids.fleetRunner = await serviceAccountIdentity(fleet, 'hub', admin, 'lp', 'fleet-runner', 'e2e:author');
  await apply(
    { resource: 'clusterrolebindings', name: 'e2e:fleet-runner-execute-as' },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'e2e:fleet-runner-execute-as' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'e2e:run-as-runner' },
      subjects: [{ kind: 'ServiceAccount', name: 'fleet-runner', namespace: 'lp' }],
    },
  );
  await admin.create(works(), work('held', [CM('x')], executor('app', 'runner')));
});
afterAll(async () => {
  await Promise.all(Object.values(ids).map((i) => i.client.close()));
  await fleet?.stop();
});

test.each(ROWS)('%s [%s]: %s (%s guard)', async (_title, who, expected, _guard, call) => {
  const r = await outcome(call(ids[who].client));
  // The whole answer shows on failure: the message names who refused and why.
  expect(r).toEqual(expect.objectContaining({ outcome: expected, status: expected === 'allowed' ? 200 : expected === 'invalid' ? 422 : 403 }));
});

const refused = (g: Guard) => ROWS.filter((r) => r[3] === g && r[2] !== 'allowed');
test.each([
  [HUB.bindingPolicy, refused('binding')],
  [HUB.workPolicy, refused('work')],
  [HUB.replicaSetPolicy, refused('set')],
])('without the binding of %s its refused rows succeed (RBAC alone allows them)', async (policy, rows) => {
  expect(rows.length).toBeGreaterThan(0);
  const ref = { group: 'admissionregistration.k8s.io', version: 'v1', resource: 'validatingadmissionpolicybindings', name: policy };
  const saved = await admin.get<KubeObject>(resourcePath(ref));
  await admin.delete(resourcePath(ref));
  try {
    // The API server drops a policy from its cache shortly after its binding goes.
    for (const [title, who, , , call] of rows) {
      let last = '';
      await eventually(async () => ((last = (await outcome(call(ids[who].client))).outcome), last === 'allowed'), {
        ms: 30_000,
        describe: () => `${title} allowed without ${policy} (last: ${last})`,
      });
    }
  } finally {
    const { resourceVersion: _rv, uid: _uid, creationTimestamp: _ct, managedFields: _mf, ...metadata } = saved.metadata!;
    await admin.create(resourcePath({ ...ref, name: undefined }), { ...saved, metadata });
  }
  for (const [title, who, expected, , call] of rows) {
    let last = '';
    await eventually(async () => ((last = (await outcome(call(ids[who].client))).outcome), last === expected), {
      ms: 30_000,
      describe: () => `${title} refused again once ${policy} is back (last: ${last})`,
    });
  }
});

test('clusterset bind to a set the user may not bind: exit 1, one line naming the right, nothing written', async () => {
  const r = await runCli(['--kubeconfig', ids.binder.kubeconfigFile, 'clusterset', 'bind', 'prod', '-n', SET_NS], { env: fleet.env });
  expect({ code: r.code, errors: errorLines(r.stderr) }).toEqual({
    code: 1,
    errors: [expect.stringMatching(/missing permissions to bind cluster set "prod" to namespace apps: create managedclustersets\.cluster\.open-cluster-management\.io\/bind "prod"; nothing was changed/)],
  });
  expect(r.stderr).not.toMatch(/\n\s+at /);
  const left = await admin.list(bindings());
  expect(left.items.map((b) => b.metadata?.name)).toEqual([]);
  const ok = await runCli(['--kubeconfig', ids.binder.kubeconfigFile, 'clusterset', 'bind', 'team-a', '-n', SET_NS], { env: fleet.env });
  expect({ code: ok.code, stdout: ok.stdout }).toEqual({ code: 0, stdout: 'cluster set team-a bound to namespace apps\n' });
});
