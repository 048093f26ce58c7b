// `npm run demo`: a fleet on this machine in one command. Starts a sandbox (a hub and two spokes:
// real control planes, joined and accepted with the local runtimes), deploys examples/hello to
// both spokes through a placement, prints the clusters and the work status; with nodes it also
// enables the example add-on examples/addons/hello-addon on both spokes (its agent runs as pods and
// writes into its cluster namespace on the hub with its own identity). Checks the result (exit 1 if
// anything is not as it should be: CI runs this same script). Leaves the sandbox up to explore;
// `npm run demo:down` removes it.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeClient } from '../dist/kube/client.js';
import { loadKubeConfig } from '../dist/kube/config.js';
import { resourcePath } from '../dist/kube/resources.js';
import { waitForList, waitForObject } from '../dist/kube/wait.js';
import { findBinaries } from '../dist/sandbox/binaries.js';
import { MANIFEST_WORKS } from '../dist/api/index.js';
import { allReady, deploymentReplicas, renderReplicas } from '../dist/commands/deploy/feedback.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin', 'ocmadm');
const NAME = process.env.OCMADM_DEMO_NAME ?? 'demo';

/** Runs ocmadm; stderr (progress) goes to the terminal, stdout is returned (and echoed unless quiet). */
function ocmadm(args, opts = {}) {
  return run(process.execPath, [CLI, ...args], `ocmadm ${args.join(' ')}`, opts);
}

function run(cmd, args, what, { quiet = false, env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (!quiet) process.stdout.write(d);
    });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${what} exited ${code}`))));
  });
}

/** hello's Deployment on each spoke; with nodes, watches the hub's works until all replicas are ready. */
async function helloReplicas(sandbox, clusters, wait) {
  const client = await KubeClient.create(loadKubeConfig({ kubeconfig: sandbox.kubeconfig, context: sandbox.hub.context }), 'ocmadm-demo');
  const rowsOf = (works) =>
    works
      .flatMap(deploymentReplicas)
      .filter((r) => clusters.includes(r.cluster) && r.deployment === 'hello/hello')
      .sort((a, b) => a.cluster.localeCompare(b.cluster));
  const done = (works) => clusters.every((c) => allReady(rowsOf(works).filter((r) => r.cluster === c), 2));
  try {
    const collection = resourcePath(MANIFEST_WORKS);
    const works = wait
      ? await waitForList(client, collection, done, { deadline: Date.now() + 300_000, what: 'hello to have 2 ready replicas on every spoke' })
      : (await client.list(collection)).items;
    return rowsOf(works);
  } finally {
    await client.close();
  }
}

/** The ConfigMap hello-addon's agent writes in its cluster namespace on the hub, once it reported. */
async function addonReports(sandbox, clusters) {
  const client = await KubeClient.create(loadKubeConfig({ kubeconfig: sandbox.kubeconfig, context: sandbox.hub.context }), 'ocmadm-demo');
  try {
    return await Promise.all(
      clusters.map((c) =>
        waitForObject(client, { group: '', version: 'v1', resource: 'configmaps', namespace: c, name: 'hello-addon' }, (cm) => !!cm?.data?.reportedAt, {
          deadline: Date.now() + 300_000,
          what: `hello-addon's agent to write ConfigMap hello-addon in ${c} on the hub`,
        }),
      ),
    );
  } finally {
    await client.close();
  }
}

const step = (s) => process.stdout.write(`\n\x1b[1m== ${s}\x1b[0m\n`);

function check(cond, what) {
  if (!cond) throw new Error(`demo check failed: ${what}`);
}

