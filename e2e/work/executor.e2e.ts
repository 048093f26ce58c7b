/**
 * spec.executor: a work run as a spoke ServiceAccount applies only what that ServiceAccount may
 * apply (SubjectAccessReviews on the real spoke); the rest is Applied=False and never written.
 */
import { resourcePath } from '../../src/kube/resources.js';
import { COND, REASON } from '../../src/api/names.js';
import { uniqueName } from '../support/clusters.js';
import { NAMESPACES, RBAC_REFS } from '../hub/support.js';
import { conditionOf, configMap, createWork, manifestCondition, namespace, waitWork, workSuite } from './support.js';

const s = workSuite({ spoke: 'spoke2', prefix: 'exec' });

test('an executor ServiceAccount limits what the work may apply', async () => {
  const allowed = uniqueName('wexec-ok');
  const other = uniqueName('wexec-no');
  for (const ns of [allowed, other]) {
    await s.spoke.create(resourcePath(NAMESPACES), namespace(ns));
    s.cleanup.add(() => s.spoke.delete(resourcePath({ ...NAMESPACES, name: ns })));
  }
  await s.spoke.create(`/api/v1/namespaces/${allowed}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'deployer' } });
  await s.spoke.create(`/apis/rbac.authorization.k8s.io/v1/namespaces/${allowed}/roles`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'deployer' },
    rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'create', 'update', 'patch', 'delete'] }],
  });
  await s.spoke.create(resourcePath({ ...RBAC_REFS.roleBindings, namespace: allowed }), {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'deployer' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'deployer' },
    subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: allowed }],
  });

  await createWork(
    s.hubAdmin,
    s.mc.name,
    'as-deployer',
    { workload: { manifests: [configMap(allowed, 'mine'), configMap(other, 'not-mine')] }, executor: { subject: { type: 'ServiceAccount', serviceAccount: { namespace: allowed, name: 'deployer' } } } },
    s.cleanup,
  );
  const w = await waitWork(s.hubAdmin, s.mc.name, 'as-deployer', (x) => !!manifestCondition(x, 1, COND.work.applied), 'both manifests reported');
  expect(manifestCondition(w, 0, COND.work.applied)).toMatchObject({ status: 'True', reason: REASON.manifest.applied });
  expect(manifestCondition(w, 1, COND.work.applied)).toMatchObject({ status: 'False', reason: REASON.manifest.applyFailed });
  expect(manifestCondition(w, 1, COND.work.applied)!.message).toContain(`not allowed to apply the resource  configmaps, ${other} not-mine`);
  expect(conditionOf(w, COND.work.applied)?.status).toBe('False');
  expect((await s.spoke.get(`/api/v1/namespaces/${allowed}/configmaps/mine`)).metadata!.name).toBe('mine');
  await expect(s.spoke.get(`/api/v1/namespaces/${other}/configmaps/not-mine`)).rejects.toMatchObject({ status: 404 });
});
