import { RUNTIME_NODE_FLAGS } from '../../runtime/node-flags.js';
/** The rendered klusterlet manifests: what join applies, checked field by field. */
import yaml from 'js-yaml';
import { LABEL, MANAGED_BY, NS, SECRET } from '../../api/names.js';
import type { KubeObject } from '../../kube/client.js';
import { KLUSTERLET, agentArgs, clusterOfInstance, klusterletObjects, localInstance, type KlusterletValues } from './klusterlet.js';
import { BOOTSTRAP_NAMES, bootstrapKubeconfigYaml, bootstrapServer } from './bootstrap-kubeconfig.js';

const values = (v: Partial<KlusterletValues> = {}): KlusterletValues => ({
  clusterName: 'cluster1',
  runtime: 'cluster',
  image: 'quay.io/ocmadm/ocmadm:v1',
  spokeServer: 'https://10.0.0.1:6443',
  clusterClaims: { region: 'eu', 'platform.example.com': 'bare' },
  bootstrapKubeconfig: bootstrapKubeconfigYaml({ server: 'https://hub:6443', caPem: '-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n', token: 'abcdef.0123456789abcdef' }),
  ...v,
});

const find = (objs: KubeObject[], kind: string) => objs.find((o) => o.kind === kind)!;
type Rule = { apiGroups?: string[]; resources?: string[]; verbs: string[]; resourceNames?: string[] };
type Container = {
  image: string;
  command: string[];
  args: string[];
  ports: { name: string; containerPort: number }[];
  startupProbe: { httpGet: { path: string; port: string } };
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: Record<string, unknown>;
};

