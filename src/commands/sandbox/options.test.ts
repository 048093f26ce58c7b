/** sandbox flags and the record layout: pure, no processes. */
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../cli/errors.js';
import { downOptions, statusOptions, upOptions } from './options.js';
import { newRecord, sandboxDir, sandboxEnv } from './state.js';

describe('sandbox up options', () => {
  test('defaults: name ocm, 2 spokes, not bare, text', () => {
    expect(upOptions({})).toEqual({ name: 'ocm', spokes: 2, bare: false, output: 'text' });
  });

  test.each([['-1'], ['1.5'], ['two'], ['9'], ['']])('--spokes %p is a usage error', (spokes) => {
    expect(() => upOptions({ spokes })).toThrow(UsageError);
  });

  test('--nodes: 0 or 1, unset means "where the machine can"; anything else is a usage error', () => {
    expect(upOptions({}).nodes).toBeUndefined();
    expect(upOptions({ nodes: '0' }).nodes).toBe(0);
    expect(upOptions({ nodes: '1' }).nodes).toBe(1);
    for (const nodes of ['2', 'yes', '', '-1']) expect(() => upOptions({ nodes })).toThrow(/--nodes must be 0 .* or 1/);
  });

  test('--spokes 0 is a hub alone', () => {
    expect(upOptions({ spokes: '0' }).spokes).toBe(0);
  });

  test.each([['Demo'], ['-a'], ['a_b'], ['x'.repeat(31)], ['a.b']])('--name %p is a usage error naming the rule', (name) => {
    expect(() => upOptions({ name })).toThrow(/--name .* lowercase letters, digits and dashes/);
  });

  test('-o yaml is refused; json accepted', () => {
    expect(() => upOptions({ output: 'yaml' })).toThrow(UsageError);
    expect(upOptions({ output: 'json' }).output).toBe('json');
  });

  test('down and status check the name the same way; status without a name lists all', () => {
    expect(downOptions({}).name).toBe('ocm');
    expect(() => downOptions({ name: 'Bad' })).toThrow(UsageError);
    expect(statusOptions({}).name).toBeUndefined();
  });
});

describe('sandbox record', () => {
  const env = { OCMADM_STATE_DIR: path.join(os.tmpdir(), 'ocmadm-state') };
  const dir = sandboxDir('demo', env);
  const rec = newRecord('demo', dir, 2, false);

  test('lives under <state>/sandboxes/<name>; runtimes get a state dir inside it', () => {
    expect(dir).toBe(path.join(env.OCMADM_STATE_DIR, 'sandboxes', 'demo'));
    expect(rec.kubeconfig).toBe(path.join(dir, 'kubeconfig'));
    expect(sandboxEnv(rec, env).OCMADM_STATE_DIR).toBe(path.join(dir, 'state'));
  });

  test('contexts <name>-hub, <name>-spokeN; spokes join as spokeN', () => {
    expect(rec.clusters.map((c) => [c.role, c.context, c.clusterName])).toEqual([
      ['hub', 'demo-hub', undefined],
      ['spoke', 'demo-spoke1', 'spoke1'],
      ['spoke', 'demo-spoke2', 'spoke2'],
    ]);
  });

  test('records the up process so status can tell a sandbox still starting', () => {
    expect(rec.up.pid).toBe(process.pid);
    expect(rec.readyAt).toBeUndefined();
  });
});
