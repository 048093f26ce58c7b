/**
 * `ocmadm init`: checks (kubeconfig, reachability, permissions, OCM's operator, a server-side dry
 * run) before anything changes, then applies the plan phase by phase, starts the hub controller
 * runtime, issues a join token and proves the admission guard refuses it, optionally waits for
 * the controller. Returns a Result; printing is render.ts's job.
 */
import type { CommandContext } from '../../cli/context.js';
import type { KubeClient, KubeObject } from '../../kube/client.js';
import { isNotFound } from '../../kube/errors.js';
import { resourcePath } from '../../kube/resources.js';
import { LABEL, MANAGED_BY, NS } from '../../api/names.js';
import { applyPermissions, requirePermissions, type Permission } from '../../install/hub/access.js';
import { applyAll, validateOnServer, waitCrdsEstablished } from '../../install/hub/apply.js';
import { connectHub } from '../../install/hub/connect.js';
import { HUB, type RuntimeType } from '../../install/hub/constants.js';
import { verifyGuard } from '../../install/hub/guard.js';
import { clusterInfoKubeconfig } from '../../install/hub/kubeconfig.js';
import { allObjects, loadHubCrds, planHub, type Phase } from '../../install/hub/plan.js';
import { OPERATOR_CHECK_PERMISSIONS, refuseOcmOperator, requireAdmissionPolicies } from '../../install/hub/preflight.js';
import {
  deleteClusterRuntime,
  leaseSnapshot,
  LEASE_REF,
  removeLocalHubController,
  startLocalHubController,
  waitHubControllerReady,
} from '../../install/hub/runtime.js';
import {
  bootstrapServiceAccountToken,
  decideBootstrapToken,
  issuedFromDecision,
  newBootstrapToken,
  type BootstrapTokenDecision,
  type IssuedToken,
} from '../../install/hub/tokens.js';
import type { InitOptions } from './options.js';
import { loadBundle } from '../../bundle/index.js';
import { requirePullSecrets } from '../../bundle/preflight.js';
import { readInstalledRuntime, refuseDowngrade } from '../../bundle/versions.js';
import { waitRolledOut, withPodTrouble } from '../../bundle/pods.js';
import { CONFIG_MAPS } from '../../kube/core.js';

export interface InitResult {
  hubApiserver: string;
  dryRun: boolean;
  /** What was applied (or, with --dry-run, would be), in order. */
  objects: KubeObject[];
  token?: IssuedToken;
  clusterInfo: 'created' | 'updated' | 'kept';
  runtime: {
    type: RuntimeType;
    pid?: number;
    logFile?: string;
    deployment?: string;
    /** --wait: the identity holding the leader Lease. */
    leader?: string;
  };
  warnings: string[];
  durationMs: number;
}

