/** Pure parts of the hub commands: durations, TTL rules, tokens, the plan init applies. */
import { UsageError } from '../../cli/errors.js';
import { validateInitOptions } from '../../commands/init/options.js';
import { formatDuration, parseDuration } from './duration.js';
import { resolveTtl } from './token-options.js';
import { joinCommand, joinScript, newBootstrapToken, rfc3339, stillUsable } from './tokens.js';
import { allObjects, loadHubCrds, planHub } from './plan.js';
import { hubCrdNames } from './crds.js';
import { LABEL, MANAGED_BY, SA } from '../../api/names.js';
import { HUB } from './constants.js';
import { RUNTIME_NODE_FLAGS } from '../../runtime/node-flags.js';

describe('durations', () => {
  test.each([
    ['30m', 1800],
    ['1h', 3600],
    ['1h30m', 5400],
    ['7d', 604800],
    ['3600s', 3600],
  ])('%s = %d s', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
    expect(parseDuration(formatDuration(seconds))).toBe(seconds);
  });
  test.each(['', '1', 'h', '1x', '-1h', '0s', '1.5h'])('%j is refused with an example', (text) => {
    expect(() => parseDuration(text)).toThrow(/duration|longer than zero/);
  });
});

describe('--ttl', () => {
  test('defaults: 1h for ServiceAccount tokens, 24h for bootstrap tokens', () => {
    expect(resolveTtl(undefined, false)).toBe(3600);
    expect(resolveTtl(undefined, true)).toBe(86400);
  });
  test("below the API server's 10 minute minimum for ServiceAccount tokens: usage error", () => {
    expect(() => resolveTtl('5m', false)).toThrow(UsageError);
    expect(resolveTtl('5m', true)).toBe(300);
  });
});

describe('tokens', () => {
  test('a bootstrap token has the ocmhub id, 16 random [a-z0-9] and an RFC 3339 expiration', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const t = newBootstrapToken(3600, now);
    expect(t.id).toBe('ocmhub');
    expect(t.secret).toMatch(/^[a-z0-9]{16}$/);
    expect(t.expiration).toBe('2026-01-01T01:00:00Z');
    expect(newBootstrapToken(3600, now).secret).not.toBe(t.secret);
  });
  test('a token is reused only while more than 5 minutes remain', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const at = (ms: number) => ({ kind: 'bootstrap-token' as const, token: 'x', expiresAt: rfc3339(new Date(now + ms)) });
    expect(stillUsable(at(3600_000), now)).toBe(true);
    expect(stillUsable(at(240_000), now)).toBe(false);
    expect(stillUsable(at(-1000), now)).toBe(false);
    expect(stillUsable({ kind: 'bootstrap-token', token: 'x' }, now)).toBe(true);
  });
  test('the join command keeps clusteradm field order; the script refuses to run without a name', () => {
    expect(joinCommand('T', 'https://h:6443')).toBe('ocmadm join --hub-token T --hub-apiserver https://h:6443 --cluster-name <cluster_name>');
    const script = joinScript('T', 'https://h:6443');
    expect(script.startsWith('#!/bin/sh\n')).toBe(true);
    expect(script).toContain('exit 2');
    expect(script).toContain('--cluster-name "$1"');
  });
});

describe('init options', () => {
  test('defaults', () => {
    expect(validateInitOptions({})).toMatchObject({ runtime: 'cluster', useBootstrapToken: false, ttlSeconds: 3600, wait: false, dryRun: false, output: 'text', force: false });
  });
  test.each([
    [{ runtime: 'docker' }, /--runtime/],
    [{ image: 'Not An Image' }, /--image/],
    [{ runtime: 'local', image: 'reg/x:1' }, /only applies to --runtime cluster/],
    [{ dryRun: true, wait: true }, /--wait cannot be combined with --dry-run/],
    [{ dryRun: true, outputJoinCommandFile: 'j.sh' }, /needs a real run/],
    [{ outputFile: 'a', outputJoinCommandFile: 'a' }, /different files/],
    [{ output: 'xml' }, /xml/],
    [{ autoApprove: ' , ' }, /--auto-approve needs/],
    [{ autoApprove: 'a b' }, /not a user name/],
  ])('%j is a usage error', (flags, message) => {
    expect(() => validateInitOptions(flags)).toThrow(UsageError);
    expect(() => validateInitOptions(flags)).toThrow(message);
  });
});

