/**
 * Bad input to every command, as one table. Each row runs the real CLI against real clusters (a
 * hub made by init with the local runtime, spoke1 joined and accepted as `acc`, spoke2 not joined)
 * and must end with its exit code, exactly one line on stderr saying what is wrong (`what`) and
 * what to do (`fix`), no stack trace, nothing on stdout, and nothing changed on any cluster or in
 * the local runtime state.
 *
 * Then Ctrl-C during `deploy --wait`: exit 130 with one line, and the deployment as complete as
 * without --wait. What --wait waits for is the spokes' progress, which Ctrl-C does not undo: as
 * `kubectl apply` followed by an interrupted `kubectl rollout status` (or clusteradm's --wait),
 * everything written before the wait stays whole and a re-run or `deploy --delete` takes it on.
 */
import fs from 'node:fs';
import { runCli, type CliResult } from '../support/clusters.js';
import { startFleet, type Fleet } from '../support/fleet.js';
import { resourcePath } from '../../src/kube/resources.js';
import { waitForObject } from '../../src/kube/wait.js';
import { MANAGED_CLUSTERS, MANIFEST_WORKS, TYPE, type ManifestWork } from '../../src/api/index.js';
import { joinArgs } from '../handshake/support.js';
import { buildWorld, configMapYaml, worldSnapshot, type Snapshot, type World } from './bad-input-support.js';

/**
 * Exit codes, as everywhere in ocmadm: 2 when the command line itself is wrong (unknown command or
 * flag, a value of the wrong form, a missing flag, an invalid name, manifests that are not valid
 * objects); 1 when it is well formed but the world disagrees (a file, cluster, context or object
 * that does not exist, a hub that refuses or cannot be reached).
 */
interface Case {
  name: string;
  /** The cluster whose admin kubeconfig is passed; 'none': the args carry their own. */
  on: 'hub' | 'spoke1' | 'spoke2' | 'none';
  args: (w: World) => string[];
  env?: (w: World) => Record<string, string>;
  exit: number;
  what: RegExp;
  fix: RegExp;
}

/** A progress line (stderr is not a terminal): a step starting or done. */
const PROGRESS = /^(\S.*\.\.\.|✓ .*)$/;
/** join with the hub's CA given (no trust-on-first-use notice beside the error). */
const joinCa = (w: World, ...args: Parameters<typeof joinArgs>) => [...joinArgs(...args), '--ca-file', w.fleet.info('hub').caFile];
const GET_TOKEN = /run `ocmadm get token` on the hub/;
const HELP = (cmd: string) => new RegExp(`run \`ocmadm ${cmd} --help\` for usage`);

