/**
 * Pods on real nodes: two clusters started side by side with one node each (containerd, kubelet,
 * kube-proxy in network namespaces of their own), images from the local registry. Pods reach the
 * API server through the kubernetes Service with their token, Deployments become Available through
 * the scheduler, a Service routes to its pods, kubectl logs and exec work, a stopped kubelet makes
 * its Node NotReady, a deleted pod is recreated, and a stopped cluster leaves nothing behind.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubeClient } from '../../src/kube/client.js';
import type { LocalCluster } from '../../src/sandbox/cluster.js';
import { NODE_IMAGE, PAUSE_IMAGE, type Registry } from '../../src/sandbox/images/index.js';
import { podNetnses } from '../../src/sandbox/node/network.js';
import { hostSnapshot, type HostSnapshot } from '../../src/sandbox/node/leftovers.js';
import { clientOf, deploymentAvailable, kubectl, nodeLeftovers, podSucceeded, startNodeClusters, startRegistryWithImages, waitFor } from './support.js';

const NODES = { group: '', version: 'v1', resource: 'nodes' };
const PODS = { group: '', version: 'v1', resource: 'pods', namespace: 'default' };
const DEPLOYMENTS = { group: 'apps', version: 'v1', resource: 'deployments', namespace: 'default' };
type Cond = { type: string; status: string };
const conditionOf = (o: { status?: Record<string, unknown> } | undefined, type: string) => (o?.status?.conditions as Cond[] | undefined)?.find((c) => c.type === type)?.status;

/** In-cluster config by hand: the Service's address from the environment, the mounted token and CA; who am I? */
const WHOAMI = `
const fs = require('fs'), https = require('https');
const d = '/var/run/secrets/kubernetes.io/serviceaccount';
const req = https.request({
  host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT, method: 'POST',
  path: '/apis/authentication.k8s.io/v1/selfsubjectreviews', ca: fs.readFileSync(d + '/ca.crt'),
  headers: { authorization: 'Bearer ' + fs.readFileSync(d + '/token', 'utf8'), 'content-type': 'application/json' },
}, (res) => { let s = ''; res.on('data', (c) => (s += c)); res.on('end', () => { console.log(res.statusCode, s); process.exit(res.statusCode === 201 ? 0 : 1); }); });
req.on('error', (e) => { console.error('error', e.message); process.exit(1); });
req.end(JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }));
`;

const WEB = `require('http').createServer((q, s) => s.end('hello from ' + process.env.HOSTNAME)).listen(8080)`;

/** Asks the Service until it answers (kube-proxy programs its rules within seconds), at most 60 s. */
const CLIENT = (url: string) => `
(async () => {
  const until = Date.now() + 60000;
  for await (const _ of require('timers/promises').setInterval(500)) {
    try { const r = await fetch(${JSON.stringify(url)}); console.log('answer:', await r.text()); process.exit(0); }
    catch (e) { if (Date.now() > until) { console.error('no answer', e.message); process.exit(1); } }
  }
})();
`;

const pod = (name: string, script: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: NODE_IMAGE, command: ['node', '-e', script] }] },
});

