/** Pure parts of the registry helpers: mirror paths, the registry's config, containerd's hosts.toml. */
import fs from 'node:fs';
import path from 'node:path';
import { mirrorPath, registryConfig, writeMirrorHosts } from './registry.js';
import { linkedLibraries } from './rootfs.js';
import { tempDir } from '../../../test/temp-dirs.js';

describe('registry helpers', () => {
  test('an image name maps to the repository path a mirror is asked for', () => {
    expect(mirrorPath('docker.io/library/node:24-bookworm-slim')).toBe('library/node:24-bookworm-slim');
    expect(mirrorPath('registry.k8s.io/pause:3.10.2')).toBe('pause:3.10.2');
    expect(() => mirrorPath('node:24')).toThrow(/must start with its registry/);
  });

  test('the config stores under the directory, listens where asked, and requires htpasswd auth only when given', () => {
    const dir = tempDir('reg');
    const open = JSON.parse(registryConfig({ dir, address: '127.0.0.1:5001' }));
    expect(open.storage.filesystem.rootdirectory).toBe(path.join(dir, 'data'));
    expect(open.http.addr).toBe('127.0.0.1:5001');
    expect(open.auth).toBeUndefined();
    const locked = JSON.parse(registryConfig({ dir, address: '127.0.0.1:5001', htpasswd: '/x/htpasswd' }));
    expect(locked.auth).toEqual({ htpasswd: { realm: 'ocmadm-sandbox', path: '/x/htpasswd' } });
    expect(locked.http.secret).toBe(open.http.secret); // one secret per directory
    expect(fs.statSync(path.join(dir, 'http-secret')).mode & 0o777).toBe(0o600);
  });

  test('hosts.toml sends docker.io and registry.k8s.io pulls to the local registry only', () => {
    const dir = tempDir('hosts');
    writeMirrorHosts(dir, '127.0.0.1:5001');
    for (const reg of ['docker.io', 'registry.k8s.io']) {
      const toml = fs.readFileSync(path.join(dir, reg, 'hosts.toml'), 'utf8');
      expect(toml).toMatch(/^server = "http:\/\/127\.0\.0\.1:5001"$/m);
      expect(toml).not.toMatch(/https:\/\//);
    }
  });

  test('ldd of a dynamically linked binary lists libc; a static one lists nothing', () => {
    expect(linkedLibraries('/bin/sh').some((l) => /libc\.so/.test(l))).toBe(true);
    const staticBin = tempDir('ldd');
    fs.writeFileSync(path.join(staticBin, 'script'), '#!/bin/sh\n', { mode: 0o755 });
    expect(linkedLibraries(path.join(staticBin, 'script'))).toEqual([]);
  });
});
