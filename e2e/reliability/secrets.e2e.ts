/**
 * Where secrets live, and where they must not, on a hub and a spoke driven by the real commands
 * (init, get token, join, accept, deploy, all with -v):
 *  - the agent's private key exists only on the spoke: no object on the hub holds it;
 *  - every file ocmadm writes with a credential inside is private to the user (0600, or 0700 for
 *    the join script), and so are the local runtimes' state directories;
 *  - a bootstrap join token stops authenticating when its TTL says (revocation by `delete token`
 *    is in e2e/cli/guard-tokens.e2e.ts);
 *  - no token or key appears on stderr (progress, -v details), in the local runtimes' logs, or on
 *    stdout, except the join command `init` and `get token` print by design.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { isUnauthorized } from '../../src/kube/errors.js';
import { HUB_KUBECONFIG_KEYS, NS, SECRET } from '../../src/api/names.js';
import { eventually, runCli, userClient, whoAmI, type CliResult } from '../support/clusters.js';
import { startFleet, type Fleet } from '../support/fleet.js';
import { untilCluster, condition } from '../handshake/support.js';
import { COND } from '../../src/api/names.js';
import { everyObject, filesUnder, keyNeedles, leaked, octal, walkModes, withBase64Decoded, type Needle } from './secrets-support.js';

let fleet: Fleet;
let hub: KubeClient;
let outDir: string;
/** Every command run, with whether its stdout may carry the join token (the join command it prints). */
const runs: { cmd: string; r: CliResult; stdoutMayHoldToken: boolean }[] = [];
let saToken: string;
/** The second ServiceAccount join token (`get token --ttl 1h`). */
let saToken2: string;
let bootstrapToken: string;
let agentKeyPem: string;

const json = (r: CliResult) => JSON.parse(r.stdout) as Record<string, string>;

