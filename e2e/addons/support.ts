/**
 * Add-on e2e helpers: template files shaped as OCM's (their structure, our images and names), a
 * client acting as an add-on agent from its `<addon>-hub-kubeconfig` secret, and SelfSubjectAccessReviews.
 */
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { waitForObject } from '../../src/kube/wait.js';
import type { Fleet } from '../support/fleet.js';
import { userClient } from '../support/clusters.js';

export const AGENT_NS = 'open-cluster-management-agent-addon';

/** A template like OCM's test template: a Deployment, a DaemonSet, a ServiceAccount, a binding, a pre-delete Job, kube client + custom signer. */
export function ocmShapedTemplate(addon: string): KubeObject {
  const pod = (app: string) => ({
    metadata: { labels: { app } },
    spec: {
      serviceAccountName: `${addon}-sa`,
      containers: [{ name: 'agent', image: 'node:24-bookworm-slim', imagePullPolicy: 'IfNotPresent', args: ['--cluster={{CLUSTER_NAME}}', '--hub-kubeconfig={{HUB_KUBECONFIG}}'], env: [{ name: 'LOG_LEVEL', value: '{{LOG_LEVEL}}' }] }],
    },
  });
  const keep = { 'addon.open-cluster-management.io/deletion-orphan': '' };
  return {
    apiVersion: 'addon.open-cluster-management.io/v1alpha1',
    kind: 'AddOnTemplate',
    metadata: { name: `${addon}-template` },
    spec: {
      addonName: addon,
      agentSpec: {
        workload: {
          manifests: [
            { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: `${addon}-agent`, namespace: AGENT_NS, annotations: keep, labels: { app: addon } }, spec: { replicas: 1, selector: { matchLabels: { app: addon } }, template: pod(addon) } },
            { kind: 'DaemonSet', apiVersion: 'apps/v1', metadata: { name: `${addon}-agent-ds`, namespace: AGENT_NS, annotations: keep }, spec: { selector: { matchLabels: { app: `${addon}-ds` } }, template: pod(`${addon}-ds`) } },
            { kind: 'ServiceAccount', apiVersion: 'v1', metadata: { name: `${addon}-sa`, namespace: AGENT_NS, annotations: keep } },
            { kind: 'ClusterRoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: `${addon}-agent` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'ServiceAccount', name: `${addon}-sa`, namespace: AGENT_NS }] },
            {
              kind: 'Job',
              apiVersion: 'batch/v1',
              metadata: { name: `${addon}-cleanup`, namespace: AGENT_NS, annotations: { 'addon.open-cluster-management.io/addon-pre-delete': '' } },
              spec: { manualSelector: true, selector: { matchLabels: { job: `${addon}-cleanup` } }, template: { metadata: { labels: { job: `${addon}-cleanup` } }, spec: { serviceAccountName: `${addon}-sa`, restartPolicy: 'Never', containers: [{ name: 'cleanup', image: 'node:24-bookworm-slim', args: ['cleanup'] }] } } },
            },
          ],
        },
      },
      registration: [
        { type: 'KubeClient', kubeClient: { hubPermissions: [{ type: 'CurrentCluster', currentCluster: { clusterRoleName: `${addon}-hub-role` } }] } },
        { type: 'CustomSigner', customSigner: { signerName: 'example.com/signer-name', signingCA: { name: 'ca-secret', namespace: 'default' }, subject: { user: 'user1', groups: ['g1', 'g2'], organizationUnit: ['o1', 'o2'] } } },
      ],
    },
  };
}

export function writeYaml(dir: string, name: string, obj: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof obj === 'string' ? obj : yaml.dump(obj));
  return file;
}

type Secret = KubeObject & { data?: Record<string, string> };
const unb64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');

/** Waits for `<addon>-hub-kubeconfig` on a spoke and returns a hub client acting as that add-on agent. */
export async function addonIdentity(fleet: Fleet, spoke: KubeClient, addon: string, ms = 120_000): Promise<{ client: KubeClient; secret: Secret }> {
  const secret = (await waitForObject<Secret>(
    spoke,
    { group: '', version: 'v1', resource: 'secrets', namespace: AGENT_NS, name: `${addon}-hub-kubeconfig` },
    (s) => !!s?.data?.['tls.crt'],
    { deadline: Date.now() + ms, what: `secret ${addon}-hub-kubeconfig` },
  ))!;
  const client = await userClient(fleet.info('hub'), { certPem: unb64(secret.data!['tls.crt']), keyPem: unb64(secret.data!['tls.key']) });
  return { client, secret };
}

/** Whether `client` may do `verb` on `resource` (SelfSubjectAccessReview). */
export async function can(client: KubeClient, verb: string, resource: string, namespace?: string, group = ''): Promise<boolean> {
  const r = await client.create<{ status?: { allowed?: boolean } }>(resourcePath({ group: 'authorization.k8s.io', version: 'v1', resource: 'selfsubjectaccessreviews' }), {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    spec: { resourceAttributes: { verb, resource, group, ...(namespace ? { namespace } : {}) } },
  });
  return !!r.status?.allowed;
}
