/** Where the control-plane binaries come from, and what the user is told when there are none. */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { findBinaries, K8S_BINARIES, K8SBINS_MODULE, moduleCacheKey } from './binaries.js';
import { tempDir } from '../../test/temp-dirs.js';

const tmp = () => tempDir('bins');

function fakeBinDir(dir: string, except?: string): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const b of K8S_BINARIES) if (b !== except) fs.writeFileSync(path.join(dir, b), '#!/bin/sh\n', { mode: 0o755 });
  return dir;
}

const noGo = (cache: string) => ({ PATH: '/nonexistent', XDG_CACHE_HOME: cache, HOME: cache });

describe('findBinaries', () => {
  test('OCMADM_K8S_BIN wins when complete', async () => {
    const dir = fakeBinDir(tmp());
    const found = await findBinaries({ env: { ...noGo(tmp()), OCMADM_K8S_BIN: dir } });
    expect(found['kube-apiserver']).toBe(path.join(dir, 'kube-apiserver'));
  });

  test('OCMADM_K8S_BIN lacking a binary: names the directory and what it must hold', async () => {
    const dir = fakeBinDir(tmp(), 'etcd');
    await expect(findBinaries({ env: { ...noGo(tmp()), OCMADM_K8S_BIN: dir } })).rejects.toThrow(new RegExp(`OCMADM_K8S_BIN=${dir} must be a directory holding etcd`));
  });

  test('an installed package (no build module) without a cache: says to set OCMADM_K8S_BIN or build from a checkout', async () => {
    const err = findBinaries({ moduleDir: path.join(tmp(), 'missing'), env: noGo(tmp()) });
    await expect(err).rejects.toThrow(/set OCMADM_K8S_BIN .*build them from an ocmadm checkout.*npm run k8s:bins.*no build module/);
  });

  test('a checkout without Go and without a cache: says to install Go or set OCMADM_K8S_BIN', async () => {
    const mod = tmp();
    fs.writeFileSync(path.join(mod, 'go.sum'), '');
    fs.writeFileSync(path.join(mod, 'build.sh'), '');
    await expect(findBinaries({ moduleDir: mod, env: noGo(tmp()) })).rejects.toThrow(/install Go >= 1\.26 .*or set OCMADM_K8S_BIN/);
  });

  test('without Go, a complete build in the cache is used, an incomplete one is not', async () => {
    const cache = tmp();
    fakeBinDir(path.join(cache, 'ocmadm', 'k8sbins', 'aaaa'), 'kubectl');
    const good = fakeBinDir(path.join(cache, 'ocmadm', 'k8sbins', 'bbbb'));
    const found = await findBinaries({ moduleDir: path.join(tmp(), 'missing'), env: noGo(cache) });
    expect(found.etcd).toBe(path.join(good, 'etcd'));
  });
});

describe('cache key', () => {
  test('binaries.ts computes the same key as build.sh --key (same files, same order)', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, GOTOOLCHAIN: 'local' };
    delete env.OCMADM_K8S_BIN;
    const fromScript = execFileSync('bash', [path.join(K8SBINS_MODULE, 'build.sh'), '--key'], { env, encoding: 'utf8' }).trim();
    const goVersion = execFileSync('go', ['version'], { env, encoding: 'utf8' }).trim();
    expect(fromScript).toMatch(/^[0-9a-f]{16}$/);
    expect(moduleCacheKey(K8SBINS_MODULE, goVersion)).toBe(fromScript);
  });
});
