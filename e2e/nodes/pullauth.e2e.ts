/**
 * Image pulls as on a real cluster, on one cluster with a real node and two local registries: the
 * default one (no auth; the pause sandbox image) and one with htpasswd auth that the node knows as
 * private.ocmadm.test. Nothing in containerd holds a credential: only pull secrets do.
 * - no imagePullSecret: the kubelet's ErrImagePull / ImagePullBackOff with the registry's 401;
 * - a kubernetes.io/dockerconfigjson secret on the pod, or on its ServiceAccount: the pod runs;
 * - imagePullPolicy Never without the image: ErrImageNeverPull; IfNotPresent with the image: no
 *   request reaches the registry; Always: one does; a pod without the secret does not get the
 *   image another pod pulled with it (the kubelet checks credentials again, beta since 1.35);
 * - the CLI: init --image <private image> --image-pull-secret --wait brings the hub controller
 *   pods to Ready; without the secret, --wait names the pull failure and the 401 in one line, exit 1.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { waitForList } from '../../src/kube/wait.js';
import type { LocalCluster } from '../../src/sandbox/cluster.js';
import { AUTH_REGISTRY_HOST, type Registry } from '../../src/sandbox/images/index.js';
import { eventually } from '../support/clusters.js';
import { clientOf, startNodeClusters, startRegistryWithImages, tearDownNodeSuite, waitFor } from './support.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const execFileP = promisify(execFile);
const PAUSE = `${AUTH_REGISTRY_HOST}/pause:3.10.2`;
const NODE = `${AUTH_REGISTRY_HOST}/library/node:24-bookworm-slim`;
const MS = 240_000;

type Waiting = { reason?: string; message?: string };
type PodObj = { spec?: Record<string, unknown>; status?: Record<string, unknown> } | undefined;
const waitingOf = (p: PodObj): Waiting | undefined => ((p?.status?.containerStatuses as { state?: { waiting?: Waiting } }[] | undefined)?.[0]?.state?.waiting);
const running = (p: PodObj) => (p?.status?.containerStatuses as { state?: { running?: object } }[] | undefined)?.[0]?.state?.running !== undefined;

/** Requests the registry logged (its access log: method, path, status), in order. */
function requests(reg: Registry): { method: string; path: string; status: number }[] {
  const out = [];
  for (const m of fs.readFileSync(reg.logFile, 'utf8').matchAll(/"(GET|HEAD) (\S+) HTTP\/[\d.]+" (\d{3}) /g)) out.push({ method: m[1]!, path: m[2]!, status: Number(m[3]) });
  return out;
}
const manifestRequests = (reg: Registry, repo: string, since: number) => requests(reg).slice(since).filter((r) => r.path.startsWith(`/v2/${repo}/manifests/`));

