/**
 * `ocmadm join` end to end on a private hub (made by init) and two spokes: every preflight
 * refusal is one line with the right exit code and changes nothing on the spoke, the hub or the
 * local state; --dry-run changes nothing; --output-file; the bootstrap secret as OCM names it; the
 * local agent runs as its ServiceAccount; a re-run is idempotent and files no second CSR; a name
 * accepted for another spoke is refused unless --force.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { KubeConfig } from '../../src/kube/kubeconfig.js';
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { COND, NS, SA, SECRET } from '../../src/api/names.js';
import { listLocalRuntimes } from '../../src/runtime/host/index.js';
import { userClient, whoAmI } from '../support/clusters.js';
import { startFleet, type Fleet } from '../support/fleet.js';
import { closedPort, errorLines, serviceAccountIdentity, type Identity } from '../cli/support.js';
import { clusterCsrs, condition, initHub, joinArgs, pendingCsrs, untilCluster, worldSnapshot, type JoinToken } from './support.js';

let fleet: Fleet;
let hub: KubeClient;
let spoke1: KubeClient;
let spoke2: KubeClient;
let tok: JoinToken;

beforeAll(async () => {
  fleet = await startFleet('join', ['hub', 'spoke1', 'spoke2']);
  [hub, spoke1, spoke2] = await Promise.all([fleet.client('hub'), fleet.client('spoke1'), fleet.client('spoke2')]);
  tok = await initHub(fleet);
});
afterAll(() => fleet?.stop());

type Secret = KubeObject & { data?: Record<string, string> };
const secret = (name: string) => spoke1.get<Secret>(`/api/v1/namespaces/${NS.agent}/secrets/${name}`);

describe('preflight refusals: exit code, one line, nothing changed on spoke, hub or local state', () => {
  let before: Awaited<ReturnType<typeof worldSnapshot>>;
  let foreign: Identity;

  beforeAll(async () => {
    foreign = await serviceAccountIdentity(fleet, 'spoke2', spoke2, 'default', 'joiner');
    before = await worldSnapshot(fleet, spoke1, hub);
  });
  afterAll(async () => {
    expect(await worldSnapshot(fleet, spoke1, hub)).toEqual(before);
    await foreign.client.close();
  });

  const refused = async (args: string[], code: number, message: RegExp) => {
    const r = await fleet.cli('spoke1', args);
    expect({ code: r.code, errors: errorLines(r.stderr) }).toEqual({ code, errors: [expect.stringMatching(message)] });
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace without --verbose
    expect(r.stdout).toBe('');
    expect(await worldSnapshot(fleet, spoke1, hub)).toEqual(before);
  };

  test('invalid cluster name: not a DNS-1123 label, or longer than 63 characters (exit 2)', async () => {
    await refused(joinArgs(tok, 'Not_A_Label'), 2, /--cluster-name "Not_A_Label" is not a DNS-1123 label/);
    await refused(joinArgs(tok, 'a'.repeat(64)), 2, /is 64 characters long: .* at most 63/);
  });

  test('hub unreachable: names the URL and the network error', async () => {
    const url = `https://127.0.0.1:${await closedPort()}`;
    await refused(joinArgs({ ...tok, server: url }, 'c1'), 1, new RegExp(`cannot reach the hub at ${url}: .*ECONNREFUSED`));
  });

  test('TLS failure with a wrong --ca-file: says which CA and how to pass the right one', async () => {
    const wrong = fleet.info('spoke2').caFile;
    await refused(joinArgs(tok, 'c1', '--ca-file', wrong), 1, new RegExp(`TLS verification of the hub .* failed with the CA from --ca-file ${wrong} \\(sha256:.*pass the CA that signed the hub's serving certificate with --ca-file`));
  });

  test('token rejected: wrong or expired, run `ocmadm get token` on the hub', async () => {
    await refused(joinArgs({ ...tok, token: 'not-a-real-token' }, 'c1'), 1, /the hub rejected the token \(401\): the token is wrong or expired: run `ocmadm get token` on the hub/);
    await refused(joinArgs({ ...tok, token: 'abcdef.0123456789abcdef' }, 'c1'), 1, /the token is wrong or expired: run `ocmadm get token` on the hub/);
  });

  test('OCM not installed on the "hub" (a cluster without init): run `ocmadm init` there', async () => {
    const notHub = { token: foreign.token, server: fleet.info('spoke2').server };
    await refused(joinArgs(notHub, 'c1', '--ca-file', fleet.info('spoke2').caFile), 1, /OCM APIs .* are not installed on the hub .*: run `ocmadm init` there first/);
    // Without --ca-file there is no cluster-info to find the CA in: the message says both ways out.
    await refused(joinArgs(notHub, 'c1'), 1, /cannot discover the hub's CA .* pass --ca-file .* or run `ocmadm init` on the hub/);
  });

  test('bad flags: missing token, http URL, --wait with --dry-run (exit 2)', async () => {
    await refused(['join', '--hub-apiserver', tok.server, '--cluster-name', 'c1'], 2, /--hub-token is required/);
    await refused(joinArgs({ ...tok, server: tok.server.replace('https', 'http') }, 'c1'), 2, /plain http/);
    await refused(joinArgs(tok, 'c1', '--dry-run', '--wait'), 2, /--wait cannot be combined with --dry-run/);
  });
});

describe('--dry-run and --output-file', () => {
  test('--dry-run prints every object with secret data redacted and changes nothing', async () => {
    const before = await worldSnapshot(fleet, spoke1, hub);
    const r = await fleet.cli('spoke1', joinArgs(tok, 'dry', '--dry-run'));
    expect(r.code).toBe(0);
    const docs = yaml.loadAll(r.stdout) as KubeObject[];
    const names = docs.map((d) => `${d.kind}/${d.metadata?.name}`);
    expect(names).toEqual(expect.arrayContaining([`Namespace/${NS.agent}`, `Secret/${SECRET.bootstrapHubKubeconfig}`, `ServiceAccount/${SA.klusterlet}`]));
    expect(names.filter((n) => n.startsWith('CustomResourceDefinition/'))).toHaveLength(2);
    expect(r.stdout).not.toContain(tok.token);
    expect(await worldSnapshot(fleet, spoke1, hub)).toEqual(before);
  });

  test('--output-file with --dry-run writes the manifests with the token (mode 0600), replacing old content', async () => {
    const before = await worldSnapshot(fleet, spoke1, hub);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ocmadm-join-out-')), 'join.yaml');
    fs.writeFileSync(file, 'stale\n'.repeat(5000));
    const r = await fleet.cli('spoke1', joinArgs(tok, 'dry', '--dry-run', '--output-file', file));
    expect(r.code).toBe(0);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain('stale');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const secretDoc = (yaml.loadAll(text) as Secret[]).find((d) => d.kind === 'Secret')!;
    expect(Buffer.from(secretDoc.data!.kubeconfig!, 'base64').toString()).toContain(tok.token);
    fs.rmSync(path.dirname(file), { recursive: true });
    expect(await worldSnapshot(fleet, spoke1, hub)).toEqual(before);
  });
});

describe('a real join of spoke1 as j1', () => {
  let joinMs: number;
  beforeAll(async () => {
    const t0 = Date.now();
    const r = await fleet.cli('spoke1', joinArgs(tok, 'j1', '--wait', '-o', 'json'));
    joinMs = Date.now() - t0;
    process.stderr.write(`e2e: ocmadm join --runtime local --wait took ${joinMs} ms\n`);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    const out = JSON.parse(r.stdout) as { bootstrapSecret: string; registration: { pendingCsrs: unknown[] } };
    expect(out.bootstrapSecret).toBe('created');
    expect(out.registration.pendingCsrs).toHaveLength(1);
  });

  test('the bootstrap secret is named as OCM names it: cluster hub, user bootstrap, context bootstrap', async () => {
    const s = await secret(SECRET.bootstrapHubKubeconfig);
    const kc = yaml.load(Buffer.from(s.data!.kubeconfig!, 'base64').toString()) as Record<string, any>;
    expect(kc.clusters).toEqual([{ name: 'hub', cluster: { server: tok.server, 'certificate-authority-data': expect.any(String) } }]);
    expect(kc.users).toEqual([{ name: 'bootstrap', user: { token: tok.token } }]);
    expect(kc.contexts).toEqual([{ name: 'bootstrap', context: { cluster: 'hub', user: 'bootstrap', namespace: 'default' } }]);
    expect(kc['current-context']).toBe('bootstrap');
  });

  test("the local agent runs with its ServiceAccount's identity, not the admin's", async () => {
    const [runtime] = listLocalRuntimes('klusterlet', fleet.env).filter((r) => r.instance.startsWith('j1.'));
    expect(runtime?.running).toBe(true);
    const dir = runtime!.dir;
    const kc = new KubeConfig();
    kc.loadFromFile(path.join(dir, 'kubeconfig'));
    const user = kc.getCurrentUser()!;
    expect(user.certData ?? user.certFile).toBeFalsy();
    expect(user.token).toBeTruthy();
    const as = await userClient(fleet.info('spoke1'), { token: user.token! });
    try {
      const me = await whoAmI(as);
      expect(me.username).toBe(`system:serviceaccount:${NS.agent}:${SA.klusterlet}`);
      expect(me.groups).not.toContain('system:masters');
    } finally {
      await as.close();
    }
    const pid = JSON.parse(fs.readFileSync(path.join(dir, 'pid.json'), 'utf8')) as { args: string[] };
    expect(pid.args.join(' ')).not.toContain(fleet.info('spoke1').adminKubeconfigPath);
  });

  test('re-running join is idempotent: exit 0, secret unchanged, the same single pending CSR', async () => {
    const csrs = (await pendingCsrs(hub, 'j1')).map((c) => c.metadata!.name);
    expect(csrs).toHaveLength(1);
    for (let i = 0; i < 2; i++) {
      const r = await fleet.cli('spoke1', joinArgs(tok, 'j1', '--wait', '-o', 'json'));
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as { bootstrapSecret: string; registration: { pendingCsrs: { name: string }[] } };
      expect(out.bootstrapSecret).toBe('unchanged');
      expect(out.registration.pendingCsrs.map((c) => c.name)).toEqual(csrs);
    }
    expect((await clusterCsrs(hub, 'j1')).map((c) => c.metadata!.name)).toEqual(csrs);
  });

  test('after accept, a re-run keeps the credentials and files no CSR', async () => {
    const a = await fleet.cli('hub', ['accept', '--clusters', 'j1', '--wait']);
    expect(a.code).toBe(0);
    const count = (await clusterCsrs(hub, 'j1')).length;
    const r = await fleet.cli('spoke1', joinArgs(tok, 'j1', '--wait'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/already holds hub credentials for j1 and the hub has accepted it/);
    expect(await clusterCsrs(hub, 'j1')).toHaveLength(count);
    const mc = await untilCluster(hub, 'j1', (o) => condition(o, COND.cluster.available) === 'True', 'Available after the re-run');
    expect(condition(mc, COND.cluster.joined)).toBe('True');
  });

  test('another spoke asking for the accepted name j1 is refused unless --force; nothing changes', async () => {
    const before = await worldSnapshot(fleet, spoke2, hub);
    const r = await fleet.cli('spoke2', joinArgs(tok, 'j1'));
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/cluster j1 is already accepted on the hub for another spoke \(API server https:\/\/127\.0\.0\.1:\d+; this spoke is .*--force/)]);
    expect(await worldSnapshot(fleet, spoke2, hub)).toEqual(before);
    // --force passes the preflight (checked with --dry-run so the real j1 keeps its name).
    const forced = await fleet.cli('spoke2', joinArgs(tok, 'j1', '--force', '--dry-run'));
    expect(forced.code).toBe(0);
    expect(await worldSnapshot(fleet, spoke2, hub)).toEqual(before);
  });
});
