import yaml from 'js-yaml';
import { generateKeyAndRequest } from './csr.js';
import {
  bootstrapKubeConfig,
  checkHubKubeconfigSecret,
  currentHubCluster,
  hubKubeConfig,
  hubKubeconfigSecretData,
  hubKubeconfigYaml,
  sameHub,
  type HubCluster,
} from './hub-kubeconfig.js';
import { createTestCa } from '../../../test/klusterlet/ca.js';

const HOUR = 3_600_000;
const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');

/** A bootstrap kubeconfig as `ocmadm join` writes it: cluster hub, user bootstrap, context bootstrap. */
function bootstrapYaml(over: Record<string, unknown> = {}, clusterName = 'hub'): string {
  return yaml.dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: clusterName, cluster: { server: 'https://hub.example:6443', 'certificate-authority-data': CA, ...over } }],
    users: [{ name: 'bootstrap', user: { token: 'abc.def' } }],
    contexts: [{ name: 'bootstrap', context: { cluster: clusterName, user: 'bootstrap', namespace: 'default' } }],
    'current-context': 'bootstrap',
  });
}

async function issued(cluster: string, agent: string, notBefore: number, notAfter: number) {
  const ca = await createTestCa();
  const { keyPem, csrPem } = await generateKeyAndRequest(cluster, agent);
  return { keyPem, certPem: await ca.sign(csrPem, new Date(notBefore), new Date(notAfter)) };
}

describe('bootstrap hub', () => {
  test('reads the current context cluster: its name, server, CA and proxy', () => {
    expect(currentHubCluster(bootstrapYaml({ 'proxy-url': 'http://proxy:3128' }))).toEqual({
      name: 'hub',
      server: 'https://hub.example:6443',
      caData: CA,
      proxyUrl: 'http://proxy:3128',
    });
  });

  test('readable errors for broken kubeconfigs', () => {
    expect(() => currentHubCluster('', 'bootstrap')).toThrow('bootstrap is empty');
    expect(() => currentHubCluster('a: [', 'bootstrap')).toThrow(/not YAML/);
    expect(() => currentHubCluster(yaml.dump({ clusters: [] }), 'bootstrap')).toThrow('bootstrap has no current-context');
    const noCluster = yaml.dump({ 'current-context': 'x', contexts: [{ name: 'x', context: { cluster: 'nope' } }] });
    expect(() => currentHubCluster(noCluster, 'bootstrap')).toThrow('cluster "nope" of context "x" is missing');
  });

  test('the same hub: name, server, proxy and CA must all match (CA compared decoded)', () => {
    const a: HubCluster = { name: 'hub', server: 'https://h:6443', caData: CA };
    expect(sameHub(a, { ...a })).toBe(true);
    expect(sameHub(a, { ...a, caData: Buffer.from(Buffer.from(CA, 'base64')).toString('base64') })).toBe(true);
    expect(sameHub(a, { ...a, name: 'other' })).toBe(false);
    expect(sameHub(a, { ...a, server: 'https://h:6443/' })).toBe(false);
    expect(sameHub(a, { ...a, proxyUrl: 'http://p' })).toBe(false);
    expect(sameHub(a, { ...a, caData: undefined })).toBe(false);
    expect(sameHub(a, { ...a, caFile: '/ca.crt' })).toBe(false);
  });

  test('the bootstrap kubeconfig loads as a client config with its token', () => {
    const kc = bootstrapKubeConfig(bootstrapYaml());
    expect(kc.getCurrentCluster()?.server).toBe('https://hub.example:6443');
    expect(kc.getCurrentUser()?.token).toBe('abc.def');
  });
});

