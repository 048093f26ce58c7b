/**
 * The sandbox's images on a real container runtime, before any kubelet: a private containerd pulls
 * docker.io/library/node:24-bookworm-slim and registry.k8s.io/pause:3.10.2 by their real names
 * through a hosts.toml mirror to the local registry (which requires auth: an anonymous pull is
 * refused), runs node, runs pause until SIGTERM, and leaves no process, mount or cgroup behind.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { eventually, ROOT } from '../support/clusters.js';
import { NODE_IMAGE, PAUSE_IMAGE, pushSandboxImages, startRegistry, writeMirrorHosts, type PushedImage, type Registry } from '../../src/sandbox/images/index.js';
import { ensureNodePrereqs } from '../../src/sandbox/node/prereqs.js';
import { cgroupDirs, mountsUnder, processesMentioning, removeCgroups, startContainerd, type PrivateContainerd } from './containerd.js';

describe('sandbox images on containerd', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocmadm-ctrd-'));
  const auth = { username: 'puller', password: `pw-${process.pid}` };
  const user = ['--user', `${auth.username}:${auth.password}`];
  let registry: Registry | undefined;
  let containerd: PrivateContainerd | undefined;
  let pushed: PushedImage[] = [];

  beforeAll(async () => {
    // The nodes' prerequisites (containerd, runc, ...): installed with apt-get as root when missing.
    const cannot = await ensureNodePrereqs();
    if (cannot) throw new Error(cannot);
    registry = await startRegistry({ dir: path.join(dir, 'registry'), auth });
    pushed = await pushSandboxImages(registry.address, { auth });
    containerd = await startContainerd(path.join(dir, 'containerd'));
    writeMirrorHosts(containerd.hostsDir, registry.address);
  });

  afterAll(async () => {
    await containerd?.stop();
    await registry?.stop();
    if (containerd) removeCgroups(containerd.cgroupParent);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const pull = (image: string, extra: string[] = []) => containerd!.ctr(['images', 'pull', '--snapshotter', 'native', '--hosts-dir', containerd!.hostsDir, ...extra, image]);

  test('an anonymous pull is refused; with credentials the node image arrives under its real name and digest', async () => {
    await expect(pull(NODE_IMAGE)).rejects.toThrow(/401|unauthorized/i);
    await pull(NODE_IMAGE, user);
    const list = (await containerd!.ctr(['images', 'ls'])).stdout;
    const digest = pushed.find((p) => p.name === NODE_IMAGE)!.manifestDigest;
    expect(list).toMatch(new RegExp(`^${NODE_IMAGE.replace(/[.]/g, '\\.')}\\s+\\S+\\s+${digest}\\s`, 'm'));
  });

  test('node runs in it: Node 24, users and /tmp as in the official image, /bin/sh present', async () => {
    const script = [
      'const os = require("os"), fs = require("fs");',
      'const pw = fs.readFileSync("/etc/passwd", "utf8");',
      'console.log(JSON.stringify({ version: process.version, user: os.userInfo().username, tmp: (fs.statSync("/tmp").mode & 0o7777).toString(8),',
      '  node: /^node:x:1000:1000:/m.test(pw), nonroot: /^nonroot:x:65532:65532:/m.test(pw), ca: fs.existsSync("/etc/ssl/certs/ca-certificates.crt") }));',
    ].join(' ');
    const { stdout } = await containerd!.ctr([
      'run', '--rm', '--snapshotter', 'native', '--cgroup', `/${containerd!.cgroupParent}/node1`,
      NODE_IMAGE, 'node1', '/bin/sh', '-c', `exec node -e '${script}'`,
    ]);
    const seen = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(seen).toEqual({ version: expect.stringMatching(/^v24\./), user: 'root', tmp: '1777', node: true, nonroot: true, ca: fs.existsSync('/etc/ssl/certs/ca-certificates.crt') });
  });

  test('pause runs until SIGTERM and exits 0', async () => {
    await pull(PAUSE_IMAGE, user);
    const child = containerd!.spawnCtr(['run', '--rm', '--snapshotter', 'native', '--cgroup', `/${containerd!.cgroupParent}/pause1`, PAUSE_IMAGE, 'pause1']);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await eventually(async () => / RUNNING/.test((await containerd!.ctr(['tasks', 'ls'])).stdout.split('\n').find((l) => l.startsWith('pause1')) ?? ''), {
      ms: 60_000,
      describe: () => `pause1 never ran; ctr said: ${stderr}`,
    });
    await containerd!.ctr(['tasks', 'kill', '--signal', 'SIGTERM', 'pause1']);
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/shutting down, got signal: terminated/);
  });

  test("examples/hello's server.js serves the greeting on 8080 in the node image and exits 0 on SIGTERM", async () => {
    const config = yaml.load(fs.readFileSync(path.join(ROOT, 'examples', 'hello', '10-config.yaml'), 'utf8')) as { data: Record<string, string> };
    const app = path.join(dir, 'hello-app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'server.js'), config.data['server.js']!);
    const child = containerd!.spawnCtr([
      'run', '--rm', '--snapshotter', 'native', '--cgroup', `/${containerd!.cgroupParent}/hello1`,
      '--mount', `type=bind,src=${app},dst=/app,options=rbind:ro`, '--env', `GREETING=${config.data.greeting}`, '--env', 'HOSTNAME=hello1',
      NODE_IMAGE, 'hello1', 'node', '/app/server.js',
    ]);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await eventually(async () => out.includes('listening on :8080'), { ms: 60_000, describe: () => `hello never listened; ctr said: ${out}` });
    // The container has its own network namespace: ask from inside it.
    const get = (p: string) =>
      containerd!.ctr(['tasks', 'exec', '--exec-id', `get${p.length}`, 'hello1', 'node', '-e', `fetch("http://127.0.0.1:8080${p}").then(async (r) => console.log(r.status, await r.text()))`]);
    expect((await get('/')).stdout).toBe(`200 ${config.data.greeting} (from hello1)\n\n`);
    expect((await get('/healthz')).stdout).toBe('200 ok\n\n');
    await containerd!.ctr(['tasks', 'kill', '--signal', 'SIGTERM', 'hello1']);
    expect(await exited).toBe(0);
  });

  test('after stopping: no containerd, shim or container process, no mount under its directory, no container cgroup', async () => {
    expect((await containerd!.ctr(['containers', 'ls', '-q'])).stdout.trim()).toBe('');
    await containerd!.stop();
    expect(processesMentioning(containerd!.dir)).toEqual([]);
    expect(mountsUnder(dir)).toEqual([]);
    // runc removed each container's cgroup; only the empty parents it made remain, removed here.
    for (const parent of cgroupDirs(containerd!.cgroupParent)) {
      expect(fs.readdirSync(parent, { withFileTypes: true }).filter((e) => e.isDirectory())).toEqual([]);
    }
    removeCgroups(containerd!.cgroupParent);
    expect(cgroupDirs(containerd!.cgroupParent)).toEqual([]);
    // runc kept its state in our directory, not in the machine's /run/containerd/runc.
    for (const id of ['node1', 'pause1', 'hello1']) expect(fs.existsSync(`/run/containerd/runc/k8s.io/${id}`)).toBe(false);
  });
});