async function run(cluster: string, args: string[], stdoutMayHoldToken = false): Promise<CliResult> {
  const r = await fleet.cli(cluster, [...args, '-v']);
  runs.push({ cmd: `ocmadm ${args.join(' ')} -v`, r, stdoutMayHoldToken });
  return r;
}
const mustSucceed = (r: CliResult, what: string) => {
  if (r.code !== 0) throw new Error(`${what} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r;
};

beforeAll(async () => {
  fleet = await startFleet('secrets', ['hub', 'spoke']);
  hub = await fleet.client('hub');
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocmadm-e2e-secrets-out-'));
  const init = mustSucceed(
    await run('hub', ['init', '--runtime', 'local', '--wait', '-o', 'json', '--output-file', path.join(outDir, 'init.yaml'), '--output-join-command-file', path.join(outDir, 'join.sh')], true),
    'init',
  );
  saToken = json(init)['hub-token']!;
  const server = json(init)['hub-apiserver']!;
  // Makes the bootstrap token (its Secret goes into the output file); get token then reuses it.
  const initBt = await run('hub', ['init', '--runtime', 'local', '--use-bootstrap-token', '-o', 'json', '--output-file', path.join(outDir, 'init-bootstrap.yaml')], true);
  bootstrapToken = json(mustSucceed(initBt, 'init --use-bootstrap-token'))['hub-token']!;
  const bt = mustSucceed(await run('hub', ['get', 'token', '--use-bootstrap-token', '-o', 'json'], true), 'get token');
  expect(json(bt)['hub-token']).toBe(bootstrapToken);
  saToken2 = json(mustSucceed(await run('hub', ['get', 'token', '--ttl', '1h', '-o', 'json'], true), 'get token --ttl'))['hub-token']!;

  const joinFlags = ['--hub-apiserver', server, '--cluster-name', 'one', '--runtime', 'local'];
  // A wrong token first: the refusal (and its -v details) must not echo it.
  const wrong = await run('spoke', ['join', '--hub-token', 'ocmhub.0123456789abcdef', ...joinFlags]);
  expect(wrong.code).toBe(1);
  mustSucceed(await run('spoke', ['join', '--hub-token', saToken, ...joinFlags, '--wait', '--output-file', path.join(outDir, 'join.yaml')]), 'join');
  mustSucceed(await run('hub', ['accept', '--clusters', 'one', '--wait']), 'accept');
  const manifest = path.join(outDir, 'cm.yaml');
  fs.writeFileSync(manifest, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: secrets-e2e\n  namespace: default\ndata:\n  k: v\n');
  mustSucceed(await run('hub', ['deploy', 'secrets-e2e', '-f', manifest, '--clusters', 'one', '--wait']), 'deploy');
  await untilCluster(hub, 'one', (o) => condition(o, COND.cluster.available) === 'True', 'available');

  const spoke = await fleet.client('spoke');
  const s = await spoke.get<KubeObject & { data: Record<string, string> }>(`/api/v1/namespaces/${NS.agent}/secrets/${SECRET.hubKubeconfig}`);
  agentKeyPem = Buffer.from(s.data[HUB_KUBECONFIG_KEYS.key]!, 'base64').toString();
});
afterAll(async () => {
  await fleet?.stop();
  if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
});

/** The tokens the local runtimes authenticate with (in their kubeconfig files). */
function runtimeTokens(): Needle[] {
  return walkModes(fleet.stateDir)
    .filter((e) => !e.dir && path.basename(e.path) === 'kubeconfig')
    .flatMap((e) => {
      const doc = yaml.load(fs.readFileSync(path.join(fleet.stateDir, e.path), 'utf8')) as { users?: { user?: { token?: string } }[] };
      return (doc.users ?? []).map((u) => ({ what: `the token in ${e.path}`, value: u.user?.token ?? '' }));
    });
}

function tokenNeedles(): Needle[] {
  return [
    { what: 'the ServiceAccount join token', value: saToken },
    { what: "the ServiceAccount join token's signature", value: saToken.split('.').pop()! },
    { what: 'the second ServiceAccount join token', value: saToken2 },
    { what: 'the bootstrap token', value: bootstrapToken },
    { what: "the bootstrap token's secret part", value: bootstrapToken.split('.')[1]! },
    { what: 'the wrong token tried', value: '0123456789abcdef' },
    ...runtimeTokens(),
  ];
}

describe("the agent's private key exists only on the spoke", () => {
  test("the spoke's hub-kubeconfig Secret holds it", () => {
    expect(agentKeyPem).toMatch(/^-----BEGIN [A-Z ]*PRIVATE KEY-----\n/);
  });

  test('the same search over every object on the spoke finds it there (the search works)', async () => {
    const found = (await everyObject(await fleet.client('spoke'))).flatMap((o) => leaked(o.text, keyNeedles('the agent', agentKeyPem)).map((what) => `${o.path}: ${what}`));
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/^\/api\/v1\/secrets: the agent's private key \(base64 of the PEM, as in a Secret\)$/)]));
  });

  test('no object on the hub, of any kind, holds a private key or any part of the agent\'s', async () => {
    const objects = await everyObject(hub);
    expect(objects.length).toBeGreaterThan(40);
    const found = objects.flatMap((o) => leaked(o.text, keyNeedles('the agent', agentKeyPem)).map((what) => `${o.path}: ${what}`));
    expect(found).toEqual([]);
  });
});

describe('files with credentials are private to the user', () => {
  test('every file and directory the local runtimes keep (kubeconfig, log, pid) has no group or other bits', () => {
    const entries = walkModes(fleet.stateDir);
    expect(entries.filter((e) => path.basename(e.path) === 'kubeconfig').length).toBeGreaterThanOrEqual(2);
    const open = entries.filter((e) => (e.mode & 0o077) !== 0).map((e) => `${e.path} ${octal(e.mode)}`);
    expect(open).toEqual([]);
  });

  test('output files that hold a token are 0600 (the join script 0700); those without may be read by others', () => {
    const withToken = filesUnder(outDir).filter((f) => leaked(withBase64Decoded(f.text), tokenNeedles()).length > 0);
    const modes = Object.fromEntries(withToken.map((f) => [f.path, octal(fs.statSync(path.join(outDir, f.path)).mode & 0o777)]));
    expect(modes).toEqual({ 'join.sh': '0700', 'join.yaml': '0600', 'init-bootstrap.yaml': '0600' });
  });
});

test('sandbox up: its kubeconfig, cluster folders (PKI, etcd data, admin kubeconfigs) and logs are private to the user', async () => {
  const env = { OCMADM_STATE_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'ocmadm-e2e-secrets-sandbox-')) };
  try {
    const up = await runCli(['sandbox', 'up', '--name', 'sec', '--spokes', '0', '--bare', '--nodes', '0'], { env });
    expect({ code: up.code, stderr: up.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    const entries = walkModes(env.OCMADM_STATE_DIR);
    expect(entries.filter((e) => /(\.key|kubeconfig)$/.test(e.path)).length).toBeGreaterThanOrEqual(6);
    expect(entries.filter((e) => (e.mode & 0o077) !== 0).map((e) => `${e.path} ${octal(e.mode)}`)).toEqual([]);
  } finally {
    await runCli(['sandbox', 'down', '--name', 'sec'], { env });
    fs.rmSync(env.OCMADM_STATE_DIR, { recursive: true, force: true });
  }
});

describe('no secret in logs or verbose output', () => {
  test('stderr of init, get token, join (also a refused one), accept and deploy with -v', () => {
    const found = runs.flatMap(({ cmd, r }) => leaked(withBase64Decoded(r.stderr), [...tokenNeedles(), ...keyNeedles('the agent', agentKeyPem)]).map((what) => `${cmd}: ${what}`));
    expect(runs.length).toBe(8);
    expect(found).toEqual([]);
  });

  test('the search finds the join token where it belongs: the stdout of init and get token', () => {
    const printed = runs.filter((x) => x.stdoutMayHoldToken).map(({ cmd, r }) => ({ cmd, found: leaked(withBase64Decoded(r.stdout), tokenNeedles()).length > 0 }));
    expect(printed).toEqual(printed.map(({ cmd }) => ({ cmd, found: true })));
  });

  test('stdout of every command but the two that print the join command', () => {
    const found = runs
      .filter((x) => !x.stdoutMayHoldToken)
      .flatMap(({ cmd, r }) => leaked(withBase64Decoded(r.stdout), [...tokenNeedles(), ...keyNeedles('the agent', agentKeyPem)]).map((what) => `${cmd}: ${what}`));
    expect(found).toEqual([]);
  });

  test("the hub controller's and the klusterlet's logs", () => {
    const logs = filesUnder(fleet.stateDir).filter((f) => f.path.endsWith('.log'));
    expect(logs.map((l) => l.path.split(path.sep)[0]).sort()).toEqual(['hub-controller', 'klusterlet']);
    for (const l of logs) expect(l.text.length).toBeGreaterThan(0);
    const found = logs.flatMap((l) => leaked(withBase64Decoded(l.text), [...tokenNeedles(), ...keyNeedles('the agent', agentKeyPem)]).map((what) => `${l.path}: ${what}`));
    expect(found).toEqual([]);
  });
});

describe('join tokens expire when their TTL says', () => {
  test('a bootstrap token with --ttl 1m authenticates until then and gets 401 after', async () => {
    mustSucceed(await fleet.cli('hub', ['delete', 'token', '--use-bootstrap-token']), 'delete token');
    const r = mustSucceed(await fleet.cli('hub', ['get', 'token', '--use-bootstrap-token', '--ttl', '1m', '-o', 'json']), 'get token --ttl 1m');
    const t = json(r);
    const expiresAt = Date.parse(t['expires-at']!);
    expect(Math.abs(expiresAt - (Date.now() + 60_000))).toBeLessThan(15_000);
    const client = await userClient(fleet.info('hub'), { token: t['hub-token']! });
    try {
      expect((await whoAmI(client)).username).toBe('system:bootstrap:ocmhub');
      let refusedAt = 0;
      await eventually(
        async () => {
          try {
            await whoAmI(client);
            return false;
          } catch (err) {
            if (!isUnauthorized(err)) throw err;
            refusedAt = Date.now();
            return true;
          }
        },
        { ms: 150_000, maxDelayMs: 1_000, describe: () => `the bootstrap token expiring at ${t['expires-at']} still authenticates` },
      );
      // Not before its time (clock skew of a second), and not long after (the API server caches
      // token authentications for seconds).
      expect(refusedAt).toBeGreaterThanOrEqual(expiresAt - 1_000);
      expect(refusedAt - expiresAt).toBeLessThan(30_000);
    } finally {
      await client.close();
    }
  });
});
