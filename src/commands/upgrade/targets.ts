/**
 * What `upgrade` replaces in each kind of cluster, rendered by the installers init and join use:
 * on a hub the CRDs, admission guard, namespaces, RBAC and the runtime (bundle ConfigMap, then
 * Deployment); on a spoke the spoke CRDs, the klusterlet RBAC and the runtime. Never the bootstrap
 * token or secret, cluster-info, the cluster sets, the hub kubeconfig secret or the agent's key.
 * The runtime's flags (auto-approval, cluster name, claims, spoke URL) and, unless given again,
 * its image and pull secrets are read back from the installed Deployment.
 */
import type { CommandContext } from '../../cli/context.js';
import { CliError } from '../../cli/errors.js';
import type { KubeClient, KubeObject } from '../../kube/client.js';
import { getOrUndefined, resourcePath } from '../../kube/resources.js';
import { loadBundle, type BundleKind, type RuntimeBundle } from '../../bundle/index.js';
import { connectHub } from '../../install/hub/connect.js';
import { HUB } from '../../install/hub/constants.js';
import { loadHubCrds, planHub } from '../../install/hub/plan.js';
import { DEPLOYMENT_PATH, localHubController } from '../../install/hub/runtime.js';
import { spokeCrds } from '../../install/klusterlet/crds.js';
import { KLUSTERLET, klusterletObjects } from '../../install/klusterlet/klusterlet.js';
import { argValue, parseClaimsArg, type UpgradeOptions } from './options.js';

export interface RuntimeDeployment extends KubeObject {
  spec?: {
    replicas?: number;
    template?: {
      metadata?: { annotations?: Record<string, string> };
      spec?: { containers?: { image?: string; args?: string[] }[]; imagePullSecrets?: { name: string }[] };
    };
  };
}

export interface Target {
  kind: BundleKind;
  /** "the hub https://…", "the spoke https://…". */
  where: string;
  server: string;
  client: KubeClient;
  namespace: string;
  deploymentName: string;
  podSelector: string;
  /** "the hub controller", "the klusterlet". */
  what: string;
  current: RuntimeDeployment;
  bundle: RuntimeBundle;
  image: string;
  imagePullSecrets: string[];
  /** In apply order; a CRD phase is waited on (Established) before the next. */
  phases: { name: 'crds' | 'guard' | 'namespaces' | 'rbac' | 'runtime'; objects: KubeObject[] }[];
}

const containerOf = (d: RuntimeDeployment) => d.spec?.template?.spec?.containers?.[0] ?? {};
const pullSecretsOf = (d: RuntimeDeployment) => (d.spec?.template?.spec?.imagePullSecrets ?? []).map((s) => s.name);

export async function hubTarget(opts: UpgradeOptions, ctx: CommandContext): Promise<Target> {
  const { client, endpoint } = await connectHub(ctx);
  const where = `the hub ${endpoint.server}`;
  const current = await getOrUndefined<RuntimeDeployment>(client, DEPLOYMENT_PATH);
  if (!current) {
    const local = localHubController(endpoint.server, ctx.io.env);
    if (local.pid !== undefined) throw new CliError(`${where} runs its hub controller as a local process (pid ${local.pid}), not a Deployment: \`ocmadm init --runtime local\` restarts it with this ocmadm`);
    throw new CliError(`no hub found at ${endpoint.server} (no Deployment ${HUB.controllerNamespace}/${HUB.controllerDeployment}): run ocmadm init`);
  }
  const c = containerOf(current);
  const autoApproveUsers = argValue(c.args ?? [], '--auto-approve-users')?.split(',').filter(Boolean) ?? [];
  const bundle = loadBundle('hub-controller', ctx.io.env);
  const image = opts.image ?? c.image ?? '';
  const imagePullSecrets = opts.imagePullSecrets ?? pullSecretsOf(current);
  // Without cluster-info and a bootstrap token the plan leaves both alone; the cluster sets are the admin's.
  const phases = planHub({ runtime: 'cluster', image, bundle, imagePullSecrets, crds: loadHubCrds(), autoApproveUsers }).filter(
    (p): p is Target['phases'][number] => ['crds', 'guard', 'namespaces', 'rbac', 'runtime'].includes(p.name),
  );
  return {
    kind: 'hub-controller',
    where,
    server: endpoint.server,
    client,
    namespace: HUB.controllerNamespace,
    deploymentName: HUB.controllerDeployment,
    podSelector: `app=${HUB.controllerDeployment}`,
    what: 'the hub controller',
    current,
    bundle,
    image,
    imagePullSecrets,
    phases,
  };
}

export async function klusterletTarget(opts: UpgradeOptions, ctx: CommandContext): Promise<Target> {
  const client = await ctx.client(ctx.globals, 'spoke');
  const where = `the spoke ${client.server}`;
  const path = resourcePath({ group: 'apps', version: 'v1', resource: 'deployments', namespace: KLUSTERLET.namespace, name: KLUSTERLET.deployment });
  const current = await getOrUndefined<RuntimeDeployment>(client, path);
  if (!current) throw new CliError(`no klusterlet found on ${client.server} (no Deployment ${KLUSTERLET.namespace}/${KLUSTERLET.deployment}): run ocmadm join (a local klusterlet is restarted by ocmadm join --runtime local)`);
  const c = containerOf(current);
  const args = c.args ?? [];
  const clusterName = argValue(args, '--cluster-name');
  if (!clusterName) throw new CliError(`Deployment ${KLUSTERLET.namespace}/${KLUSTERLET.deployment} on ${client.server} has no --cluster-name: it was not made by ocmadm join; run ocmadm join again`);
  const bundle = loadBundle('klusterlet', ctx.io.env);
  const image = opts.image ?? c.image ?? '';
  const imagePullSecrets = opts.imagePullSecrets ?? pullSecretsOf(current);
  const objects = klusterletObjects({
    clusterName,
    runtime: 'cluster',
    image,
    spokeServer: argValue(args, '--spoke-external-server-url'),
    clusterClaims: parseClaimsArg(argValue(args, '--cluster-claims')),
    // Only the bootstrap Secret uses it, and that Secret is left out below.
    bootstrapKubeconfig: '',
    bundle,
    imagePullSecrets,
  });
  const runtime = objects.filter((o) => o.kind === 'ConfigMap' || o.kind === 'Deployment');
  const rbac = objects.filter((o) => !runtime.includes(o) && o.kind !== 'Namespace' && o.kind !== 'Secret');
  return {
    kind: 'klusterlet',
    where,
    server: client.server,
    client,
    namespace: KLUSTERLET.namespace,
    deploymentName: KLUSTERLET.deployment,
    podSelector: `app.kubernetes.io/name=${KLUSTERLET.deployment}`,
    what: 'the klusterlet',
    current,
    bundle,
    image,
    imagePullSecrets,
    phases: [
      { name: 'crds', objects: spokeCrds() },
      { name: 'rbac', objects: rbac },
      { name: 'runtime', objects: runtime },
    ],
  };
}
