import { unjoinOptions } from './options.js';

describe('unjoinOptions', () => {
  test('defaults: nothing purged, workloads deleted, no hub step', () => {
    expect(unjoinOptions({ clusterName: 'c1', yes: true }, false)).toEqual({
      clusterName: 'c1',
      yes: true,
      dryRun: false,
      purge: false,
      hub: undefined,
      orphanWorkloads: false,
      output: 'text',
    });
  });

  test('--hub-kubeconfig or --hub-context turns the hub step on', () => {
    expect(unjoinOptions({ clusterName: 'c1', yes: true, hubKubeconfig: 'hub.yaml' }, false).hub).toEqual({ kubeconfig: 'hub.yaml', context: undefined });
    expect(unjoinOptions({ clusterName: 'c1', yes: true, hubContext: 'hub' }, false).hub).toEqual({ kubeconfig: undefined, context: 'hub' });
  });

  test('no terminal and no --yes: a usage error (exit 2), unless --dry-run', () => {
    expect(() => unjoinOptions({ clusterName: 'c1' }, false)).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/pass --yes/) }));
    expect(unjoinOptions({ clusterName: 'c1', dryRun: true }, false).dryRun).toBe(true);
  });

  test('on a terminal without --yes the command will ask; JSON output never asks', () => {
    expect(unjoinOptions({ clusterName: 'c1' }, true).yes).toBe(false);
    expect(() => unjoinOptions({ clusterName: 'c1', output: 'json' }, true)).toThrow(/-o json needs --yes or --dry-run/);
  });

  test.each([
    [{}, /--cluster-name is required/],
    [{ clusterName: 'Bad_Name' }, /DNS-1123 label/],
    [{ clusterName: 'x'.repeat(64) }, /at most 63/],
    [{ clusterName: 'c1', output: 'yaml' }, /unknown output format/],
    [{ clusterName: 'c1', hubKubeconfig: '' }, /--hub-kubeconfig is empty/],
  ])('rejects %j with exit 2', (flags, msg) => {
    expect(() => unjoinOptions({ yes: true, ...flags }, false)).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringMatching(msg) }));
  });
});
