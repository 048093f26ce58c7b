/**
 * The runtime bundles: built by scripts/build-runtimes.mjs with a chosen version, self-contained
 * (run from a directory with no node_modules and no package.json), small enough for a ConfigMap,
 * and started by the loader only when their sha256 matches.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ANNOTATION, BUNDLE_DIR_ENV, MOUNT_DIR, bundleConfigMap, configMapBytes, loadBundle, withBundle } from './index.js';
import { LOADER } from './loader.js';
import { parsePullSecret } from './flags.js';
import { klusterletObjects } from '../install/klusterlet/klusterlet.js';
import { RUNTIME_NODE_FLAGS } from '../runtime/node-flags.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ocmadm-bundle-'));
// The runtimes are copied here alone: nothing beside them to resolve an import from.
const isolated = fs.mkdtempSync(path.join(os.tmpdir(), 'ocmadm-isolated-'));
const env = { [BUNDLE_DIR_ENV]: out };

beforeAll(() => {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-runtimes.mjs'), '--out', out, '--version', '0.0.9'], { stdio: 'pipe' });
  for (const f of ['hub-controller.mjs', 'klusterlet.mjs']) fs.copyFileSync(path.join(out, f), path.join(isolated, f));
}, 120_000);

afterAll(() => {
  fs.rmSync(out, { recursive: true, force: true });
  fs.rmSync(isolated, { recursive: true, force: true });
});

const runNode = (args: string[], extraEnv: Record<string, string> = {}) =>
  spawnSync(process.execPath, args, { cwd: isolated, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...extraEnv } });

test.each(['hub-controller', 'klusterlet'] as const)('%s: self-contained, carries the version it was built with', (kind) => {
  const r = runNode([path.join(isolated, `${kind}.mjs`), '--version']);
  expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 0, stdout: '0.0.9\n', stderr: '' });
  // Its own flag parsing is in the bundle too: a bad flag is exit 2 with the usage.
  const bad = runNode([path.join(isolated, `${kind}.mjs`), '--no-such-flag']);
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/Unknown option '--no-such-flag'\nusage:/);
});

test.each(['hub-controller', 'klusterlet'] as const)('%s: manifest, hash and ConfigMap well under 1 MiB', (kind) => {
  const b = loadBundle(kind, env);
  expect(b.version).toBe('0.0.9');
  expect(crypto.createHash('sha256').update(b.gz).digest('hex')).toBe(b.sha256);
  const cm = bundleConfigMap(b, 'ns');
  expect(cm.metadata?.annotations).toEqual({ [ANNOTATION.version]: '0.0.9', [ANNOTATION.sha256]: b.sha256 });
  expect(Buffer.from((cm as any).binaryData[b.file], 'base64').equals(b.gz)).toBe(true);
  expect(configMapBytes(cm)).toBeLessThan(768 * 1024);
});

describe('the loader', () => {
  let b: ReturnType<typeof loadBundle>;
  beforeAll(() => {
    b = loadBundle('hub-controller', env);
  });
  const loaderEnv = (sha: string) => ({ OCMADM_BUNDLE: path.join(out, b.file), OCMADM_BUNDLE_SHA256: sha });

  test('runs the bundle with the flags after -- when the hash matches', () => {
    // It unpacks into /tmp (the pod's emptyDir); here the machine's /tmp.
    const r = runNode([...RUNTIME_NODE_FLAGS['hub-controller'], '-e', LOADER, '--', '--version'], loaderEnv(b.sha256));
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 0, stdout: '0.0.9\n' });
  });

  test('a bundle whose hash does not match: one line, exit 1, nothing run', () => {
    const r = runNode(['-e', LOADER, '--', '--version'], loaderEnv('0'.repeat(64)));
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`ocmadm runtime: bundle ${path.join(out, b.file)} has sha256 ${b.sha256} but this Deployment expects ${'0'.repeat(64)}; reinstall it with ocmadm upgrade\n`);
  });
});

test('withBundle: image, loader, read-only mount, hash on the pod template, restricted context kept', () => {
  const b = loadBundle('klusterlet', env);
  const objs = klusterletObjects({ clusterName: 'c1', runtime: 'cluster', image: 'mirror/node:24', clusterClaims: {}, bootstrapKubeconfig: 'kc', bundle: b, imagePullSecrets: ['regcred'] });
  const d = objs.find((o) => o.kind === 'Deployment') as any;
  expect(objs.indexOf(objs.find((o) => o.kind === 'ConfigMap')!)).toBe(objs.indexOf(d) - 1);
  const pod = d.spec.template;
  expect(pod.metadata.annotations).toEqual({ [ANNOTATION.version]: '0.0.9', [ANNOTATION.sha256]: b.sha256 });
  expect(pod.spec.imagePullSecrets).toEqual([{ name: 'regcred' }]);
  expect(pod.spec.volumes).toEqual(expect.arrayContaining([{ name: 'runtime', configMap: { name: 'ocmadm-klusterlet-runtime', defaultMode: 0o444 } }]));
  const c = pod.spec.containers[0];
  expect(c.image).toBe('mirror/node:24');
  expect(c.command).toEqual(['node', ...RUNTIME_NODE_FLAGS.klusterlet, '-e', LOADER, '--']);
  expect(c.env).toEqual(expect.arrayContaining([{ name: 'OCMADM_BUNDLE', value: `${MOUNT_DIR}/klusterlet.mjs.gz` }, { name: 'OCMADM_BUNDLE_SHA256', value: b.sha256 }]));
  expect(c.volumeMounts).toEqual(expect.arrayContaining([{ name: 'runtime', mountPath: MOUNT_DIR, readOnly: true }, { name: 'tmp', mountPath: '/tmp' }]));
  expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false });
  expect(pod.spec.securityContext).toMatchObject({ runAsUser: 65532 });
  // The input object is not changed.
  expect(withBundle(d, b, { image: 'x', imagePullSecrets: [] })).not.toBe(d);
});

test('--image-pull-secret: a Secret name, cluster runtime only', () => {
  expect(parsePullSecret(undefined, 'cluster')).toEqual([]);
  expect(parsePullSecret('regcred', 'cluster')).toEqual(['regcred']);
  expect(() => parsePullSecret('Reg_Cred', 'cluster')).toThrow('--image-pull-secret "Reg_Cred" is not a Secret name');
  expect(() => parsePullSecret('regcred', 'local')).toThrow('only applies to --runtime cluster');
});
