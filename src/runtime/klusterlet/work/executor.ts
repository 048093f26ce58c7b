/**
 * spec.executor: a work that names a ServiceAccount on the spoke may only apply what that
 * ServiceAccount could apply itself. Before each manifest is written, SubjectAccessReviews ask
 * whether it may get, create, update and patch the resource (and delete it, when the work owns
 * it), as OCM's work agent does. The writes themselves still use the agent's identity.
 * (OCM also dry-runs RBAC kinds as the ServiceAccount to catch privilege escalation; not done here.)
 */
import type { KubeClient } from '../../../kube/client.js';
import type { ManifestWork } from '../../../api/index.js';
import type { ResourceRef } from '../../../kube/resources.js';

type Executor = NonNullable<NonNullable<ManifestWork['spec']>['executor']>;

/** The verbs OCM checks for an executor: get, create, update, patch, and delete for owned resources. */
export const executorVerbs = (owned: boolean): string[] => ['get', 'create', 'update', 'patch', ...(owned ? ['delete'] : [])];

/**
 * Undefined when `executor` may apply the resource (or there is no executor); otherwise why not.
 * Throws only when a review cannot be asked (the apply pass then retries).
 */
export async function executorDenial(spoke: KubeClient, executor: Executor | undefined, ref: Required<Pick<ResourceRef, 'group' | 'version' | 'resource' | 'name'>> & { namespace?: string }, owned: boolean): Promise<string | undefined> {
  const subject = executor?.subject;
  if (!subject) return undefined;
  if (subject.type !== 'ServiceAccount' || !subject.serviceAccount) return 'the executor must be a ServiceAccount (subject.serviceAccount is missing)';
  const { namespace: saNs, name: saName } = subject.serviceAccount;
  for (const verb of executorVerbs(owned)) {
    const review = await spoke.create<{ status?: { allowed?: boolean } }>('/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user: `system:serviceaccount:${saNs}:${saName}`,
        groups: ['system:serviceaccounts', 'system:authenticated', `system:serviceaccounts:${saNs}`],
        resourceAttributes: { group: ref.group, version: ref.version, resource: ref.resource, namespace: ref.namespace, name: ref.name, verb },
      },
    });
    if (!review.status?.allowed) {
      return `not allowed to apply the resource ${ref.group} ${ref.resource}, ${ref.namespace ?? ''} ${ref.name}: executor ${saNs}/${saName} cannot ${verb} it`;
    }
  }
  return undefined;
}
