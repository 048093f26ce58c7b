import { DEFAULT_IMAGE, joinOptions, parseHubServer } from './options.js';

const base = { hubToken: 'abcdef.0123456789abcdef', hubApiserver: 'https://hub.example.com:6443', clusterName: 'cluster1' };

describe('joinOptions', () => {
  test('defaults', () => {
    expect(joinOptions(base)).toEqual({
      hubToken: 'abcdef.0123456789abcdef',
      hubServer: 'https://hub.example.com:6443',
      clusterName: 'cluster1',
      caFile: undefined,
      wait: false,
      dryRun: false,
      outputFile: undefined,
      runtime: 'cluster',
      image: DEFAULT_IMAGE,
      imagePullSecrets: [],
      clusterClaims: {},
      force: false,
      output: 'text',
    });
  });

  test('all flags', () => {
    const o = joinOptions({ ...base, runtime: 'local', wait: true, clusterClaims: 'env=prod', force: true, caFile: 'ca.pem', output: 'json' });
    expect(o).toMatchObject({ runtime: 'local', wait: true, clusterClaims: { env: 'prod' }, force: true, caFile: 'ca.pem', output: 'json' });
  });

  test('a proxy for the agent: --proxy-url, with --proxy-ca-file for an https proxy', () => {
    expect(joinOptions({ ...base, proxyUrl: 'http://127.0.0.1:3128' })).toMatchObject({ proxyUrl: 'http://127.0.0.1:3128', proxyCaFile: undefined });
    expect(joinOptions({ ...base, proxyUrl: 'https://proxy:3129', proxyCaFile: 'p.pem' })).toMatchObject({ proxyUrl: 'https://proxy:3129', proxyCaFile: 'p.pem' });
  });

  test.each([
    [{ proxyUrl: 'socks5://proxy:1080' }, /--proxy-url must be an http:\/\/ or https:\/\/ URL/],
    [{ proxyUrl: 'not a url' }, /--proxy-url "not a url" is not a URL/],
    [{ proxyCaFile: 'p.pem' }, /--proxy-ca-file only applies with --proxy-url/],
    [{ proxyUrl: 'http://p:3128', proxyCaFile: '' }, /--proxy-ca-file is empty/],
  ])('bad proxy flags %j', (over, message) => {
    expect(() => joinOptions({ ...base, ...over })).toThrow(message);
  });

  test.each([
    [{ hubToken: undefined }, /--hub-token is required.*ocmadm get token/],
    [{ hubToken: '  ' }, /--hub-token is required/],
    [{ hubToken: 'a b' }, /white space/],
    [{ hubApiserver: undefined }, /--hub-apiserver is required/],
    [{ clusterName: undefined }, /--cluster-name is required/],
    [{ clusterName: 'x'.repeat(64) }, /at most 63/],
    [{ clusterName: 'Bad_Name' }, /DNS-1123 label/],
    [{ runtime: 'docker' }, /--runtime must be cluster or local/],
    [{ dryRun: true, wait: true }, /--wait cannot be combined with --dry-run/],
    [{ runtime: 'local', image: 'x:1' }, /--image only applies to --runtime cluster/],
    [{ clusterClaims: 'nope' }, /name=value/],
    [{ output: 'yaml' }, /unknown output format/],
  ])('rejects %j', (flags, msg) => {
    expect(() => joinOptions({ ...base, ...flags })).toThrow(msg);
  });
});

describe('parseHubServer', () => {
  test('keeps scheme, host, port and path; drops a trailing slash', () => {
    expect(parseHubServer('https://hub:6443/')).toBe('https://hub:6443');
    expect(parseHubServer('https://10.0.0.1:443/k8s/clusters/x/')).toBe('https://10.0.0.1/k8s/clusters/x');
  });

  test('plain http is refused: the token would travel in clear', () => {
    expect(() => parseHubServer('http://hub:6443')).toThrow(/plain http.*in clear/);
  });

  test.each(['hub:6443', 'ftp://hub', 'https://hub?x=1', 'https://u@hub'])('rejects %s', (u) => {
    expect(() => parseHubServer(u)).toThrow(/--hub-apiserver/);
  });
});