describe('cluster runtime', () => {
  const objs = klusterletObjects(values());

  test('objects in apply order, all labelled managed-by ocmadm and with the cluster name', () => {
    expect(objs.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      `Namespace/${NS.agent}`,
      `ServiceAccount/${KLUSTERLET.serviceAccount}`,
      `ClusterRole/${KLUSTERLET.clusterRole}`,
      `ClusterRoleBinding/${KLUSTERLET.clusterRole}`,
      `Role/${KLUSTERLET.role}`,
      `RoleBinding/${KLUSTERLET.role}`,
      `ClusterRole/${KLUSTERLET.workClusterRole}`,
      `ClusterRoleBinding/${KLUSTERLET.workClusterRole}`,
      `ClusterRole/${KLUSTERLET.workAggregateRole}`,
      `ClusterRoleBinding/${KLUSTERLET.workAggregateRole}`,
      `ClusterRoleBinding/${KLUSTERLET.workAdminBinding}`,
      `ClusterRole/${KLUSTERLET.addonClusterRole}`,
      `ClusterRoleBinding/${KLUSTERLET.addonClusterRole}`,
      `Secret/${SECRET.bootstrapHubKubeconfig}`,
      'ConfigMap/ocmadm-klusterlet-runtime',
      `Deployment/${KLUSTERLET.deployment}`,
    ]);
    for (const o of objs) expect(o.metadata?.labels).toMatchObject({ [LABEL.managedBy]: MANAGED_BY, [LABEL.clusterName]: 'cluster1' });
  });

  test('the namespace enforces the restricted Pod Security profile', () => {
    expect(find(objs, 'Namespace').metadata?.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  test('Deployment: one replica, Recreate, its own ServiceAccount, probes on the health port', () => {
    const d = find(objs, 'Deployment') as KubeObject & { spec: any };
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
    const pod = d.spec.template.spec;
    expect(pod.serviceAccountName).toBe(KLUSTERLET.serviceAccount);
    expect(d.spec.selector.matchLabels).toEqual(Object.fromEntries(Object.entries(d.spec.template.metadata.labels).filter(([k]) => k in d.spec.selector.matchLabels)));
    const c = pod.containers[0] as Container;
    expect(c.image).toBe('quay.io/ocmadm/ocmadm:v1');
    expect(c.ports).toEqual([{ name: 'health', containerPort: KLUSTERLET.healthPort, protocol: 'TCP' }]);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'health' });
    expect(c.startupProbe.httpGet).toEqual({ path: '/livez', port: 'health' });
  });

  test('Deployment: requests for cpu and memory, a memory limit', () => {
    const c = (find(objs, 'Deployment') as any).spec.template.spec.containers[0] as Container;
    expect(Object.keys(c.resources.requests).sort()).toEqual(['cpu', 'memory']);
    expect(c.resources.limits.memory).toBeDefined();
  });

  test('Deployment: restricted securityContext (non-root, no escalation, no capabilities, read-only root, seccomp)', () => {
    const pod = (find(objs, 'Deployment') as any).spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
  });

  test('Deployment: the agent flags name the cluster, namespace, spoke URL and claims', () => {
    const c = (find(objs, 'Deployment') as any).spec.template.spec.containers[0] as Container;
    // The loader on a stock Node image (the bundle comes from the ConfigMap: src/bundle tests).
    expect(c.command.slice(0, 1 + RUNTIME_NODE_FLAGS.klusterlet.length)).toEqual(['node', ...RUNTIME_NODE_FLAGS.klusterlet]);
    expect(c.command).toContain('-e');
    expect(c.args).toEqual([
      '--cluster-name', 'cluster1', '--agent-namespace', NS.agent, '--health-port', String(KLUSTERLET.healthPort),
      '--spoke-external-server-url', 'https://10.0.0.1:6443', '--cluster-claims', 'region=eu,platform.example.com=bare',
    ]);
  });

  test('RBAC is least privilege: no wildcards, secrets only in the agent namespace, no token minting in a pod', () => {
    const cr = objs.find((o) => o.kind === 'ClusterRole' && o.metadata?.name === KLUSTERLET.clusterRole) as KubeObject & { rules: { apiGroups?: string[]; resources?: string[]; verbs: string[]; resourceNames?: string[] }[] };
    for (const r of cr.rules) {
      expect(r.verbs).not.toContain('*');
      expect(r.resources ?? []).not.toContain('*');
      expect(r.resources ?? []).not.toContain('secrets');
    }
    expect(cr.rules.find((r) => r.resources?.includes('namespaces'))).toEqual({ apiGroups: [''], resources: ['namespaces'], resourceNames: ['kube-system'], verbs: ['get'] });
    const role = find(objs, 'Role') as KubeObject & { rules: { resources: string[] }[] };
    expect(role.metadata?.namespace).toBe(NS.agent);
    expect(role.rules.some((r) => r.resources.includes('secrets'))).toBe(true);
    expect(role.rules.some((r) => r.resources.includes('serviceaccounts/token'))).toBe(false);
  });

  test('add-on registration has its own ClusterRole: secrets, namespace creation, watching Leases, nothing else', () => {
    const cr = objs.find((o) => o.kind === 'ClusterRole' && o.metadata?.name === KLUSTERLET.addonClusterRole) as KubeObject & { rules: { resources: string[]; verbs: string[] }[] };
    expect(cr.rules.map((r) => `${r.resources.join(',')}:${r.verbs.join(',')}`)).toEqual([
      'secrets:get,list,watch,create,update,patch,delete',
      'namespaces:create',
      'leases:get,list,watch',
    ]);
  });

  test('registration rules do not include the work agent\'s: no AppliedManifestWorks, no writes outside claims', () => {
    const cr = objs.find((o) => o.kind === 'ClusterRole' && o.metadata?.name === KLUSTERLET.clusterRole) as KubeObject & { rules: Rule[] };
    expect(cr.rules.some((r) => r.apiGroups?.includes('work.open-cluster-management.io'))).toBe(false);
    for (const r of cr.rules.filter((x) => x.verbs.some((v) => ['create', 'update', 'patch', 'delete'].includes(v)))) expect(r.resources).toEqual(['clusterclaims']);
  });

  test('the work agent: OCM\'s execution rules in its own ClusterRole, an aggregated role, and `admin` bound cluster-wide to the same ServiceAccount', () => {
    const role = objs.find((o) => o.kind === 'ClusterRole' && o.metadata?.name === KLUSTERLET.workClusterRole) as KubeObject & { rules: Rule[] };
    // The work agent's rights are not the registration agent's: a role and bindings of their own.
    const verbsOn = (group: string, resource: string) => role.rules.filter((r) => r.apiGroups?.includes(group) && r.resources?.includes(resource)).flatMap((r) => r.verbs);
    expect(verbsOn('work.open-cluster-management.io', 'appliedmanifestworks').sort()).toEqual(['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']);
    expect(verbsOn('work.open-cluster-management.io', 'appliedmanifestworks/status').sort()).toEqual(['patch', 'update']);
    expect(verbsOn('authorization.k8s.io', 'subjectaccessreviews')).toEqual(['create']);
    expect(verbsOn('apiextensions.k8s.io', 'customresourcedefinitions')).toEqual(expect.arrayContaining(['create', 'update', 'patch', 'delete']));
    expect(verbsOn('', 'namespaces')).toEqual(expect.arrayContaining(['create', 'delete']));
    expect(verbsOn('rbac.authorization.k8s.io', 'clusterroles')).toEqual(expect.arrayContaining(['escalate', 'bind']));
    for (const r of role.rules) {
      expect(r.verbs).not.toContain('*');
      expect(r.resources ?? []).not.toContain('*');
    }
    const bindings = objs.filter((o) => o.kind === 'ClusterRoleBinding') as (KubeObject & { roleRef: { name: string }; subjects: { kind: string; name: string; namespace: string }[] })[];
    const byName = Object.fromEntries(bindings.map((b) => [b.metadata!.name!, b]));
    expect(byName[KLUSTERLET.workClusterRole]!.roleRef.name).toBe(KLUSTERLET.workClusterRole);
    expect(byName[KLUSTERLET.workAdminBinding]!.roleRef.name).toBe('admin');
    expect(byName[KLUSTERLET.workAggregateRole]!.roleRef.name).toBe(KLUSTERLET.workAggregateRole);
    const aggregate = objs.find((o) => o.kind === 'ClusterRole' && o.metadata?.name === KLUSTERLET.workAggregateRole) as KubeObject & { aggregationRule: unknown; rules: Rule[] };
    expect(aggregate.aggregationRule).toEqual({ clusterRoleSelectors: [{ matchLabels: { [LABEL.aggregateToWork]: 'true' } }] });
    expect(aggregate.rules).toEqual([]);
    for (const b of bindings) expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: KLUSTERLET.serviceAccount, namespace: NS.agent }]);
  });

  test('the bootstrap secret holds the kubeconfig as OCM names it', () => {
    const s = find(objs, 'Secret') as KubeObject & { data: Record<string, string> };
    const kc = yaml.load(Buffer.from(s.data.kubeconfig!, 'base64').toString()) as any;
    expect(kc['current-context']).toBe(BOOTSTRAP_NAMES.context);
    expect(kc.clusters[0].name).toBe('hub');
    expect(kc.users[0]).toEqual({ name: 'bootstrap', user: { token: 'abcdef.0123456789abcdef' } });
    expect(kc.contexts[0]).toEqual({ name: 'bootstrap', context: { cluster: 'hub', user: 'bootstrap', namespace: 'default' } });
    expect(bootstrapServer(Buffer.from(s.data.kubeconfig!, 'base64').toString())).toBe('https://hub:6443');
  });
});