/** Reads and rights beyond applying the planned objects. */
function extraPermissions(opts: InitOptions): Permission[] {
  const perms: Permission[] = [
    ...OPERATOR_CHECK_PERMISSIONS,
    { verb: 'list', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' },
    { verb: 'watch', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' },
    { verb: 'get', group: '', resource: 'configmaps', namespace: HUB.clusterInfo.namespace },
    { verb: 'create', group: '', resource: 'serviceaccounts', subresource: 'token', namespace: NS.hubBootstrap },
  ];
  if (opts.useBootstrapToken) perms.push({ verb: 'get', group: '', resource: 'secrets', namespace: HUB.bootstrapTokenNamespace });
  if (opts.runtime === 'local') {
    perms.push({ verb: 'create', group: '', resource: 'serviceaccounts', subresource: 'token', namespace: HUB.controllerNamespace });
  }
  if (opts.wait) for (const verb of ['get', 'list', 'watch']) perms.push({ verb, group: LEASE_REF.group, resource: LEASE_REF.resource, namespace: LEASE_REF.namespace });
  return perms;
}

/** cluster-info: made when missing, kept up to date when ocmadm made it, left alone otherwise. */
async function clusterInfoState(client: KubeClient): Promise<'create' | 'update' | 'keep'> {
  try {
    const cm = await client.get(resourcePath({ ...CONFIG_MAPS, ...HUB.clusterInfo }));
    return cm.metadata?.labels?.[LABEL.managedBy] === MANAGED_BY ? 'update' : 'keep';
  } catch (err) {
    if (isNotFound(err)) return 'create';
    throw err;
  }
}

const phaseTitle: Record<Phase['name'], string> = {
  crds: 'CRDs',
  guard: 'admission guard (ValidatingAdmissionPolicy)',
  namespaces: 'namespaces',
  rbac: 'ServiceAccounts and RBAC',
  'cluster-info': 'kube-public/cluster-info',
  clustersets: 'ManagedClusterSets default and global',
  'bootstrap-token': 'bootstrap token',
  runtime: 'hub controller Deployment',
};

export async function runInit(opts: InitOptions, ctx: CommandContext): Promise<InitResult> {
  const t0 = Date.now();
  const deadline = ctx.deadline();
  const warnings: string[] = [];
  const warn = (m: string) => (warnings.push(m), ctx.progress.warn(m));
  const p = ctx.progress;

  p.start('Checking the hub');
  const conn = await connectHub(ctx);
  const { client, endpoint } = conn;
  const crds = loadHubCrds();
  const bundle = opts.runtime === 'cluster' ? loadBundle('hub-controller', ctx.io.env) : undefined;
  if (bundle) {
    refuseDowngrade(await readInstalledRuntime(client, 'hub-controller', HUB.controllerNamespace), bundle, opts.force, `the hub ${endpoint.server}`);
    await requirePullSecrets(client, HUB.controllerNamespace, opts.imagePullSecrets);
  }
  // The widest plan (cluster-info and a new bootstrap token included) names every right needed.
  const widest = planHub({
    runtime: opts.runtime,
    image: opts.image,
    bundle,
    imagePullSecrets: opts.imagePullSecrets,
    clusterInfoKubeconfig: '',
    bootstrapToken: opts.useBootstrapToken ? { create: newBootstrapToken(opts.ttlSeconds) } : undefined,
    crds,
    autoApproveUsers: opts.autoApproveUsers,
  });
  await requirePermissions(client, [...applyPermissions(allObjects(widest)), ...extraPermissions(opts)], `initialize the hub ${endpoint.server}`);
  await refuseOcmOperator(client, opts.force, warn);
  await requireAdmissionPolicies(client, conn.version);
  if (!endpoint.caPem) warn('the kubeconfig has no CA for the hub: joining clusters must get it another way (cluster-info will lack it)');

  const ci = await clusterInfoState(client);
  let decision: BootstrapTokenDecision | undefined;
  if (opts.useBootstrapToken) decision = await decideBootstrapToken(client, opts.ttlSeconds);
  const phases = planHub({
    runtime: opts.runtime,
    image: opts.image,
    bundle,
    imagePullSecrets: opts.imagePullSecrets,
    clusterInfoKubeconfig: ci === 'keep' ? undefined : clusterInfoKubeconfig(endpoint),
    bootstrapToken: decision ? { create: decision.create } : undefined,
    crds,
    autoApproveUsers: opts.autoApproveUsers,
  });
  const objects = allObjects(phases);
  const validated = await validateOnServer(client, objects, 'nothing was changed');
  p.done(`Hub ${endpoint.server} checked (Kubernetes ${conn.version}; ${validated} of ${objects.length} objects validated by a server dry run)`);

  const result: InitResult = {
    hubApiserver: endpoint.server,
    dryRun: opts.dryRun,
    objects,
    clusterInfo: ci === 'create' ? 'created' : ci === 'update' ? 'updated' : 'kept',
    runtime: { type: opts.runtime },
    warnings,
    durationMs: 0,
  };
  if (opts.dryRun) {
    result.durationMs = Date.now() - t0;
    return result;
  }

  for (const phase of phases) {
    p.start(`Applying ${phaseTitle[phase.name]}`);
    await applyAll(client, phase.objects, { signal: ctx.signal });
    if (phase.name === 'crds') {
      p.start(`Waiting for ${phase.objects.length} CRDs to be Established`);
      await waitCrdsEstablished(client, phase.objects.map((o) => o.metadata!.name!), deadline, ctx.signal);
    }
    p.done(`${phaseTitle[phase.name]}${phase.name === 'crds' ? ` (${phase.objects.length}) established` : ' applied'}`);
  }
  if (ci === 'keep') p.info(`kube-public/cluster-info exists and is not ocmadm's: left as it is`);

  const renewTimeBefore = opts.wait ? await leaseSnapshot(client) : undefined;
  let local;
  if (opts.runtime === 'local') {
    p.start('Starting the hub controller (local process)');
    if (await deleteClusterRuntime(client)) p.info(`removed Deployment ${HUB.controllerNamespace}/${HUB.controllerDeployment} (switching to the local runtime)`);
    local = await startLocalHubController(client, endpoint, ctx.io.env, opts.autoApproveUsers);
    result.runtime.pid = local.pid;
    result.runtime.logFile = local.logFile;
    p.done(`Hub controller running as local process ${local.pid} (log ${local.logFile})`);
  } else {
    result.runtime.deployment = `${HUB.controllerNamespace}/${HUB.controllerDeployment}`;
    if (await removeLocalHubController(endpoint.server, ctx.io.env)) p.info('stopped the local hub controller (switching to the cluster runtime)');
  }

  if (opts.autoApproveUsers.length) p.info(`auto-approval on: clusters joining as ${opts.autoApproveUsers.join(', ')} are accepted without ocmadm accept`);

  p.start('Issuing a join token');
  result.token = decision ? issuedFromDecision(decision) : await bootstrapServiceAccountToken(client, opts.ttlSeconds);
  if (result.token.reused) p.info(`reusing the existing bootstrap token (expires ${result.token.expiresAt ?? 'never'})`);
  if (!result.token.expiresAt) warn('the existing bootstrap token never expires; revoke it with: ocmadm delete token --use-bootstrap-token');
  p.start('Checking that the join token cannot accept clusters');
  await verifyGuard(conn.kc, result.token.token, deadline, ctx.signal);
  p.done('Join token issued; the admission guard refuses it hubAcceptsClient');

  if (opts.wait) {
    p.start('Waiting for the hub controller to lead');
    if (local) result.runtime.leader = await waitHubControllerReady(client, { deadline, signal: ctx.signal, renewTimeBefore, local });
    else {
      // Pods: the first that cannot start ends the wait with its own reason.
      const pods = { namespace: HUB.controllerNamespace, deployment: HUB.controllerDeployment, labelSelector: `app=${HUB.controllerDeployment}`, what: 'the hub controller', deadline, signal: ctx.signal };
      result.runtime.leader = await withPodTrouble(client, pods, (signal) => waitHubControllerReady(client, { deadline, signal, renewTimeBefore }));
      p.start('Waiting for every hub controller pod to be Ready');
      await waitRolledOut(client, HUB.controllerNamespace, HUB.controllerDeployment, pods);
    }
    p.done(`Hub controller ready (leader ${result.runtime.leader})`);
  }
  result.durationMs = Date.now() - t0;
  return result;
}
