/** Pure parts of a node: prerequisites verdicts, slot addresses, configuration files. */
import yaml from 'js-yaml';
import { checkNodePrereqs, ensureInotify, ensureNodePrereqs, INOTIFY_INSTANCES, NODE_PACKAGES, type InotifyLimit, type PrereqProbe } from './prereqs.js';
import { slotAddresses } from './slot.js';
import { kubeletExitCause } from './index.js';
import { cniConflist, containerdToml, kubeletConfigYaml, kubeProxyConfigYaml, type NodeLayout } from './config.js';

const probe = (o: Partial<PrereqProbe> & { missing?: string[]; apt?: boolean }): PrereqProbe => ({
  platform: o.platform ?? 'linux',
  uid: o.uid ?? 0,
  has: (f) => (f === 'apt-get' ? (o.apt ?? true) : !(o.missing ?? []).includes(f)),
});

describe('node prerequisites', () => {
  test('ready: Linux, root, every package', () => {
    expect(checkNodePrereqs(probe({}))).toEqual({ ok: true });
  });

  test('not Linux or not root: one line, nothing to install', () => {
    expect(checkNodePrereqs(probe({ platform: 'darwin' }))).toMatchObject({ ok: false, install: false, reason: 'nodes need Linux (this is darwin)' });
    expect(checkNodePrereqs(probe({ uid: 1000 }))).toMatchObject({ ok: false, install: false, reason: expect.stringMatching(/^nodes need root .*run as root$/) });
  });

  test('a missing package names the package and how to get it', () => {
    const v = checkNodePrereqs(probe({ missing: [NODE_PACKAGES.socat!], apt: false }));
    expect(v).toEqual({ ok: false, install: false, missing: ['socat'], reason: 'nodes need the packages socat; install them with your package manager (Debian: apt-get install -y socat)' });
  });

  test('root with apt-get: installs what is missing (update once, then install), logging one line', async () => {
    const missing = new Set([NODE_PACKAGES.containerd!, NODE_PACKAGES.runc!]);
    const ran: string[] = [];
    const logs: string[] = [];
    const why = await ensureNodePrereqs({
      probe: { platform: 'linux', uid: 0, has: (f) => f === 'apt-get' || !missing.has(f) },
      inotify: fakeInotify(INOTIFY_INSTANCES),
      run: async (cmd, args) => {
        ran.push([cmd, ...args.filter((a) => !a.startsWith('DPkg') && a !== '-o')].join(' '));
        if (args.includes('install')) missing.clear();
      },
      log: (l) => logs.push(l),
    });
    expect(why).toBeUndefined();
    expect(ran).toEqual(['apt-get update -q', 'apt-get install -y -q --no-install-recommends containerd runc']);
    expect(logs).toEqual(['installing containerd runc with apt-get (needed by nodes)']);
  });

  test('a failing apt-get is one line naming the packages', async () => {
    const why = await ensureNodePrereqs({
      probe: probe({ missing: ['socat'] }),
      run: async () => {
        throw new Error('E: Unable to locate package socat\nmore');
      },
      log: () => undefined,
    });
    expect(why).toBe('nodes need the packages socat; apt-get install failed: E: Unable to locate package socat');
  });

  test("inotify: Linux's default 128 instances is raised to 1024 with one line; a higher limit is left alone; a refusal is one line", async () => {
    const low = fakeInotify(128);
    const logs: string[] = [];
    expect(await ensureNodePrereqs({ probe: probe({}), inotify: low, log: (l) => logs.push(l) })).toBeUndefined();
    expect(low.get()).toBe(INOTIFY_INSTANCES);
    expect(logs).toEqual([expect.stringMatching(/^raised fs.inotify.max_user_instances from 128 to 1024 /)]);

    const high = fakeInotify(8192);
    expect(ensureInotify(high, (l) => logs.push(l))).toBeUndefined();
    expect([high.get(), logs.length]).toEqual([8192, 1]);

    const ro: InotifyLimit = { get: () => 128, set: () => { throw new Error('EROFS: read-only file system'); } };
    expect(ensureInotify(ro, () => undefined)).toBe(
      'nodes need fs.inotify.max_user_instances of at least 1024 and it could not be raised (EROFS: read-only file system): run sysctl -w fs.inotify.max_user_instances=1024',
    );
  });
});

