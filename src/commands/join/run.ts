/**
 * join: preflight (spoke, then hub; nothing written before both pass), plan the objects from the
 * templates, then (unless --dry-run) apply them, start the klusterlet runtime and, with --wait,
 * watch until the cluster's CSR is pending on the hub.
 */
import fs from 'node:fs';
import type { KubeClient, KubeObject } from '../../kube/client.js';
import { Discovery, applyObject, deleteIfPresent, resourcePath } from '../../kube/resources.js';
import { SECRETS } from '../../kube/core.js';
import { CliError } from '../../cli/errors.js';
import { toYaml } from '../../render/index.js';
import { FIELD_MANAGER, SECRET } from '../../api/names.js';
import { removeLocalRuntime, type LocalRuntimeInfo } from '../../runtime/host/index.js';
import { bootstrapKubeconfigYaml } from '../../install/klusterlet/bootstrap-kubeconfig.js';
import { applyCrdsAndWait, spokeCrds } from '../../install/klusterlet/crds.js';
import { KLUSTERLET, clusterOfInstance, klusterletObjects } from '../../install/klusterlet/klusterlet.js';
import { currentBootstrapText, type SpokeState } from '../../install/klusterlet/spoke-state.js';
import { describeRequester } from '../../api/csr.js';
import type { Progress } from '../../ui/progress.js';
import type { JoinOptions } from './options.js';
import { preflightHub, preflightSpoke } from './preflight.js';
import { spokeCaPem, startLocalKlusterlet } from './local.js';
import { waitForRegistration } from './wait.js';
import { parseCaBundle } from './discovery.js';
import { loadBundle } from '../../bundle/index.js';
import { requirePullSecrets } from '../../bundle/preflight.js';
import { readInstalledRuntime, refuseDowngrade } from '../../bundle/versions.js';
import { withPodTrouble } from '../../bundle/pods.js';

export interface JoinResult {
  cluster: string;
  hub: string;
  spoke: string;
  runtime: JoinOptions['runtime'];
  dryRun: boolean;
  ca: { source: string; fingerprint: string; trustedOnFirstUse: boolean };
  bootstrapSecret: 'created' | 'updated' | 'unchanged' | 'would-write';
  objects: string[];
  local?: { pid?: number; logFile: string; stateDir: string };
  registration?: {
    managedCluster: true;
    pendingCsrs: { name: string; requester: string }[];
    /** Pending CSRs of other agents asking for the same name (accept will refuse until one is picked). */
    competing: { name: string; requester: string }[];
    accepted: boolean;
    hasCredentials: boolean;
  };
  warnings: string[];
  next: string;
  /** --dry-run: the manifests, secret data redacted. */
  manifests?: string;
  outputFile?: string;
}

export interface JoinDeps {
  spoke: KubeClient;
  progress: Progress;
  env: NodeJS.ProcessEnv;
  deadline: number;
  signal?: AbortSignal;
  /** Closed by the caller. */
  track: (c: KubeClient) => KubeClient;
}

const describe = (o: KubeObject) => `${o.kind}/${o.metadata?.name}`;

/** The same objects with Secret data replaced by a note: dry-run output must not print the token. */
export function redactSecrets(objects: KubeObject[]): KubeObject[] {
  return objects.map((o) => {
    if (o.kind !== 'Secret') return o;
    const data = Object.fromEntries(Object.keys((o.data as Record<string, string>) ?? {}).map((k) => [k, '<redacted: holds the hub token; --output-file writes it>']));
    return { ...o, data: undefined, stringData: data } as KubeObject;
  });
}

/** Writes (truncating) a file that may hold credentials: mode 0600. */
function writeOutputFile(file: string, text: string): void {
  fs.writeFileSync(file, text, { mode: 0o600, flag: 'w' });
  fs.chmodSync(file, 0o600);
}


/** --force over another name: stop that agent and drop its credentials, so ours registers cleanly. */
async function releaseOtherNames(spoke: KubeClient, state: SpokeState, opts: JoinOptions, env: NodeJS.ProcessEnv, progress: Progress): Promise<void> {
  const others = state.joinedAs.filter((n) => n !== opts.clusterName);
  if (others.length === 0) return;
  progress.warn(`--force: replacing the registration as ${others.join(', ')}`);
  for (const r of state.localRuntimes.filter((x) => clusterOfInstance(x.instance) !== opts.clusterName)) await removeLocalRuntime('klusterlet', r.instance, env);
  for (const name of [SECRET.hubKubeconfig, SECRET.csrKey]) await deleteIfPresent(spoke, { ...SECRETS, namespace: KLUSTERLET.namespace, name });
}

