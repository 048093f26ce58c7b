/**
 * The sandbox's local registry (distribution's `registry`) serving the locally built pause and
 * Node.js images under their real names' paths: an anonymous pull is refused when the registry
 * requires auth and served otherwise, a second push changes nothing, a stopped registry is gone.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fetch } from 'undici';
import { isAlive } from '../../src/runtime/host/index.js';
import { NODE_IMAGE, PAUSE_IMAGE, pushSandboxImages, startRegistry, type Registry } from '../../src/sandbox/images/index.js';

const ACCEPT = 'application/vnd.oci.image.manifest.v1+json';

async function manifest(reg: Registry, repoAndTag: string, auth?: { username: string; password: string }) {
  const [repo, tag] = repoAndTag.split(':');
  const headers: Record<string, string> = { accept: ACCEPT };
  if (auth) headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  const res = await fetch(`http://${reg.address}/v2/${repo}/manifests/${tag}`, { headers });
  await res.body?.cancel();
  return { status: res.status, digest: res.headers.get('docker-content-digest') };
}

describe('local registry', () => {
  const dirs: string[] = [];
  const registries: Registry[] = [];
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'ocmadm-registry-'));
    dirs.push(d);
    return d;
  };
  afterAll(async () => {
    for (const r of registries) await r.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  test('with htpasswd auth: pushes both images, refuses an anonymous pull, serves an authenticated one, a second push changes nothing', async () => {
    const auth = { username: 'puller', password: 'secret-' + process.pid };
    const reg = await startRegistry({ dir: tmp(), auth });
    registries.push(reg);
    expect(reg.address).toMatch(/^127\.0\.0\.1:\d+$/);

    const pushed = await pushSandboxImages(reg.address, { auth });
    expect(pushed.map((p) => p.name)).toEqual([PAUSE_IMAGE, NODE_IMAGE]);
    expect(pushed.map((p) => p.ref)).toEqual([`${reg.address}/pause:3.10.2`, `${reg.address}/library/node:24-bookworm-slim`]);

    for (const img of pushed) {
      const repoTag = img.ref.slice(reg.address.length + 1);
      expect((await manifest(reg, repoTag)).status).toBe(401);
      expect((await manifest(reg, repoTag, { ...auth, password: 'wrong' })).status).toBe(401);
      expect(await manifest(reg, repoTag, auth)).toEqual({ status: 200, digest: img.manifestDigest });
    }

    const again = await pushSandboxImages(reg.address, { auth });
    expect(again.map((p) => [p.manifestDigest, p.cached])).toEqual(pushed.map((p) => [p.manifestDigest, true]));
    expect(fs.statSync(path.join(path.dirname(reg.logFile), 'htpasswd')).mode & 0o777).toBe(0o600);

    await reg.stop();
    expect(isAlive(reg.pid)).toBe(false);
  });

  test('without auth: an anonymous pull is served', async () => {
    const reg = await startRegistry({ dir: tmp() });
    registries.push(reg);
    const [pause] = await pushSandboxImages(reg.address);
    expect(await manifest(reg, 'pause:3.10.2')).toEqual({ status: 200, digest: pause!.manifestDigest });
  });
});