const CASES: Case[] = [
  // kubeconfig and context
  { name: 'missing kubeconfig file', on: 'none', args: () => ['get', 'clusters', '--kubeconfig', '/nonexistent/kubeconfig'], exit: 1, what: /kubeconfig file \/nonexistent\/kubeconfig does not exist/, fix: /pass an existing --kubeconfig/ },
  { name: 'malformed kubeconfig file', on: 'none', args: (w) => ['init', '--kubeconfig', w.file('broken.kubeconfig', 'apiVersion: v1\nclusters: [\n')], exit: 1, what: /cannot read kubeconfig .*broken\.kubeconfig/, fix: /fix it or pass another --kubeconfig/ },
  { name: 'kubeconfig without a context', on: 'none', args: (w) => ['get', 'clusters', '--kubeconfig', w.file('empty.kubeconfig', 'apiVersion: v1\nkind: Config\n')], exit: 1, what: /has no current context/, fix: /pass --context/ },
  { name: 'KUBECONFIG names no file', on: 'none', args: () => ['get', 'clusters'], env: () => ({ KUBECONFIG: '/nonexistent/a:/nonexistent/b' }), exit: 1, what: /KUBECONFIG=.* names no existing file/, fix: /fix it or pass --kubeconfig/ },
  { name: 'unknown --context', on: 'hub', args: () => ['init', '--context', 'nope'], exit: 1, what: /context "nope" is not in/, fix: /pass an existing --context/ },
  { name: 'API server unreachable', on: 'none', args: (w) => ['get', 'clusters', '--kubeconfig', w.file('down.kubeconfig', fs.readFileSync(w.fleet.info('hub').adminKubeconfigPath, 'utf8').replace(w.fleet.info('hub').server, w.closedUrl))], exit: 1, what: /127\.0\.0\.1:\d+.*ECONNREFUSED/, fix: /check/ },

  // join: tokens
  { name: 'join: wrong token', on: 'spoke2', args: (w) => joinCa(w, { ...w.tok, token: 'not-a-real-token' }, 'c2'), exit: 1, what: /the hub rejected the token \(401\)/, fix: GET_TOKEN },
  { name: 'join: expired bootstrap token', on: 'spoke2', args: (w) => joinCa(w, { ...w.tok, token: w.expired }, 'c2'), exit: 1, what: /the hub rejected the token \(401\): the token is wrong or expired/, fix: GET_TOKEN },
  { name: 'join: token revoked by delete token', on: 'spoke2', args: (w) => joinCa(w, { ...w.tok, token: w.revoked }, 'c2'), exit: 1, what: /the hub rejected the token \(401\)/, fix: GET_TOKEN },
  { name: 'join: token with white space', on: 'spoke2', args: (w) => joinCa(w, { ...w.tok, token: 'abc def' }, 'c2'), exit: 2, what: /--hub-token contains white space/, fix: /copy it again/ },
  { name: 'join: no token', on: 'spoke2', args: (w) => ['join', '--hub-apiserver', w.tok.server, '--cluster-name', 'c2'], exit: 2, what: /--hub-token is required/, fix: GET_TOKEN },

  // join: the hub's address and CA
  { name: 'join: hub unreachable', on: 'spoke2', args: (w) => joinCa(w, { ...w.tok, server: w.closedUrl }, 'c2'), exit: 1, what: /cannot reach the hub at https:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/, fix: /check --hub-apiserver/ },
  { name: 'join: http:// hub URL', on: 'spoke2', args: (w) => joinCa(w, { ...w.tok, server: w.tok.server.replace('https:', 'http:') }, 'c2'), exit: 2, what: /is plain http/, fix: /use the hub's https URL/ },
  { name: 'join: hub URL not a URL', on: 'spoke2', args: (w) => joinCa(w, { ...w.tok, server: 'hub:6443:x' }, 'c2'), exit: 2, what: /(is not a URL|must be an https:\/\/ URL)/, fix: /use https:\/\/|https:\/\// },
  { name: "join: CA of another cluster", on: 'spoke2', args: (w) => joinArgs(w.tok, 'c2', '--ca-file', w.fleet.info('spoke1').caFile), exit: 1, what: /TLS verification of the hub .* failed with the CA from --ca-file/, fix: /pass the CA that signed the hub's serving certificate with --ca-file/ },
  { name: 'join: --ca-file holds garbage', on: 'spoke2', args: (w) => joinArgs(w.tok, 'c2', '--ca-file', w.file('garbage-ca.pem', 'not a certificate\n')), exit: 1, what: /holds no PEM certificate/, fix: /--ca-file/ },
  { name: 'join: --ca-file missing', on: 'spoke2', args: (w) => joinArgs(w.tok, 'c2', '--ca-file', '/nonexistent/ca.pem'), exit: 1, what: /cannot read --ca-file \/nonexistent\/ca\.pem: ENOENT/, fix: /pass the file of the hub's CA certificate/ },

  // join: cluster names
  { name: 'join: uppercase name', on: 'spoke2', args: (w) => joinCa(w, w.tok, 'Spoke2'), exit: 2, what: /--cluster-name "Spoke2" is not a DNS-1123 label/, fix: /lowercase|use/ },
  { name: 'join: name with underscores', on: 'spoke2', args: (w) => joinCa(w, w.tok, 'my_spoke'), exit: 2, what: /--cluster-name "my_spoke" is not a DNS-1123 label/, fix: /lowercase|use/ },
  { name: 'join: name longer than 63', on: 'spoke2', args: (w) => joinCa(w, w.tok, 'a'.repeat(64)), exit: 2, what: /is 64 characters long/, fix: /at most 63/ },
  { name: 'join: no name', on: 'spoke2', args: (w) => ['join', '--hub-token', w.tok.token, '--hub-apiserver', w.tok.server], exit: 2, what: /--cluster-name is required/, fix: /--cluster-name/ },
  { name: 'join: name accepted for another spoke', on: 'spoke2', args: (w) => joinCa(w, w.tok, 'acc'), exit: 1, what: /cluster acc is already accepted on the hub for another spoke/, fix: /--force/ },
  { name: 'join: bad --runtime', on: 'spoke2', args: (w) => joinCa(w, w.tok, 'c2', '--runtime', 'docker'), exit: 2, what: /--runtime must be cluster or local/, fix: /cluster or local/ },
  { name: 'join: bad -o', on: 'spoke2', args: (w) => joinCa(w, w.tok, 'c2', '-o', 'xml'), exit: 2, what: /unknown output format "xml"/, fix: /use one of/ },

  // accept
  { name: 'accept: unknown cluster', on: 'hub', args: () => ['accept', '--clusters', 'nope'], exit: 1, what: /^Error: nope: no ManagedCluster nope on this hub/, fix: /run `ocmadm join --cluster-name nope`/ },
  { name: 'accept: cluster without a pending CSR', on: 'hub', args: () => ['accept', '--clusters', 'lonely'], exit: 1, what: /^Error: lonely: no pending CSR from a bootstrap identity for lonely/, fix: /`ocmadm join --wait` shows the pending CSR/ },
  { name: 'accept: no --clusters off a terminal', on: 'hub', args: () => ['accept'], exit: 2, what: /--clusters is required when not on a terminal/, fix: /--clusters cluster1,cluster2/ },
  { name: 'accept: bad -o', on: 'hub', args: () => ['accept', '--clusters', 'acc', '-o', 'xml'], exit: 2, what: /unknown output format "xml"/, fix: /use one of/ },

  // unjoin
  { name: 'unjoin: spoke not joined', on: 'spoke2', args: () => ['unjoin', '--cluster-name', 'c2', '--yes'], exit: 1, what: /no klusterlet on the spoke https:\/\/127\.0\.0\.1:\d+: c2 is not joined there/, fix: /check --kubeconfig\/--context/ },
  { name: 'unjoin: another name than joined', on: 'spoke1', args: () => ['unjoin', '--cluster-name', 'other', '--yes'], exit: 1, what: /this spoke is joined as acc, not other/, fix: /run `ocmadm unjoin --cluster-name acc`/ },
  { name: 'unjoin: no --yes off a terminal', on: 'spoke1', args: () => ['unjoin', '--cluster-name', 'acc'], exit: 2, what: /not on a terminal/, fix: /pass --yes/ },
  { name: 'unjoin: invalid name', on: 'spoke1', args: () => ['unjoin', '--cluster-name', 'Acc_1', '--yes'], exit: 2, what: /not a DNS-1123 label/, fix: /lowercase|use/ },

  // deploy
  { name: 'deploy: invalid YAML', on: 'hub', args: (w) => ['deploy', 'web', '-f', w.file('bad.yaml', 'kind: ConfigMap\nmetadata: [\n'), '--clusters', 'acc'], exit: 2, what: /bad\.yaml:3:1: invalid YAML/, fix: /fix the file there/ },
  { name: 'deploy: manifests over 500 KiB', on: 'hub', args: (w) => ['deploy', 'web', '-f', w.file('big.yaml', configMapYaml('big', 600 * 1024)), '--clusters', 'acc'], exit: 2, what: /take 60\d KiB, over the 500 KiB a ManifestWork may hold/, fix: /split them into several deployments/ },
  { name: 'deploy: object without a name', on: 'hub', args: (w) => ['deploy', 'web', '-f', w.file('nameless.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: default\n'), '--clusters', 'acc'], exit: 2, what: /nameless\.yaml.*ConfigMap has no metadata\.name/, fix: /set one/ },
  { name: 'deploy: unknown cluster', on: 'hub', args: (w) => ['deploy', 'web', '-f', w.file('ok.yaml', configMapYaml('ok')), '--clusters', 'acc,ghost'], exit: 1, what: /no managed cluster named ghost on this hub/, fix: /see ocmadm get clusters/ },
  { name: 'deploy: missing -f file', on: 'hub', args: () => ['deploy', 'web', '-f', '/nonexistent/app.yaml', '--clusters', 'acc'], exit: 1, what: /-f \/nonexistent\/app\.yaml: no such file or directory/, fix: /pass an existing file or directory/ },
  { name: 'deploy: no target', on: 'hub', args: (w) => ['deploy', 'web', '-f', w.file('ok.yaml', configMapYaml('ok'))], exit: 2, what: /choose the clusters/, fix: /--clusters a,b, --placement NAME or --cluster-selector/ },
  { name: 'deploy: bad --update-strategy', on: 'hub', args: (w) => ['deploy', 'web', '-f', w.file('ok.yaml', configMapYaml('ok')), '--clusters', 'acc', '--update-strategy', 'Sometimes'], exit: 2, what: /--update-strategy must be one of/, fix: /ServerSideApply/ },
  { name: 'deploy: no name', on: 'hub', args: () => ['deploy'], exit: 2, what: /missing required argument 'name'/, fix: HELP('deploy') },

  // get, clusterset, tokens, clean
  { name: 'get clusters: unknown name', on: 'hub', args: () => ['get', 'clusters', 'nope'], exit: 1, what: /no managed cluster named nope on this hub/, fix: /ocmadm get clusters/ },
  { name: 'get clusters: bad -o', on: 'hub', args: () => ['get', 'clusters', '-o', 'xml'], exit: 2, what: /unknown output format "xml"/, fix: /use one of/ },
  { name: 'get works: bad -o', on: 'hub', args: () => ['get', 'works', '-o', 'wide'], exit: 2, what: /unknown output format "wide"/, fix: /use one of/ },
  { name: 'get token: bad --ttl', on: 'hub', args: () => ['get', 'token', '--ttl', 'soon'], exit: 2, what: /--ttl: "soon" is not a duration/, fix: /use a number with a unit/ },
  { name: 'clusterset create: invalid name', on: 'hub', args: () => ['clusterset', 'create', 'Bad_Set'], exit: 2, what: /cluster set name "Bad_Set" must be a DNS-1123 subdomain/, fix: /lowercase/ },
  { name: 'clusterset set: unknown set', on: 'hub', args: () => ['clusterset', 'set', 'nope', '--clusters', 'acc'], exit: 1, what: /cluster set "nope" does not exist/, fix: /ocmadm clusterset create nope/ },
  { name: 'clusterset bind: missing namespace flag', on: 'hub', args: () => ['clusterset', 'bind', 'default'], exit: 2, what: /required option '-n, --namespace <namespace>' not specified/, fix: HELP('clusterset bind') },
  { name: 'clusterset bind: unknown namespace', on: 'hub', args: () => ['clusterset', 'bind', 'default', '-n', 'nowhere'], exit: 1, what: /namespace "nowhere" does not exist on the hub/, fix: /kubectl create namespace nowhere/ },
  { name: 'delete token: unknown flag', on: 'hub', args: () => ['delete', 'token', '--all'], exit: 2, what: /unknown option '--all'/, fix: HELP('delete token') },
  { name: 'clean: clusters still accepted', on: 'hub', args: () => ['clean'], exit: 1, what: /acc/, fix: /--force/ },
  { name: 'clean: bad -o', on: 'hub', args: () => ['clean', '-o', 'yaml'], exit: 2, what: /unknown output format "yaml"/, fix: /use one of/ },
  { name: 'init: bad --runtime', on: 'hub', args: () => ['init', '--runtime', 'docker'], exit: 2, what: /--runtime must be one of cluster, local, got "docker"/, fix: /one of cluster, local/ },

  // runtime, sandbox, the command tree
  { name: 'runtime stop: unknown agent', on: 'none', args: () => ['runtime', 'stop', 'klusterlet', 'nope'], exit: 1, what: /no local klusterlet named "nope" \(there are: acc/, fix: /see ocmadm runtime list/ },
  { name: 'runtime stop: unknown kind', on: 'none', args: () => ['runtime', 'stop', 'agent', 'acc'], exit: 2, what: /unknown runtime kind "agent"/, fix: /use hub-controller or klusterlet/ },
  { name: 'sandbox status: no such sandbox', on: 'none', args: () => ['sandbox', 'status', '--name', 'nope'], exit: 1, what: /no sandbox named "nope"/, fix: /ocmadm sandbox up --name nope starts one/ },
  { name: 'sandbox up: bad --spokes', on: 'none', args: () => ['sandbox', 'up', '--spokes', 'many'], exit: 2, what: /--spokes/, fix: /--help|whole number|use/ },
  { name: 'unknown command', on: 'hub', args: () => ['joined'], exit: 2, what: /unknown command 'joined'/, fix: /run `ocmadm --help` for usage/ },
  { name: 'unknown subcommand', on: 'hub', args: () => ['get', 'nodes'], exit: 2, what: /unknown command 'nodes'/, fix: HELP('get') },
  { name: 'unknown flag', on: 'spoke2', args: (w) => joinCa(w, w.tok, 'c2', '--hub-ca', 'x'), exit: 2, what: /unknown option '--hub-ca'/, fix: HELP('join') },
  { name: 'bad global --timeout', on: 'hub', args: () => ['accept', '--clusters', 'acc', '--timeout', '0'], exit: 2, what: /--timeout .* must be a positive whole number/, fix: /--help/ },
];

let fleet: Fleet;
let w: World;
let baseline: Snapshot;

beforeAll(async () => {
  fleet = await startFleet('badinput', ['hub', 'spoke1', 'spoke2']);
  w = await buildWorld(fleet);
  baseline = await worldSnapshot(w);
}, 300_000);
afterAll(() => fleet?.stop());

const run = (c: Case): Promise<CliResult> => {
  const env = { ...fleet.env, ...c.env?.(w) };
  return c.on === 'none' ? runCli(c.args(w), { env }) : fleet.cli(c.on, c.args(w), { env });
};

describe('bad input: exit code, one line saying what and what to do, nothing changed', () => {
  test('the table covers every command', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    const commands = new Set(CASES.map((c) => c.args(w)[0]));
    for (const cmd of ['init', 'join', 'accept', 'unjoin', 'deploy', 'get', 'clusterset', 'delete', 'clean', 'runtime', 'sandbox']) expect(commands).toContain(cmd);
  });

  test.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const r = await run(c);
    const lines = r.stderr.split('\n').filter((l) => l.trim());
    // One error line; before it, on a non-terminal, only the progress lines of steps ("Checking web...").
    expect({ code: r.code, stderr: lines }).toEqual({ code: c.exit, stderr: [...lines.slice(0, -1).map(() => expect.stringMatching(PROGRESS)), expect.stringMatching(/^Error: /)] });
    expect(c.exit).not.toBe(0);
    const error = lines.at(-1)!;
    expect(error).toMatch(c.what);
    expect(error).toMatch(c.fix);
    expect(await worldSnapshot(w)).toEqual(baseline);
  });
});

describe('Ctrl-C during deploy --wait', () => {
  test('exit 130, one line, and the works it wrote stay whole (one per cluster, as without --wait)', async () => {
    // A cluster accepted on the hub whose agent never comes: its work is never applied, so --wait waits.
    await w.hub.create(resourcePath(MANAGED_CLUSTERS), { ...TYPE.managedCluster, metadata: { name: 'silent' }, spec: { hubAcceptsClient: true } });
    await waitForObject(w.hub, { group: '', version: 'v1', resource: 'namespaces', name: 'silent' }, (o) => !!o, { deadline: Date.now() + 60_000, what: 'namespace silent' });
    const f = w.file('app.yaml', configMapYaml('app') + '---\n' + configMapYaml('app2'));
    const r = await fleet.cli('hub', ['deploy', 'app', '-f', f, '--clusters', 'silent', '--wait'], { interrupt: { when: /silent: waiting for the agent/ } });
    const errors = r.stderr.split('\n').filter((l) => /^error/i.test(l));
    expect({ code: r.code, errors }).toEqual({ code: 130, errors: [expect.stringMatching(/^Error: interrupted while waiting for app.*ocmadm get works app/)] });
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const work = await w.hub.get<ManifestWork>(resourcePath({ ...MANIFEST_WORKS, namespace: 'silent', name: 'app' }));
    expect(work.spec?.workload?.manifests?.map((m) => (m as { metadata: { name: string } }).metadata.name)).toEqual(['app', 'app2']);
    // A re-run without --wait finds it complete: nothing to redo.
    const again = await fleet.cli('hub', ['deploy', 'app', '-f', f, '--clusters', 'silent']);
    expect(again.code).toBe(0);
    const after = await w.hub.get<ManifestWork>(resourcePath({ ...MANIFEST_WORKS, namespace: 'silent', name: 'app' }));
    expect(after.metadata?.generation).toBe(work.metadata?.generation);
  });
});
