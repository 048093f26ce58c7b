import { FlagError, parseKlusterletFlags, parsePairs } from './options.js';

describe('klusterlet flags', () => {
  test('defaults', () => {
    expect(parseKlusterletFlags(['--cluster-name', 'c1'])).toEqual({
      kubeconfig: undefined,
      clusterName: 'c1',
      agentNamespace: undefined,
      agentId: undefined,
      spokeExternalServerUrl: undefined,
      healthPort: 8001,
      healthBind: '0.0.0.0',
      tokenRefresh: undefined,
      clientCertExpirationSeconds: undefined,
      clusterClaims: {},
      clusterAnnotations: {},
      reservedClaimSuffixes: [],
      maxCustomClusterClaims: 20,
      statusSyncSeconds: 10,
      evictionGraceSeconds: 3600,
      logLevel: 'info',
    });
  });

  test('every flag', () => {
    const f = parseKlusterletFlags([
      '--kubeconfig', '/k',
      '--cluster-name', 'c1',
      '--agent-namespace', 'ns1',
      '--agent-id', 'abc12',
      '--spoke-external-server-url', 'https://spoke:6443',
      '--health-port', '0',
      '--token-refresh', 'open-cluster-management-agent/klusterlet-agent',
      '--client-cert-expiration-seconds', '7200',
      '--cluster-claims', 'region.example=eu, env.example=prod',
      '--cluster-annotations', 'agent.open-cluster-management.io/x=1',
      '--reserved-claim-suffixes', '.mycorp.io',
      '--max-custom-cluster-claims', '5',
      '--status-sync-interval', '3',
      '--appliedmanifestwork-eviction-grace-period', '0',
      '--log-level', 'debug',
    ]);
    expect(f).toMatchObject({ statusSyncSeconds: 3, evictionGraceSeconds: 0 });
    expect(f).toMatchObject({
      kubeconfig: '/k',
      agentNamespace: 'ns1',
      agentId: 'abc12',
      spokeExternalServerUrl: 'https://spoke:6443',
      healthPort: 0,
      tokenRefresh: { namespace: 'open-cluster-management-agent', name: 'klusterlet-agent' },
      clientCertExpirationSeconds: 7200,
      clusterClaims: { 'region.example': 'eu', 'env.example': 'prod' },
      clusterAnnotations: { 'agent.open-cluster-management.io/x': '1' },
      reservedClaimSuffixes: ['.mycorp.io'],
      maxCustomClusterClaims: 5,
      logLevel: 'debug',
    });
  });

  test.each([
    [['--cluster-name', 'Bad_Name'], /DNS-1123 label/],
    [['--cluster-name', 'a'.repeat(64)], /DNS-1123 label/],
    [['--agent-namespace', 'NS'], /not a namespace name/],
    [['--spoke-external-server-url', 'http://spoke'], /https URL/],
    [['--health-port', '70000'], /--health-port/],
    [['--client-cert-expiration-seconds', '600'], /from 3600/],
    [['--token-refresh', 'nope'], /<namespace>\/<serviceaccount>/],
    [['--cluster-claims', 'novalue'], /key=value/],
    [['--cluster-claims', 'Bad Name=x'], /not a valid claim name/],
    [['--log-level', 'loud'], /--log-level/],
    [['--unknown'], /Unknown option/],
    [['positional'], /positional/],
  ])('%j is refused', (argv, msg) => {
    expect(() => parseKlusterletFlags(argv as string[])).toThrow(FlagError);
    expect(() => parseKlusterletFlags(argv as string[])).toThrow(msg as RegExp);
  });

  test('pairs', () => {
    expect(parsePairs('--x', undefined)).toEqual({});
    expect(parsePairs('--x', 'a=1,b=x=y,')).toEqual({ a: '1', b: 'x=y' });
  });
});