describe('local runtime', () => {
  const objs = klusterletObjects(values({ runtime: 'local' }));

  test('the same identity and RBAC, no Deployment', () => {
    expect(objs.some((o) => o.kind === 'Deployment')).toBe(false);
    expect(objs.some((o) => o.kind === 'ServiceAccount')).toBe(true);
  });

  test('it may mint a token for its own ServiceAccount only', () => {
    const role = find(objs, 'Role') as KubeObject & { rules: { resources: string[]; resourceNames?: string[]; verbs: string[] }[] };
    expect(role.rules.find((r) => r.resources.includes('serviceaccounts/token'))).toEqual({
      apiGroups: [''],
      resources: ['serviceaccounts/token'],
      resourceNames: [KLUSTERLET.serviceAccount],
      verbs: ['create'],
    });
  });
});

describe('agentArgs', () => {
  test('no spoke URL unless https, no claims flag without claims', () => {
    expect(agentArgs({ clusterName: 'c', spokeServer: 'http://x', clusterClaims: {} }, 0)).toEqual(['--cluster-name', 'c', '--agent-namespace', NS.agent, '--health-port', '0']);
  });
});

test('local runtime instances are per spoke: two spokes asking for one name never share a process', () => {
  const a = localInstance('c1', 'https://127.0.0.1:6443');
  const b = localInstance('c1', 'https://127.0.0.1:7443/');
  expect(a).toBe('c1.127.0.0.1-6443');
  expect(a).not.toBe(b);
  expect([clusterOfInstance(a), clusterOfInstance(b), clusterOfInstance('c1')]).toEqual(['c1', 'c1', 'c1']);
});

describe('bootstrap kubeconfig behind a proxy (join --proxy-url, --proxy-ca-file)', () => {
  const HUB_CA = '-----BEGIN CERTIFICATE-----\nHUB\n-----END CERTIFICATE-----\n';
  const PROXY_CA = '-----BEGIN CERTIFICATE-----\nPROXY\n-----END CERTIFICATE-----\n';
  const cluster = (spec: Partial<Parameters<typeof bootstrapKubeconfigYaml>[0]>) =>
    (yaml.load(bootstrapKubeconfigYaml({ server: 'https://hub:6443', caPem: HUB_CA, token: 'a.b', ...spec })) as { clusters: { cluster: Record<string, string> }[] }).clusters[0]!.cluster;
  const ca = (c: Record<string, string>) => Buffer.from(c['certificate-authority-data']!, 'base64').toString();

  test('proxy-url is written; the proxy CA is appended to the hub CA', () => {
    const c = cluster({ proxyUrl: 'https://proxy:3129', proxyCaPem: PROXY_CA });
    expect(c['proxy-url']).toBe('https://proxy:3129');
    expect(ca(c)).toBe(HUB_CA + PROXY_CA);
  });

  test('without a proxy: neither, as before', () => {
    const c = cluster({});
    expect(c['proxy-url']).toBeUndefined();
    expect(ca(c)).toBe(HUB_CA);
  });
});