try {
  const t0 = Date.now();
  step(`ocmadm sandbox up --name ${NAME} --spokes 2`);
  const sandbox = JSON.parse(await ocmadm(['sandbox', 'up', '--name', NAME, '--spokes', '2', '-o', 'json'], { quiet: true }));
  const kc = ['--kubeconfig', sandbox.kubeconfig, '--context', sandbox.hub.context];
  const clusters = sandbox.spokes.map((s) => s.clusterName);
  process.stdout.write(`hub ${sandbox.hub.server}, spokes ${clusters.join(', ')}, kubeconfig ${sandbox.kubeconfig}\n`);

  step('ocmadm deploy hello -f examples/hello --cluster-selector cluster.open-cluster-management.io/clusterset=default --wait');
  const deployed = JSON.parse(
    await ocmadm([...kc, 'deploy', 'hello', '-f', path.join(ROOT, 'examples', 'hello'), '--cluster-selector', 'cluster.open-cluster-management.io/clusterset=default', '--wait', '-o', 'json'], { quiet: true }),
  );
  const done = deployed.clusters.filter((c) => c.applied === 'True' && c.available === 'True').map((c) => c.cluster).sort();
  check(JSON.stringify(done) === JSON.stringify([...clusters].sort()), `hello applied and available on ${clusters.join(', ')} (got ${done.join(', ') || 'none'})`);

  step('ocmadm get clusters');
  const table = await ocmadm([...kc, 'get', 'clusters']);
  for (const c of clusters) check(new RegExp(`^${c}\\s+true\\s+True\\s+True`, 'm').test(table), `${c} accepted, joined and available`);

  step('ocmadm get works hello');
  const works = await ocmadm([...kc, 'get', 'works', 'hello']);
  check(works.split('\n').filter((l) => /\sTrue\s+True\s/.test(l)).length === clusters.length, 'every work Applied and Available');

  step('ocmadm get placements');
  await ocmadm([...kc, 'get', 'placements']);

  // The Deployments' ready replicas, as each spoke's work agent reports them to the hub
  // (WellKnownStatus feedback: `ocmadm get works hello -o json` -> status.resourceStatus.manifests[].statusFeedback).
  const nodes = (sandbox.nodes ?? 0) > 0 || sandbox.spokes.some((s) => (s.nodes ?? 0) > 0);
  step(`ready replicas of hello, from the works' status feedback${nodes ? ' (waiting until every replica is ready)' : ''}`);
  const rows = await helloReplicas(sandbox, clusters, nodes);
  process.stdout.write(renderReplicas(rows));
  if (nodes) for (const c of clusters) check(allReady(rows.filter((r) => r.cluster === c), 2), `hello has 2 ready replicas on ${c}`);
  else process.stdout.write('(these spokes have no nodes, so no pod runs and the agents report no replicas)\n');

  // The example add-on: its agent runs as pods, so only on spokes with nodes (they joined the hub at
  // its node IP, relayed onto their nodes, which the add-on's hub kubeconfig points at).
  const ADDON = path.join(ROOT, 'examples', 'addons', 'hello-addon');
  if (nodes) {
    step('kubectl apply -f examples/addons/hello-addon/hub.yaml');
    const { kubectl } = await findBinaries();
    await run(kubectl, ['--kubeconfig', sandbox.kubeconfig, '--context', sandbox.hub.context, 'apply', '-f', path.join(ADDON, 'hub.yaml')], 'kubectl apply');
    step('ocmadm addon create -f examples/addons/hello-addon/template.yaml --config AddOnDeploymentConfig/default/hello-addon-config');
    await ocmadm([...kc, 'addon', 'create', '-f', path.join(ADDON, 'template.yaml'), '--config', 'AddOnDeploymentConfig/default/hello-addon-config']);
    step(`ocmadm addon enable --names hello-addon --clusters ${clusters.join(',')} --wait`);
    await ocmadm([...kc, 'addon', 'enable', '--names', 'hello-addon', '--clusters', clusters.join(','), '--wait']);
    step('ocmadm get addons');
    const addons = await ocmadm([...kc, 'get', 'addons']);
    for (const c of clusters) check(new RegExp(`^${c}\\s+hello-addon\\s+True\\s`, 'm').test(addons), `hello-addon Available on ${c}`);
    step("what hello-addon's agents wrote on the hub, each in its own cluster namespace with its own identity");
    for (const cm of await addonReports(sandbox, clusters)) {
      const d = cm.data;
      check(d.cluster === cm.metadata.namespace && d.refusedElsewhere === '403', `hello-addon's agent on ${cm.metadata.namespace} wrote its own namespace only`);
      process.stdout.write(`${cm.metadata.namespace}/hello-addon: ${d.greeting} from pod ${d.pod}; a write in default was refused (${d.refusedElsewhere})\n`);
    }
  } else {
    process.stdout.write('\n(no nodes: the example add-on examples/addons/hello-addon runs its agent as pods, so the demo leaves it out)\n');
  }

  process.stdout.write(`
The demo took ${((Date.now() - t0) / 1000).toFixed(1)} s. The fleet is still running; explore it:

  export KUBECONFIG=${sandbox.kubeconfig}
  ocmadm get clusters --context ${sandbox.hub.context}
  ocmadm get works --context ${sandbox.hub.context}
  kubectl --context ${sandbox.spokes[0].context} -n hello get configmap hello-config -o yaml   # on a spoke
  ocmadm get addons --context ${sandbox.hub.context}

Deploy your own manifests with: ocmadm deploy NAME -f FILE --clusters ${clusters.join(',')} --wait
Tear it all down with: npm run demo:down   (ocmadm sandbox down --name ${NAME})
`);
} catch (err) {
  process.stderr.write(`\ndemo failed: ${err.message}\nTear down what started with: npm run demo:down\n`);
  process.exit(1);
}
