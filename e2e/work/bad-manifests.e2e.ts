/**
 * Manifests the spoke refuses: a kind it does not serve, an invalid object, and one denied by
 * admission (a ValidatingAdmissionPolicy). Each is Applied=False with the API's message, the
 * others are applied, retries back off (no storm), and fixing the work heals it.
 */
import type { KubeObject } from '../../src/kube/client.js';
import { KubeApiError } from '../../src/kube/errors.js';
import { resourcePath } from '../../src/kube/resources.js';
import type { ManifestWork } from '../../src/api/index.js';
import { COND, REASON } from '../../src/api/names.js';
import { eventually, uniqueName } from '../support/clusters.js';
import { NAMESPACES } from '../hub/support.js';
import { appliedAt, conditionOf, configMap, createWork, manifestCondition, waitWork, workRef, type LogLine, workSuite } from './support.js';

const ADM = { group: 'admissionregistration.k8s.io', version: 'v1' };
const s = workSuite({ spoke: 'spoke2', prefix: 'bad' });


/** A policy denying ConfigMaps labelled `deny`, bound to namespaces labelled for this test; resolves once it denies. */
async function denyPolicy(ns: string, key: string): Promise<void> {
  const name = uniqueName('e2e-deny');
  await s.spoke.create(resourcePath({ ...ADM, resource: 'validatingadmissionpolicies' }), {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['configmaps'] }] },
      validations: [{ expression: "!has(object.metadata.labels) || !('deny' in object.metadata.labels)", message: 'e2e policy: ConfigMaps labelled deny are not allowed' }],
    },
  });
  s.cleanup.add(() => s.spoke.delete(resourcePath({ ...ADM, resource: 'validatingadmissionpolicies', name })));
  await s.spoke.create(resourcePath({ ...ADM, resource: 'validatingadmissionpolicybindings' }), {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name },
    spec: { policyName: name, validationActions: ['Deny'], matchResources: { namespaceSelector: { matchLabels: { 'e2e-deny': key } } } },
  });
  s.cleanup.add(() => s.spoke.delete(resourcePath({ ...ADM, resource: 'validatingadmissionpolicybindings', name })));
  // Policies take effect asynchronously: nothing to watch, so a dry run is asked again until denied.
  await eventually(
    async () => {
      try {
        await s.spoke.create(`/api/v1/namespaces/${ns}/configmaps`, configMap(ns, 'probe', {}, { metadata: { name: 'probe', namespace: ns, labels: { deny: 'x' } } }), { dryRun: 'All' });
        return false;
      } catch (err) {
        if (err instanceof KubeApiError && (err.status === 403 || err.status === 422)) return true;
        throw err;
      }
    },
    { ms: 30_000, firstDelayMs: 20, maxDelayMs: 500, describe: () => 'the admission policy never took effect' },
  );
}

test('each refused manifest is Applied=False with the API message; retries back off; a fixed work heals', async () => {
  const key = uniqueName('k');
  const ns = uniqueName('wbad');
  await s.spoke.create(resourcePath(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'e2e-deny': key } } });
  s.cleanup.add(() => s.spoke.delete(resourcePath({ ...NAMESPACES, name: ns })));
  await denyPolicy(ns, key);

  const good = configMap(ns, 'good');
  const bad: KubeObject[] = [
    { apiVersion: 'nope.e2e.ocmadm.io/v1', kind: 'Nope', metadata: { name: 'n', namespace: ns } },
    configMap(ns, 'Bad_Name'),
    { ...configMap(ns, 'denied'), metadata: { name: 'denied', namespace: ns, labels: { deny: 'yes' } } },
  ];
  await createWork(s.hubAdmin, s.mc.name, 'bad', { workload: { manifests: [good, ...bad] } }, s.cleanup);
  const w = (await waitWork(
    s.hubAdmin,
    s.mc.name,
    'bad',
    (x) => !!x?.status?.resourceStatus?.manifests?.length && conditionOf(x, COND.work.available) !== undefined,
    'status with every manifest',
  ))!;
  expect(manifestCondition(w, 0, COND.work.applied)).toMatchObject({ status: 'True', reason: REASON.manifest.applied });
  const failed = (i: number) => manifestCondition(w, i, COND.work.applied)!;
  for (const i of [1, 2, 3]) expect(failed(i)).toMatchObject({ status: 'False', reason: REASON.manifest.applyFailed });
  expect(failed(1).message).toContain('does not serve kind Nope');
  expect(failed(2).message).toMatch(/Bad_Name.*Invalid|invalid/i);
  expect(failed(3).message).toContain('e2e policy: ConfigMaps labelled deny are not allowed');
  expect(conditionOf(w, COND.work.applied)).toMatchObject({ status: 'False', reason: REASON.work.applyFailed });
  expect(conditionOf(w, COND.work.available)).toMatchObject({ status: 'False', reason: REASON.work.notAvailable });
  expect(manifestCondition(w, 1, COND.work.available)).toMatchObject({ status: 'Unknown', reason: REASON.manifest.incompleteMeta });
  expect((await s.spoke.get(`/api/v1/namespaces/${ns}/configmaps/good`)).metadata!.name).toBe('good');

  // Retries back off: each retry waits about twice as long as the one before (200 ms doubling in this suite).
  const retries = (l: LogLine) => l.msg === 'manifests failed to apply; retrying later' && l.work === 'bad';
  await s.agent!.waitForLog((l) => retries(l) && (l.retryInMs as number) >= 3000, 30_000);
  const delays = s.agent!.logs.filter(retries).map((l) => l.retryInMs as number);
  for (let i = 1; i < delays.length; i++) expect(delays[i]!).toBeGreaterThan(delays[i - 1]! * 1.5);
  const span = Date.parse(s.agent!.logs.filter(retries).at(-1)!.ts as string) - Date.parse(s.agent!.logs.find(retries)!.ts as string);
  process.stderr.write(`work e2e: failing work retried ${delays.length} times in ${span} ms (delays ${delays.join(', ')} ms)\n`);
  expect(delays.length).toBeLessThanOrEqual(6);

  await s.hubAdmin.patch(resourcePath(workRef(s.mc.name, 'bad')), { spec: { workload: { manifests: [good] } } }, 'merge');
  const healed = await waitWork(s.hubAdmin, s.mc.name, 'bad', (x) => appliedAt(x, true), 'healed');
  expect((healed as ManifestWork).status!.resourceStatus!.manifests).toHaveLength(1);
  expect(s.agent!.logs.filter((l) => l.level === 'error')).toEqual([]);
});