describe('clusters with real nodes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocmadm-nodes-'));
  let registry: Registry | undefined;
  let a: LocalCluster, b: LocalCluster;
  let ca: KubeClient, cb: KubeClient;
  let before: HostSnapshot;

  beforeAll(async () => {
    before = await hostSnapshot();
    registry = await startRegistryWithImages(dir);
    const started = await startNodeClusters(['nodes-a', 'nodes-b'], dir, registry);
    [a, b] = [started[0]!, started[1]!];
    [ca, cb] = await Promise.all([clientOf(a), clientOf(b)]);
  }, 600_000);

  afterAll(async () => {
    await Promise.all([ca?.close(), cb?.close()]);
    await Promise.all([a?.stop(), b?.stop()]);
    await registry?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('registers one real, Ready Node per cluster, each in its own network namespace and addresses', async () => {
    for (const [c, client] of [[a, ca], [b, cb]] as const) {
      const node = await waitFor(client, { ...NODES, name: c.node!.name }, (o) => conditionOf(o, 'Ready') === 'True', `Node ${c.node!.name} Ready`);
      const info = (node!.status!.nodeInfo as { kubeletVersion: string; containerRuntimeVersion: string });
      expect(info.kubeletVersion).toBe(c.version);
      expect(info.containerRuntimeVersion).toMatch(/^containerd:\/\//);
      expect(node!.status!.addresses).toContainEqual({ type: 'InternalIP', address: c.node!.ip });
    }
    expect(new Set([a.node!.netns, b.node!.netns, a.node!.ip, b.node!.ip, a.node!.podCidr, b.node!.podCidr]).size).toBe(6);
  });

  it('runs a pod that reaches the API server through the kubernetes Service with its ServiceAccount token, on both clusters at once', async () => {
    await Promise.all(
      [[a, ca], [b, cb]].map(async ([c, client]) => {
        await (client as KubeClient).create('/api/v1/namespaces/default/pods', pod('whoami', WHOAMI));
        const done = await waitFor(client as KubeClient, { ...PODS, name: 'whoami' }, podSucceeded, `pod whoami on ${(c as LocalCluster).name} to finish`);
        const logs = await kubectl(c as LocalCluster, ['logs', 'whoami']);
        expect({ phase: done!.status!.phase, logs }).toEqual({ phase: 'Succeeded', logs: expect.stringContaining('"username":"system:serviceaccount:default:default"') });
      }),
    );
  });

  it('makes a Deployment Available, routes a Service to its pods, and serves kubectl logs and exec', async () => {
    const labels = { app: 'web' };
    await ca.create('/apis/apps/v1/namespaces/default/deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [{ name: 'web', image: NODE_IMAGE, command: ['node', '-e', WEB], ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 } }],
          },
        },
      },
    });
    const svc = await ca.create<{ spec: { clusterIP: string } }>('/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] },
    });
    await waitFor(ca, { ...DEPLOYMENTS, name: 'web' }, deploymentAvailable, 'Deployment web Available');

    await ca.create('/api/v1/namespaces/default/pods', pod('client', CLIENT(`http://${svc.spec.clusterIP}/`)));
    await waitFor(ca, { ...PODS, name: 'client' }, podSucceeded, 'pod client to finish');
    const webPods = (await ca.list<{ metadata: { name: string } }>('/api/v1/namespaces/default/pods', { labelSelector: 'app=web' })).items.map((p) => p.metadata.name);
    const answer = (await kubectl(a, ['logs', 'client'])).trim();
    expect(webPods.map((p) => `answer: hello from ${p}`)).toContain(answer);

    const exec = await kubectl(a, ['exec', webPods[0]!, '--', 'node', '-e', 'console.log("exec in", process.env.HOSTNAME)']);
    expect(exec.trim()).toBe(`exec in ${webPods[0]}`);
  });

  it('recreates a deleted pod of a Deployment', async () => {
    const before = (await ca.list<{ metadata: { name: string } }>('/api/v1/namespaces/default/pods', { labelSelector: 'app=web' })).items.map((p) => p.metadata.name);
    await ca.delete(`/api/v1/namespaces/default/pods/${before[0]}`);
    await waitFor(ca, { ...DEPLOYMENTS, name: 'web' }, (o) => deploymentAvailable(o) && o?.status?.readyReplicas === 2, 'Deployment web back to 2 ready replicas');
    const after = (await ca.list<{ metadata: { name: string; deletionTimestamp?: string } }>('/api/v1/namespaces/default/pods', { labelSelector: 'app=web' })).items.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name);
    expect(after).toHaveLength(2);
    expect(after).not.toContain(before[0]);
  });

  it('marks the Node NotReady when its kubelet stops, and Ready again when it comes back', async () => {
    const name = b.node!.name;
    await b.node!.stopKubelet();
    await waitFor(cb, { ...NODES, name }, (o) => conditionOf(o, 'Ready') === 'Unknown', `Node ${name} NotReady (Unknown) after its kubelet stopped`);
    await b.node!.startKubelet();
    const node = await waitFor(cb, { ...NODES, name }, (o) => conditionOf(o, 'Ready') === 'True', `Node ${name} Ready again`);
    expect(conditionOf(node, 'Ready')).toBe('True');
  });

  it('leaves no process, pod, mount, namespace, veth, cgroup, host iptables chain or rule, or slot behind after stop', async () => {
    // A running pod (pause from the local registry, by its real name) whose sandbox the stop must take along.
    await cb.create('/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'idle' },
      spec: { containers: [{ name: 'idle', image: PAUSE_IMAGE }] },
    });
    await waitFor(cb, { ...PODS, name: 'idle' }, (o) => o?.status?.phase === 'Running', 'pod idle Running');
    const pods = await podNetnses(b.node!.netns);
    expect(pods.length).toBeGreaterThan(0);
    await b.stop();
    expect(await nodeLeftovers(b, { podNetns: pods, before })).toEqual([]);
    // The other cluster's node is untouched.
    const node = await waitFor(ca, { ...NODES, name: a.node!.name }, (o) => conditionOf(o, 'Ready') === 'True', 'the other Node still Ready');
    expect(conditionOf(node, 'Ready')).toBe('True');
  });
});