describe('a kubelet that exits during startup', () => {
  test("out of inotify instances: the error names the limit, the count in use and the fix; another cause adds nothing", () => {
    const tail = 'E1204 15:40:24.071482    5519 kubelet.go:1804] "Failed to start cAdvisor" err="inotify_init: too many open files"';
    expect(kubeletExitCause(tail)).toMatch(/^ \(the machine's inotify instances are used up: fs.inotify.max_user_instances is \d+, \d+ in use; raise it with sysctl -w fs.inotify.max_user_instances=1024\)$/);
    expect(kubeletExitCause('E1204 kubelet.go:1] "failed to run Kubelet" err="something else"')).toBe('');
  });
});

function fakeInotify(start: number): InotifyLimit {
  let n = start;
  return { get: () => n, set: (v) => (n = v) };
}

describe('node slots', () => {
  test('slot s: its own /30, pod CIDR, namespace and veth names (<= 15 characters)', () => {
    expect(slotAddresses(0)).toMatchObject({ netns: 'ocmadm-n0', hostVeth: 'ocmadm-h0', hostIp: '10.213.0.1', nodeIp: '10.213.0.2', podCidr: '10.214.0.0/24', podGateway: '10.214.0.1' });
    expect(slotAddresses(63)).toMatchObject({ hostIp: '10.213.0.253', nodeIp: '10.213.0.254', podCidr: '10.214.63.0/24', hostVeth: 'ocmadm-h63' });
    expect(() => slotAddresses(64)).toThrow(/out of range/);
  });
});

describe('node configuration', () => {
  const layout: NodeLayout = { dir: '/c/node', slot: slotAddresses(3), nodeName: 'c1-node', apiPort: 12345, registryPort: 5000, pauseImage: 'registry.k8s.io/pause:3.10.2' };

  test('containerd: private root and socket, clamped oom_score_adj, native snapshotter, cgroupfs runc, CNI and registry hosts', () => {
    const t = containerdToml(layout);
    for (const line of [
      'root = "/c/node/containerd/root"',
      'address = "/run/ocmadm/n3/containerd.sock"',
      'restrict_oom_score_adj = true',
      'snapshotter = "native"',
      'SystemdCgroup = false',
      'Root = "/run/ocmadm/n3/runc"',
      'sandbox_image = "registry.k8s.io/pause:3.10.2"',
      'bin_dir = "/usr/lib/cni"',
      'config_path = "/c/node/certs.d"',
    ]) expect(t).toContain(line);
  });

  test('kubelet: cgroup v1 allowed, cgroupfs under its own root, webhook authn/authz, serving on the node IP', () => {
    const k = yaml.load(kubeletConfigYaml(layout, '/c/pki/ca.crt', { cert: 's.crt', key: 's.key' })) as Record<string, unknown>;
    expect(k).toMatchObject({
      failCgroupV1: false,
      cgroupDriver: 'cgroupfs',
      cgroupRoot: '/ocmadm-n3',
      address: '10.213.0.14',
      readOnlyPort: 0,
      authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: '/c/pki/ca.crt' } },
      authorization: { mode: 'Webhook' },
      tlsCertFile: 's.crt',
    });
  });

  test('kube-proxy and CNI use the node pod CIDR', () => {
    expect(yaml.load(kubeProxyConfigYaml(layout))).toMatchObject({ mode: 'iptables', clusterCIDR: '10.214.3.0/24', hostnameOverride: 'c1-node' });
    const cni = JSON.parse(cniConflist(layout)) as { plugins: { type: string; ipam?: { ranges: { subnet: string }[][] } }[] };
    expect(cni.plugins.map((p) => p.type)).toEqual(['bridge', 'portmap']);
    expect(cni.plugins[0]!.ipam!.ranges[0]![0]!.subnet).toBe('10.214.3.0/24');
  });
});
