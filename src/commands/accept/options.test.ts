import { acceptOptions } from './options.js';

describe('acceptOptions', () => {
  test('clusters and requesters are comma lists', () => {
    expect(acceptOptions({ clusters: 'a, b,a', requesters: 'x7k2p', wait: true }, false)).toEqual({
      clusters: ['a', 'b'],
      wait: true,
      skipApproveCheck: false,
      requesters: ['x7k2p'],
      dryRun: false,
      output: 'text',
    });
  });

  test('without --clusters and without a terminal: a usage error (exit 2)', () => {
    expect(() => acceptOptions({}, false)).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/--clusters is required when not on a terminal/) }));
  });

  test('without --clusters on a terminal: empty, the command will ask', () => {
    expect(acceptOptions({}, true).clusters).toEqual([]);
  });

  test('JSON output never prompts', () => {
    expect(() => acceptOptions({ output: 'json' }, true)).toThrow(/-o json needs --clusters/);
  });

  test.each([
    [{ clusters: ',' }, /names no cluster/],
    [{ clusters: 'ok,Not_OK' }, /DNS-1123 label/],
    [{ clusters: 'a', requesters: ' , ' }, /names no requester/],
    [{ clusters: 'a', output: 'yaml' }, /unknown output format/],
    [{ clusters: 'a', dryRun: true, wait: true }, /--wait cannot be combined with --dry-run/],
  ])('rejects %j', (flags, msg) => {
    expect(() => acceptOptions(flags, false)).toThrow(msg);
  });
});