describe('the hub plan', () => {
  const crds = loadHubCrds();

  test('hubCrdNames (from file names, for read-only commands) are the names inside the CRD files', () => {
    expect(crds.length).toBeGreaterThan(0);
    expect(hubCrdNames()).toEqual(crds.map((c) => c.metadata!.name));
  });
  const plan = (runtime: 'cluster' | 'local', extra = {}) => planHub({ runtime, image: 'reg/ocmadm:1', clusterInfoKubeconfig: 'kc', crds, ...extra });

  test('--auto-approve: the controller gets the users as a flag and the accept right; without it neither', () => {
    expect(validateInitOptions({ autoApprove: 'u1, u2,u1' }).autoApproveUsers).toEqual(['u1', 'u2']);
    const role = (objs: ReturnType<typeof allObjects>) => objs.find((o) => o.kind === 'ClusterRole' && o.metadata?.name === HUB.controllerRole) as unknown as { rules: { resources: string[] }[] };
    const args = (objs: ReturnType<typeof allObjects>) =>
      (objs.find((o) => o.kind === 'Deployment') as unknown as { spec: { template: { spec: { containers: { args: string[] }[] } } } }).spec.template.spec.containers[0]!.args;
    const on = allObjects(plan('cluster', { autoApproveUsers: ['u1', 'u2'] }));
    expect(args(on)).toContain('--auto-approve-users=u1,u2');
    expect(role(on).rules.some((r) => r.resources.includes('managedclusters/accept'))).toBe(true);
    const off = allObjects(plan('cluster'));
    expect(args(off).some((a) => a.startsWith('--auto-approve-users'))).toBe(false);
    expect(role(off).rules.some((r) => r.resources.includes('managedclusters/accept'))).toBe(false);
  });

  test('CRDs first, then the guard, before any bootstrap identity exists', () => {
    const names = plan('cluster').map((p) => p.name);
    expect(names.slice(0, 4)).toEqual(['crds', 'guard', 'namespaces', 'rbac']);
    expect(names[names.length - 1]).toBe('runtime');
  });
  test('every object carries the managed-by label clean relies on', () => {
    for (const o of allObjects(plan('cluster', { bootstrapToken: { create: newBootstrapToken(60) } })).filter((o) => o.kind !== 'CustomResourceDefinition')) {
      expect({ o: `${o.kind}/${o.metadata?.name}`, label: o.metadata?.labels?.[LABEL.managedBy] }).toEqual({ o: `${o.kind}/${o.metadata?.name}`, label: MANAGED_BY });
    }
  });
  test('the runtime namespace enforces restricted Pod Security; the read-only root gets a writable /tmp', () => {
    const objs = allObjects(plan('cluster'));
    const ns = objs.find((o) => o.kind === 'Namespace' && o.metadata?.name === 'open-cluster-management-hub')!;
    expect(ns.metadata?.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const pod = (objs.find((o) => o.kind === 'Deployment')!.spec as { template: { spec: { volumes: { name: string; emptyDir?: object }[]; containers: { volumeMounts: { name: string; mountPath: string }[] }[] } } }).template.spec;
    expect(pod.containers[0]!.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(pod.volumes.find((v) => v.name === 'tmp')?.emptyDir).toBeDefined();
  });

  test('the local runtime has no Deployment; an existing foreign cluster-info is left out', () => {
    expect(allObjects(plan('local')).some((o) => o.kind === 'Deployment')).toBe(false);
    expect(allObjects(plan('local', { clusterInfoKubeconfig: undefined })).some((o) => o.metadata?.name === 'cluster-info')).toBe(false);
  });
  test('the bootstrap role reads only the public CA ConfigMaps and joins only the default set', () => {
    const role = allObjects(plan('local')).find((o) => o.kind === 'ClusterRole' && o.metadata?.name === 'open-cluster-management:bootstrap')!;
    const rules = (role as unknown as { rules: { resources: string[]; resourceNames?: string[] }[] }).rules;
    expect(rules.find((r) => r.resources.includes('configmaps'))?.resourceNames).toEqual(['cluster-info', 'kube-root-ca.crt']);
    expect(rules.find((r) => r.resources.includes('managedclustersets/join'))?.resourceNames).toEqual(['default']);
  });
  test('the bootstrap token Secret expires and names the managedcluster bootstrap group', () => {
    const t = newBootstrapToken(7200, Date.parse('2026-01-01T00:00:00Z'));
    const secret = allObjects(plan('local', { bootstrapToken: { create: t } })).find((o) => o.kind === 'Secret')!;
    expect(secret.type).toBe('bootstrap.kubernetes.io/token');
    expect(secret.stringData ?? secret.data).toMatchObject({ 'token-id': 'ocmhub', expiration: '2026-01-01T02:00:00Z' });
    expect(JSON.stringify(secret)).toContain('system:bootstrappers:managedcluster');
  });
});

describe('the hub controller Deployment (--runtime cluster)', () => {
  type Probe = { httpGet: { path: string; port: string } };
  type Container = {
    image: string;
    command: string[];
    args: string[];
    ports: { name: string; containerPort: number }[];
    startupProbe: Probe & { periodSeconds: number; failureThreshold: number };
    livenessProbe: Probe;
    readinessProbe: Probe;
    resources: { requests: Record<string, string>; limits: Record<string, string> };
    securityContext: Record<string, unknown>;
  };
  const deployment = allObjects(planHub({ runtime: 'cluster', image: 'reg/ocmadm:1', clusterInfoKubeconfig: 'kc', crds: loadHubCrds() })).find(
    (o) => o.kind === 'Deployment',
  ) as unknown as { metadata: { namespace: string }; spec: { replicas: number; template: { spec: { serviceAccountName: string; securityContext: Record<string, unknown>; containers: Container[] } } } };
  const pod = deployment.spec.template.spec;
  const c = pod.containers[0]!;

  test('runs the bundle loader on the given image, two replicas behind leader election, in the runtime namespace', () => {
    expect(deployment.metadata.namespace).toBe(HUB.controllerNamespace);
    expect(deployment.spec.replicas).toBe(2);
    expect(c.image).toBe('reg/ocmadm:1');
    expect(c.command.slice(0, 1 + RUNTIME_NODE_FLAGS['hub-controller'].length)).toEqual(['node', ...RUNTIME_NODE_FLAGS['hub-controller']]);
    expect(c.args).toEqual(expect.arrayContaining([`--namespace=${HUB.controllerNamespace}`, `--health-port=${HUB.healthPort}`, '--id=$(POD_NAME)']));
    expect(pod.serviceAccountName).toBe(SA.hubController);
  });

  test('a startup probe on /livez holds liveness off for up to a minute; liveness on /healthz and readiness on /readyz of the health port', () => {
    expect(c.ports).toEqual([{ name: 'health', containerPort: HUB.healthPort, protocol: 'TCP' }]);
    expect(c.startupProbe.httpGet).toEqual({ path: '/livez', port: 'health' });
    expect(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold).toBe(60);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'health' });
  });

  test('requests for cpu and memory, a memory limit', () => {
    expect(Object.keys(c.resources.requests).sort()).toEqual(['cpu', 'memory']);
    expect(c.resources.limits.memory).toBeDefined();
  });

  test('restricted securityContext: non-root, no escalation, no capabilities, read-only root, seccomp', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toMatchObject({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(c.securityContext.runAsUser).toBeGreaterThan(0);
  });
});
