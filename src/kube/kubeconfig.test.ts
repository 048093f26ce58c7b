/** The light kubeconfig model: parsing as kubectl does, and the credentials it applies. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type https from 'node:https';
import { KubeConfig, clusterCaPem, mergeCaPem, pemData, singleContextConfig } from './kubeconfig.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const config = (user: Record<string, unknown>, cluster: Record<string, unknown> = {}) => `
apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: { server: "https://h:6443/", certificate-authority-data: ${b64('CA')}, ${Object.entries(cluster).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ')} }
users:
- name: u
  user: ${JSON.stringify(user)}
contexts:
- name: ctx
  context: { cluster: c, user: u, namespace: ns }
current-context: ctx
`;

async function apply(kc: KubeConfig): Promise<https.RequestOptions> {
  const opts: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  return opts;
}

describe('KubeConfig (light)', () => {
  test('current context, cluster (trailing slash dropped), user and namespace', () => {
    const kc = new KubeConfig();
    kc.loadFromString(config({ token: 't' }));
    expect(kc.getCurrentContext()).toBe('ctx');
    expect(kc.getCurrentCluster()).toMatchObject({ name: 'c', server: 'https://h:6443', caData: b64('CA'), skipTLSVerify: false });
    expect(kc.getCurrentUser()).toMatchObject({ name: 'u', token: 't' });
    expect(kc.getContextObject('ctx')?.namespace).toBe('ns');
  });

  test('token → Bearer; basic auth; impersonation; CA from data', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(config({ token: 't', as: 'alice' }));
    const o = await apply(kc);
    expect(o.headers).toEqual({ Authorization: 'Bearer t', 'Impersonate-User': 'alice' });
    expect(String(o.ca)).toBe('CA');
    kc.loadFromString(config({ username: 'a', password: 'b' }));
    expect((await apply(kc)).headers).toEqual({ Authorization: `Basic ${b64('a:b')}` });
  });

  test('client certificate files relative to the kubeconfig, token files read at each use', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-'));
    fs.writeFileSync(path.join(dir, 'tls.crt'), 'CERT');
    fs.writeFileSync(path.join(dir, 'tls.key'), 'KEY');
    fs.writeFileSync(path.join(dir, 'token'), 'one\n');
    fs.writeFileSync(path.join(dir, 'config'), config({ 'client-certificate': 'tls.crt', 'client-key': 'tls.key', tokenFile: 'token' }, { 'insecure-skip-tls-verify': true }));
    const kc = new KubeConfig();
    kc.loadFromFile(path.join(dir, 'config'));
    let o = await apply(kc);
    expect([String(o.cert), String(o.key), o.rejectUnauthorized]).toEqual(['CERT', 'KEY', false]);
    expect(o.headers).toEqual({ Authorization: 'Bearer one' });
    fs.writeFileSync(path.join(dir, 'token'), 'two\n');
    o = await apply(kc);
    expect(o.headers).toEqual({ Authorization: 'Bearer two' });
    fs.rmSync(dir, { recursive: true });
  });

  test('exportConfig round-trips with kubectl field names', () => {
    const kc = new KubeConfig();
    kc.loadFromString(config({ 'client-certificate-data': b64('C'), 'client-key-data': b64('K') }));
    const back = new KubeConfig();
    back.loadFromString(kc.exportConfig());
    expect(back.clusters).toEqual(kc.clusters);
    expect(back.users).toEqual(kc.users);
    expect(back.contexts).toEqual(kc.contexts);
    expect(back.getCurrentContext()).toBe('ctx');
  });

  test('a malformed kubeconfig names what is missing', () => {
    expect(() => new KubeConfig().loadFromString('clusters: [{ name: c, cluster: {} }]')).toThrow('clusters[0].cluster.server is missing');
    expect(() => new KubeConfig().loadFromString('contexts: [{ name: x }]')).toThrow('contexts[0].context is missing');
  });
});

describe('writing kubeconfigs', () => {
  test('one context: YAML with kubectl field names that reads back the same, tls-server-name and proxy-url kept', () => {
    const kc = singleContextConfig({
      cluster: { name: 'hub', server: 'https://10.0.0.1:6443', caData: pemData('CA'), tlsServerName: 'hub.example', proxyUrl: 'http://proxy:3128' },
      user: { name: 'agent', token: 't' },
      context: { name: 'ctx', namespace: 'ns' },
    });
    const text = kc.toYaml();
    expect(text).toContain('tls-server-name: hub.example');
    expect(text).toContain('proxy-url: http://proxy:3128');
    const back = KubeConfig.fromText(text);
    expect(back.getCurrentCluster()).toMatchObject(kc.getCurrentCluster()!);
    expect(back.getCurrentUser()).toMatchObject({ name: 'agent', token: 't' });
    expect(back.getContextObject('ctx')).toEqual({ name: 'ctx', cluster: 'hub', user: 'agent', namespace: 'ns' });
  });

  test('the CA of a cluster: data first, else the file; bundles merge with a newline between', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-'));
    fs.writeFileSync(path.join(dir, 'ca.crt'), 'FROM-FILE');
    expect(clusterCaPem({ caData: b64('FROM-DATA'), caFile: path.join(dir, 'ca.crt') })).toBe('FROM-DATA');
    expect(clusterCaPem({ caFile: path.join(dir, 'ca.crt') })).toBe('FROM-FILE');
    expect(clusterCaPem({})).toBeUndefined();
    expect(mergeCaPem('A', 'B\n')).toBe('A\nB\n');
    fs.rmSync(dir, { recursive: true });
  });

  test('readable errors that name what was read', () => {
    expect(() => KubeConfig.fromText('', 'the bootstrap kubeconfig')).toThrow('the bootstrap kubeconfig is empty');
    expect(() => KubeConfig.fromText('a: [', 'x')).toThrow(/^x is not YAML/);
    expect(() => KubeConfig.fromText('clusters: [{ name: c, cluster: {} }]', 'x')).toThrow('x: clusters[0].cluster.server is missing');
    expect(() => KubeConfig.fromText('clusters: []', 'x').requireCurrentCluster('x')).toThrow('x has no current-context');
  });

  test("kubeadm's cluster-info shape: a cluster named \"\" and nothing else", () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({ clusters: [{ name: '', server: 'https://h:6443', caData: b64('CA') }] });
    expect(clusterCaPem(KubeConfig.fromText(kc.toYaml()).clusters[0]!)).toBe('CA');
  });
});