describe('hub kubeconfig', () => {
  test('keeps the bootstrap cluster name; default-context, default-auth, namespace configuration, relative paths', () => {
    const hub = currentHubCluster(bootstrapYaml({ 'proxy-url': 'http://proxy:3128' }, 'my-hub'));
    expect(yaml.load(hubKubeconfigYaml(hub))).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'my-hub', cluster: { server: 'https://hub.example:6443', 'certificate-authority-data': CA, 'proxy-url': 'http://proxy:3128' } }],
      contexts: [{ name: 'default-context', context: { cluster: 'my-hub', user: 'default-auth', namespace: 'configuration' } }],
      'current-context': 'default-context',
      users: [{ name: 'default-auth', user: { 'client-certificate': 'tls.crt', 'client-key': 'tls.key' } }],
      preferences: {},
    });
  });

  test('the secret has exactly the five keys, base64', () => {
    const hub = currentHubCluster(bootstrapYaml());
    const data = hubKubeconfigSecretData(hub, { certPem: 'CERT', keyPem: 'KEY' }, 'c1', 'a1');
    expect(Object.keys(data).sort()).toEqual(['agent-name', 'cluster-name', 'kubeconfig', 'tls.crt', 'tls.key']);
    const dec = (k: string) => Buffer.from(data[k]!, 'base64').toString();
    expect([dec('tls.crt'), dec('tls.key'), dec('cluster-name'), dec('agent-name')]).toEqual(['CERT', 'KEY', 'c1', 'a1']);
    expect(dec('kubeconfig')).toBe(hubKubeconfigYaml(hub));
  });

  test('the in-memory client config carries the cert and key inline', () => {
    const hub = currentHubCluster(bootstrapYaml());
    const kc = hubKubeConfig(hub, { certPem: 'CERT', keyPem: 'KEY' });
    expect(kc.getCurrentCluster()).toMatchObject({ name: 'hub', server: 'https://hub.example:6443', caData: CA, skipTLSVerify: false });
    expect(kc.getCurrentUser()).toMatchObject({ name: 'default-auth', certData: Buffer.from('CERT').toString('base64'), keyData: Buffer.from('KEY').toString('base64') });
  });
});

describe('validity of an existing secret', () => {
  const now = Date.now();
  const hub = currentHubCluster(bootstrapYaml());

  test('a fresh secret for this hub, cluster and agent is valid with no drift', async () => {
    const creds = await issued('c1', 'a1', now - HOUR, now + HOUR);
    const r = checkHubKubeconfigSecret(hubKubeconfigSecretData(hub, creds, 'c1', 'a1'), hub, 'c1', 'a1', new Date(now));
    expect(r).toMatchObject({ valid: true, drift: [], creds });
  });

  test('invalid: missing, another hub, expired, another cluster or agent, or a foreign key', async () => {
    const creds = await issued('c1', 'a1', now - HOUR, now + HOUR);
    const data = hubKubeconfigSecretData(hub, creds, 'c1', 'a1');
    const at = new Date(now);
    const check = (d: Record<string, string> | undefined, h = hub, c = 'c1', a = 'a1', t = at) => checkHubKubeconfigSecret(d, h, c, a, t);
    expect(check(undefined)).toEqual({ valid: false, reason: 'the secret does not exist' });
    expect(check({ ...data, kubeconfig: undefined as unknown as string })).toMatchObject({ valid: false, reason: 'no kubeconfig key' });
    expect(check({ ...data, 'tls.key': undefined as unknown as string })).toMatchObject({ valid: false });
    expect(check(data, { ...hub, server: 'https://elsewhere:6443' })).toMatchObject({ valid: false, reason: expect.stringMatching(/another hub/) });
    expect(check(data, { ...hub, name: 'renamed' })).toMatchObject({ valid: false });
    expect(check(data, hub, 'c1', 'a1', new Date(now + 2 * HOUR))).toMatchObject({ valid: false, reason: expect.stringMatching(/expired/) });
    expect(check(data, hub, 'c2', 'a1')).toMatchObject({ valid: false, reason: expect.stringMatching(/for c1:a1, not c2:a1/) });
    expect(check(data, hub, 'c1', 'a2')).toMatchObject({ valid: false });
    const other = await issued('c1', 'a1', now - HOUR, now + HOUR);
    expect(check({ ...data, 'tls.key': Buffer.from(other.keyPem).toString('base64') })).toMatchObject({ valid: false, reason: 'the certificate does not belong to the key' });
  });

  test('drift of kubeconfig text, cluster-name or agent-name is reported, the secret stays usable', async () => {
    const creds = await issued('c1', 'a1', now - HOUR, now + HOUR);
    const data = hubKubeconfigSecretData(hub, creds, 'c1', 'a1');
    const edited = yaml.load(Buffer.from(data.kubeconfig!, 'base64').toString()) as Record<string, unknown>;
    edited['current-context'] = 'default-context';
    (edited as { users: unknown[] }).users = [{ name: 'default-auth', user: { 'client-certificate': '/abs/tls.crt', 'client-key': 'tls.key' } }];
    const r = checkHubKubeconfigSecret(
      { ...data, kubeconfig: Buffer.from(yaml.dump(edited)).toString('base64'), 'cluster-name': Buffer.from('x').toString('base64'), 'agent-name': '' },
      hub,
      'c1',
      'a1',
      new Date(now),
    );
    expect(r).toMatchObject({ valid: true, drift: ['kubeconfig', 'cluster-name', 'agent-name'] });
  });
});
