/**
 * Checks `ocmadm init` makes before changing anything: that OCM's own cluster-manager operator
 * does not already run this hub, and that the API server has what the install relies on.
 */
import type { KubeClient, KubeList, KubeObject } from '../../kube/client.js';
import { getOrUndefined, resourcePath } from '../../kube/resources.js';
import { CliError } from '../../cli/errors.js';
import { OCM_OPERATOR } from './constants.js';
import type { Permission } from './access.js';

/** Reads the operator check needs (added to the permission check). */
export const OPERATOR_CHECK_PERMISSIONS: Permission[] = [
  { verb: 'get', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' },
  { verb: 'get', group: 'apps', resource: 'deployments', namespace: OCM_OPERATOR.deployment.namespace },
];

/** What shows that OCM's operator manages this hub, or [] when nothing does. */
export async function findOcmOperator(client: KubeClient): Promise<string[]> {
  const found: string[] = [];
  const crd = await getOrUndefined(client, `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${OCM_OPERATOR.crd}`);
  if (crd) {
    const list = await getOrUndefined<KubeList<KubeObject>>(client, resourcePath(OCM_OPERATOR.clusterManagers));
    for (const cm of list?.items ?? []) found.push(`ClusterManager ${cm.metadata?.name}`);
  }
  const { namespace, name } = OCM_OPERATOR.deployment;
  const dep = await getOrUndefined(client, resourcePath({ group: 'apps', version: 'v1', resource: 'deployments', namespace, name }));
  if (dep && dep.metadata?.labels?.['app.kubernetes.io/managed-by'] !== 'ocmadm') found.push(`Deployment ${namespace}/${name}`);
  return found;
}

export async function refuseOcmOperator(client: KubeClient, force: boolean, warn: (m: string) => void): Promise<void> {
  const found = await findOcmOperator(client);
  if (found.length === 0) return;
  const what = found.join(', ');
  if (force) {
    warn(`OCM's cluster-manager operator runs this hub (${what}); --force: installing anyway, the two will compete`);
    return;
  }
  throw new CliError(
    `this hub is already run by OCM's cluster-manager operator (${what}); remove it first (clusteradm clean) or pass --force; nothing was changed`,
  );
}

/** ValidatingAdmissionPolicy v1 (Kubernetes 1.30+) carries the admission guard. */
export async function requireAdmissionPolicies(client: KubeClient, version: string): Promise<void> {
  const list = await getOrUndefined<{ resources?: { name: string }[] }>(client, '/apis/admissionregistration.k8s.io/v1');
  if (list?.resources?.some((r) => r.name === 'validatingadmissionpolicies')) return;
  throw new CliError(
    `the hub's Kubernetes ${version || '(unknown version)'} does not serve admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy (needs 1.30 or newer); nothing was changed`,
  );
}
