import { FlagError, parseHubFlags } from './options.js';

describe('hub controller flags', () => {
  test('defaults: runtime namespace, port 8000, info logs, a generated identity, in-cluster config', () => {
    const f = parseHubFlags([]);
    expect(f).toMatchObject({ autoApproveUsers: [], namespace: 'open-cluster-management-hub', healthPort: 8000, healthBind: '0.0.0.0', logLevel: 'info', kubeconfig: undefined, tokenRefresh: undefined });
    expect(f.identity).toMatch(/_[a-z0-9]+$/);
  });

  test('every flag', () => {
    const f = parseHubFlags([
      '--kubeconfig', '/tmp/k', '--namespace', 'hub-x', '--health-port', '0', '--health-bind', '127.0.0.1',
      '--id', 'r1', '--token-refresh', 'hub-x/ocmadm-hub-controller', '--log-level', 'debug',
      '--auto-approve-users', 'system:bootstrap:ocmhub, u2,,u2',
    ]);
    expect(f).toEqual({
      kubeconfig: '/tmp/k',
      namespace: 'hub-x',
      healthPort: 0,
      healthBind: '127.0.0.1',
      identity: 'r1',
      tokenRefresh: { namespace: 'hub-x', name: 'ocmadm-hub-controller' },
      logLevel: 'debug',
      autoApproveUsers: ['system:bootstrap:ocmhub', 'u2'],
    });
  });

  test.each([
    [['--health-port', 'x']],
    [['--health-port', '70000']],
    [['--log-level', 'loud']],
    [['--token-refresh', 'no-slash']],
    [['--namespace', 'Bad_NS']],
    [['--unknown']],
    [['positional']],
    [['--auto-approve-users', ' , ']],
    [['--auto-approve-users', 'a b']],
  ])('rejects %j', (argv) => {
    expect(() => parseHubFlags(argv)).toThrow(FlagError);
  });
});