export async function runJoin(opts: JoinOptions, deps: JoinDeps): Promise<JoinResult> {
  const { spoke, progress, env } = deps;
  const proxyCaPem = opts.proxyCaFile ? readProxyCa(opts.proxyCaFile) : undefined;
  progress.start(`checking the spoke ${spoke.server}`);
  const state = await preflightSpoke(spoke, opts, env);
  const caOfSpoke = spokeCaPem(spoke);
  if (opts.runtime === 'local' && !caOfSpoke) {
    throw new CliError(`the spoke kubeconfig has no CA for ${spoke.server}: the local klusterlet would have to skip TLS verification; use a kubeconfig with certificate-authority data`);
  }
  progress.start(`checking the hub ${opts.hubServer}`);
  const hub = await preflightHub(opts, spoke.server, caOfSpoke, (s) => progress.info(s));
  deps.track(hub.bootstrap);
  progress.done('preflight passed');
  for (const w of hub.warnings) progress.warn(w);

  const bootstrapText = bootstrapKubeconfigYaml({ server: opts.hubServer, caPem: hub.ca.caPem, token: opts.hubToken, proxyUrl: opts.proxyUrl, proxyCaPem });
  const bundle = opts.runtime === 'cluster' ? loadBundle('klusterlet', env) : undefined;
  if (bundle) {
    refuseDowngrade(await readInstalledRuntime(spoke, 'klusterlet', KLUSTERLET.namespace), bundle, opts.force, `the spoke ${spoke.server}`);
    await requirePullSecrets(spoke, KLUSTERLET.namespace, opts.imagePullSecrets);
  }
  const values = {
    clusterName: opts.clusterName,
    runtime: opts.runtime,
    image: opts.image,
    spokeServer: spoke.server,
    clusterClaims: opts.clusterClaims,
    bootstrapKubeconfig: bootstrapText,
    bundle,
    imagePullSecrets: opts.imagePullSecrets,
  };
  const objects = klusterletObjects(values);
  const [nsObj, ...rest] = objects;
  const crds = spokeCrds();
  const all = [nsObj!, ...crds, ...rest];
  const result: JoinResult = {
    cluster: opts.clusterName,
    hub: opts.hubServer,
    spoke: spoke.server,
    runtime: opts.runtime,
    dryRun: opts.dryRun,
    ca: { source: hub.ca.source, fingerprint: hub.ca.fingerprint, trustedOnFirstUse: hub.ca.firstUse },
    bootstrapSecret: 'would-write',
    objects: all.map(describe),
    warnings: hub.warnings,
    next: `ocmadm accept --clusters ${opts.clusterName}`,
  };
  if (opts.outputFile) {
    writeOutputFile(opts.outputFile, toYaml(all));
    result.outputFile = opts.outputFile;
  }
  if (opts.dryRun) {
    result.manifests = toYaml(redactSecrets(all));
    return result;
  }

  await releaseOtherNames(spoke, state, opts, env, progress);
  const discovery = new Discovery(spoke);
  const apply = (o: KubeObject) => applyObject(spoke, discovery, o, { fieldManager: FIELD_MANAGER.cli, force: true });
  progress.start(`creating namespace ${KLUSTERLET.namespace}`);
  await apply(nsObj!);
  progress.start('installing the spoke CRDs');
  await applyCrdsAndWait(spoke, crds, deps.deadline, deps.signal);
  progress.start('installing the klusterlet identity and RBAC');
  const secretObj = rest.find((o) => o.kind === 'Secret')!;
  const runtimeObjs = rest.filter((o) => o.kind === 'Deployment' || o.kind === 'ConfigMap');
  for (const o of rest.filter((x) => x !== secretObj && !runtimeObjs.includes(x))) await apply(o);
  const current = currentBootstrapText(state);
  if (current === bootstrapText) result.bootstrapSecret = 'unchanged';
  else {
    progress.start(`writing Secret ${SECRET.bootstrapHubKubeconfig}`);
    await apply(secretObj);
    result.bootstrapSecret = current === undefined ? 'created' : 'updated';
  }

  const deploymentPath = resourcePath({ group: 'apps', version: 'v1', resource: 'deployments', namespace: KLUSTERLET.namespace, name: KLUSTERLET.deployment });
  if (opts.runtime === 'cluster') {
    for (const r of state.localRuntimes.filter((x) => clusterOfInstance(x.instance) === opts.clusterName)) {
      progress.info('switching from the local runtime to the cluster runtime: stopping the local klusterlet');
      await removeLocalRuntime('klusterlet', r.instance, env);
    }
    progress.start(`deploying the klusterlet (${opts.image})`);
    for (const o of runtimeObjs) await apply(o);
  } else {
    if (state.deployment && (await deleteIfPresent(spoke, deploymentPath))) progress.info('switching to the local runtime: deleted the klusterlet Deployment');
    progress.start('starting the local klusterlet');
    const info: LocalRuntimeInfo = await startLocalKlusterlet(spoke, values, env);
    result.local = { pid: info.pid, logFile: info.logFile, stateDir: info.dir };
  }
  progress.done(`klusterlet for ${opts.clusterName} installed (${opts.runtime} runtime)`);

  if (opts.wait) {
    progress.start(`waiting for ${opts.clusterName} to register on the hub`);
    const register = (signal?: AbortSignal) => waitForRegistration(hub.bootstrap, spoke, opts.clusterName, deps.deadline, signal);
    // The cluster runtime: a pod that cannot start ends the wait with its own reason.
    const pods = { namespace: KLUSTERLET.namespace, deployment: KLUSTERLET.deployment, labelSelector: `app.kubernetes.io/name=${KLUSTERLET.deployment}`, what: 'the klusterlet', deadline: deps.deadline, signal: deps.signal };
    const w = opts.runtime === 'cluster' ? await withPodTrouble(spoke, pods, register) : await register(deps.signal);
    progress.stop();
    result.registration = {
      managedCluster: true,
      accepted: w.accepted,
      hasCredentials: w.state === 'has-credentials',
      pendingCsrs: w.state === 'pending-csr' ? w.csrs.map((c) => ({ name: c.name, requester: describeRequester(c) })) : [],
      competing: w.state === 'pending-csr' ? w.competing.map((c) => ({ name: c.name, requester: describeRequester(c) })) : [],
    };
  }
  return result;
}

/** The PEM of --proxy-ca-file, checked to hold certificates. */
function readProxyCa(file: string): string {
  let pem: string;
  try {
    pem = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read --proxy-ca-file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; pass the file of the proxy's CA certificate`);
  }
  parseCaBundle(pem, `--proxy-ca-file ${file}`);
  return pem;
}