describe('image pulls with and without pull secrets on a real node', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocmadm-pullauth-'));
  const auth = { username: 'puller', password: `pw-${process.pid}-${Date.now()}` };
  let registry: Registry | undefined;
  let authRegistry: Registry | undefined;
  let cluster: LocalCluster;
  let client: KubeClient;

  const dockerConfigSecret = (namespace: string, name: string) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { namespace, name },
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths: { [AUTH_REGISTRY_HOST]: { auth: Buffer.from(`${auth.username}:${auth.password}`).toString('base64') } } })).toString('base64') },
  });
  const namespace = (name: string) => client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const createPod = (ns: string, name: string, image: string, o: { pod?: object; container?: object } = {}) =>
    client.create(`/api/v1/namespaces/${ns}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'main', image, ...o.container }], ...o.pod } });
  const pod = (ns: string, name: string, done: (p: PodObj) => boolean, what: string) => waitFor(client, { group: '', version: 'v1', resource: 'pods', namespace: ns, name }, done, `pod ${ns}/${name} ${what}`, MS);
  /** The kubelet's events about a pod, once one matches. */
  const eventFor = (ns: string, name: string, match: (e: { reason?: string; message?: string }) => boolean, what: string) =>
    waitForList<KubeObject & { reason?: string; message?: string }>(client, `/api/v1/namespaces/${ns}/events`, (items) => items.some(match), {
      fieldSelector: `involvedObject.name=${name}`,
      deadline: Date.now() + MS,
      what: `event ${what} for ${ns}/${name}`,
    }).then((items) => items.find(match)!);

  beforeAll(async () => {
    registry = await startRegistryWithImages(dir);
    authRegistry = await startRegistryWithImages(dir, { auth });
    [cluster] = (await startNodeClusters(['pullauth'], dir, registry, authRegistry)) as [LocalCluster];
    client = await clientOf(cluster);
    for (const ns of ['no-secret', 'with-secret', 'by-sa']) await namespace(ns);
  }, 600_000);

  afterAll(() => tearDownNodeSuite(dir, [client], [cluster, registry, authRegistry]));

  it('without an imagePullSecret: ErrImagePull, then ImagePullBackOff, with the registry\'s 401', async () => {
    await createPod('no-secret', 'p', PAUSE);
    const failed = await eventFor('no-secret', 'p', (e) => e.reason === 'Failed' && /^Failed to pull image/.test(e.message ?? ''), 'Failed (to pull image)');
    expect(failed.message).toMatch(/401 Unauthorized/);
    await eventFor('no-secret', 'p', (e) => e.reason === 'Failed' && e.message === 'Error: ErrImagePull', 'Failed (Error: ErrImagePull)');
    const p = await pod('no-secret', 'p', (o) => waitingOf(o)?.reason === 'ImagePullBackOff', 'in ImagePullBackOff');
    expect(waitingOf(p)!.message).toMatch(/401 Unauthorized/);
    // The registry refused the node's anonymous request, and served it nothing.
    expect(manifestRequests(authRegistry!, 'pause', 0).map((r) => r.status)).toContain(401);
    expect(manifestRequests(authRegistry!, 'pause', 0).filter((r) => r.status === 200 && r.method === 'GET')).toEqual([]);
  });

  it('with a kubernetes.io/dockerconfigjson pull secret on the pod: pulled and running', async () => {
    await client.create('/api/v1/namespaces/with-secret/secrets', dockerConfigSecret('with-secret', 'regcred'));
    const mark = requests(authRegistry!).length;
    await createPod('with-secret', 'p', PAUSE, { pod: { imagePullSecrets: [{ name: 'regcred' }] } });
    await pod('with-secret', 'p', running, 'running');
    // containerd resolves the tag (HEAD); the blobs it already has from the sandbox image (same digest).
    await eventually(async () => manifestRequests(authRegistry!, 'pause', mark).some((r) => r.status === 200), { ms: 30_000, describe: () => 'no authorized manifest request in the registry log' });
  });

  it("through the ServiceAccount's imagePullSecrets (imagePullPolicy Always: a pull of its own)", async () => {
    await client.create('/api/v1/namespaces/by-sa/secrets', dockerConfigSecret('by-sa', 'sa-regcred'));
    await client.create('/api/v1/namespaces/by-sa/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'puller' }, imagePullSecrets: [{ name: 'sa-regcred' }] });
    const mark = requests(authRegistry!).length;
    await createPod('by-sa', 'p', PAUSE, { pod: { serviceAccountName: 'puller' }, container: { imagePullPolicy: 'Always' } });
    const p = await pod('by-sa', 'p', running, 'running');
    // The ServiceAccount admission plugin copied the secret onto the pod; the pod asked for none.
    expect((p as PodObj)!.spec!.imagePullSecrets).toEqual([{ name: 'sa-regcred' }]);
    await eventually(async () => manifestRequests(authRegistry!, 'pause', mark).some((r) => r.status === 200), { ms: 30_000, describe: () => 'no authorized manifest request in the registry log' });
  });

  it('imagePullPolicy Never with an image not on the node: ErrImageNeverPull', async () => {
    await createPod('with-secret', 'never', `${AUTH_REGISTRY_HOST}/not/here:1`, { pod: { imagePullSecrets: [{ name: 'regcred' }] }, container: { imagePullPolicy: 'Never' } });
    const p = await pod('with-secret', 'never', (o) => waitingOf(o)?.reason === 'ErrImageNeverPull', 'in ErrImageNeverPull');
    expect(waitingOf(p)!.message).toMatch(/not present with pull policy of Never/);
  });

  it('IfNotPresent with the image on the node: starts without any request to the registry', async () => {
    const mark = requests(authRegistry!).length;
    await createPod('with-secret', 'again', PAUSE, { pod: { imagePullSecrets: [{ name: 'regcred' }] }, container: { imagePullPolicy: 'IfNotPresent' } });
    await pod('with-secret', 'again', running, 'running');
    const pulled = await eventFor('with-secret', 'again', (e) => e.reason === 'Pulled', 'Pulled');
    expect(pulled.message).toMatch(/already present on machine/);
    // A pull resolves the manifest before anything runs: had there been one, it would be logged by
    // now, served (200) since this pod has the secret. The 401s meanwhile are no-secret/p's retries.
    expect(manifestRequests(authRegistry!, 'pause', mark).filter((r) => r.status !== 401)).toEqual([]);
  });

  it('Always pulls again, with the secret', async () => {
    const mark = requests(authRegistry!).length;
    await createPod('with-secret', 'always', PAUSE, { pod: { imagePullSecrets: [{ name: 'regcred' }] }, container: { imagePullPolicy: 'Always' } });
    await pod('with-secret', 'always', running, 'running');
    const pulled = await eventFor('with-secret', 'always', (e) => e.reason === 'Pulled', 'Pulled');
    expect(pulled.message).toMatch(/Successfully pulled image/);
    await eventually(async () => manifestRequests(authRegistry!, 'pause', mark).some((r) => r.status === 200), { ms: 30_000, describe: () => 'no authorized manifest request in the registry log' });
  });

  it('a pod without the secret does not get the image that pods with it pulled (IfNotPresent: the kubelet checks credentials again)', async () => {
    const mark = requests(authRegistry!).length;
    await createPod('no-secret', 'later', PAUSE, { container: { imagePullPolicy: 'IfNotPresent' } });
    const p = await pod('no-secret', 'later', (o) => ['ErrImagePull', 'ImagePullBackOff'].includes(waitingOf(o)?.reason ?? ''), 'failing to pull');
    expect(waitingOf(p)!.message).toMatch(/401 Unauthorized/);
    expect(manifestRequests(authRegistry!, 'pause', mark).map((r) => r.status)).toContain(401);
  });

  const ocmadm = (args: string[]) =>
    execFileP(process.execPath, [path.join(ROOT, 'bin/ocmadm'), ...args, '--kubeconfig', cluster.adminKubeconfigPath], { maxBuffer: 16 << 20 }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  it('init --image <private image> --image-pull-secret --wait: the hub controller pods pull it and become Ready', async () => {
    await namespace('open-cluster-management-hub');
    await client.create('/api/v1/namespaces/open-cluster-management-hub/secrets', dockerConfigSecret('open-cluster-management-hub', 'regcred'));
    const good = await ocmadm(['init', '--image', NODE, '--image-pull-secret', 'regcred', '--wait', '-o', 'json']);
    expect(good.code === 0 ? 0 : good.stderr).toBe(0);
    type HubPod = KubeObject & PodObj & { spec: { containers: { image: string }[]; imagePullSecrets?: { name: string }[] } };
    const pods = (await client.list<HubPod>('/api/v1/namespaces/open-cluster-management-hub/pods', { labelSelector: 'app=ocmadm-hub-controller' })).items;
    expect(pods).toHaveLength(2);
    for (const p of pods) {
      expect({ image: p.spec.containers[0]!.image, secrets: p.spec.imagePullSecrets }).toEqual({ image: NODE, secrets: [{ name: 'regcred' }] });
      expect((p.status?.conditions as { type: string; status: string }[]).find((c) => c.type === 'Ready')?.status).toBe('True');
    }
  }, 900_000);

  it('init --image <private image> --wait without the pull secret: one line naming the pull failure with the 401, exit 1', async () => {
    const bad = await ocmadm(['init', '--image', NODE, '--wait']);
    expect(bad.code).toBe(1);
    const lines = bad.stderr.trim().split('\n').filter((l) => /cannot pull/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/the hub controller pod open-cluster-management-hub\/\S+ cannot pull its image: (ErrImagePull|ImagePullBackOff) \(.*401 Unauthorized.*\); check --image, or give --image-pull-secret/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  }, 900_000);
});
