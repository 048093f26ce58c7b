/**
 * join's checks, all before anything is written: the spoke is reachable and we may install there,
 * the hub's CA is found and proven, the token works, OCM is installed on the hub, the bootstrap
 * identity may register, and the cluster name is not taken by another spoke. Each failure is one
 * line saying what to do.
 */
import type { KubeClient } from '../../kube/client.js';
import { KubeClient as Client } from '../../kube/client.js';
import { CliError } from '../../cli/errors.js';
import { describeError, isUnauthorized, isUnreachable } from '../../kube/errors.js';
import type { ManagedCluster } from '../../api/index.js';
import { bootstrapKubeConfig } from '../../install/klusterlet/bootstrap-kubeconfig.js';
import { isBootstrapIdentity } from '../../api/csr.js';
import { checkOcmApis, getManagedCluster, missingPermissions, whoAmI, type AccessCheck } from '../shared/hub.js';
import { KLUSTERLET } from '../../install/klusterlet/klusterlet.js';
import { inspectSpoke, type SpokeState } from '../../install/klusterlet/spoke-state.js';
import { discoverHubCa, verifyHubCa, type HubCa } from './discovery.js';
import type { JoinOptions } from './options.js';

export interface HubPreflight {
  ca: HubCa;
  /** A client with the bootstrap identity (for --wait); the caller closes it. */
  bootstrap: KubeClient;
  identity?: string;
  existing?: ManagedCluster;
  warnings: string[];
}

const TOKEN_REJECTED = 'the hub rejected the token (401): the token is wrong or expired: run `ocmadm get token` on the hub';

const BOOTSTRAP_NEEDS: AccessCheck[] = [
  { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'create', what: 'create CSRs' },
  { group: 'cluster.open-cluster-management.io', resource: 'managedclusters', verb: 'create', what: 'create ManagedClusters' },
  { group: 'cluster.open-cluster-management.io', resource: 'managedclusters', verb: 'watch', what: 'watch ManagedClusters' },
];

/** The ManagedCluster's client config names another API server (or CA) than this spoke's. */
export function registeredElsewhere(mc: ManagedCluster, spokeServer: string, spokeCaPem?: string): string | undefined {
  const configs = mc.spec?.managedClusterClientConfigs ?? [];
  if (configs.length === 0) return undefined;
  const norm = (u: string) => u.replace(/\/+$/, '');
  const mine = configs.find((c) => norm(c.url) === norm(spokeServer));
  if (!mine) return configs.map((c) => c.url).join(', ');
  if (spokeCaPem && mine.caBundle && Buffer.from(mine.caBundle, 'base64').toString('utf8').trim() !== spokeCaPem.trim()) {
    return `${mine.url} (with another CA)`;
  }
  return undefined;
}

export async function preflightHub(opts: JoinOptions, spokeServer: string, spokeCaPem: string | undefined, log: (s: string) => void): Promise<HubPreflight> {
  const warnings: string[] = [];
  const ca = await discoverHubCa(opts.hubServer, opts.hubToken, opts.caFile);
  await verifyHubCa(opts.hubServer, ca);
  if (ca.firstUse) {
    log(`using the hub CA from ${ca.source} (${ca.fingerprint}), trusted on first use: compare it with the hub's, or pass --ca-file`);
  } else if (ca.signatureVerified) {
    log(`hub CA from ${ca.source} verified with the token's signature (${ca.fingerprint})`);
  }
  const bootstrap = await Client.create(bootstrapKubeConfig({ server: opts.hubServer, caPem: ca.caPem, token: opts.hubToken }), 'ocmadm-join');
  try {
    let me;
    try {
      me = await whoAmI(bootstrap);
      await checkOcmApis(bootstrap);
    } catch (err) {
      if (isUnauthorized(err)) throw new CliError(TOKEN_REJECTED);
      if (isUnreachable(err)) throw new CliError(`cannot reach the hub at ${opts.hubServer}: ${describeError(err)}`);
      throw err;
    }
    if (me && !isBootstrapIdentity(me.username, me.groups)) {
      warnings.push(`the token's identity ${me.username} is not an OCM bootstrap identity: accept will ignore its CSR unless run with --skip-approve-check`);
    }
    const missing = await missingPermissions(bootstrap, BOOTSTRAP_NEEDS);
    if (missing.length) {
      throw new CliError(`the token's identity ${me?.username ?? ''} may not ${missing.map((m) => m.what).join(', ')} on the hub: use a token from \`ocmadm get token\``);
    }
    const existing = await getManagedCluster(bootstrap, opts.clusterName);
    const elsewhere = existing ? registeredElsewhere(existing, spokeServer, spokeCaPem) : undefined;
    if (existing && elsewhere) {
      if (existing.spec?.hubAcceptsClient === true && !opts.force) {
        throw new CliError(
          `cluster ${opts.clusterName} is already accepted on the hub for another spoke (API server ${elsewhere}; this spoke is ${spokeServer}): choose another --cluster-name, or --force to take the name over (the hub admin must accept again)`,
        );
      }
      warnings.push(`a spoke at ${elsewhere} has also registered ${opts.clusterName}${existing.spec?.hubAcceptsClient ? ' (accepted)' : ''}: accept will see competing agents`);
    }
    return { ca, bootstrap, identity: me?.username, existing, warnings };
  } catch (err) {
    await bootstrap.close();
    throw err;
  }
}

const SPOKE_NEEDS = (opts: JoinOptions): AccessCheck[] => [
  { group: '', resource: 'namespaces', verb: 'create', what: 'create namespaces' },
  { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', verb: 'create', what: 'create CRDs' },
  { group: 'rbac.authorization.k8s.io', resource: 'clusterroles', verb: 'create', what: 'create ClusterRoles' },
  { group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings', verb: 'create', what: 'create ClusterRoleBindings' },
  { group: '', resource: 'secrets', verb: 'create', namespace: KLUSTERLET.namespace, what: 'create Secrets' },
  opts.runtime === 'cluster'
    ? { group: 'apps', resource: 'deployments', verb: 'create', namespace: KLUSTERLET.namespace, what: 'create Deployments' }
    : { group: '', resource: 'serviceaccounts', subresource: 'token', verb: 'create', namespace: KLUSTERLET.namespace, what: 'request ServiceAccount tokens' },
];

/** The spoke answers, we may install there, and it is not joined under another name (unless --force). */
export async function preflightSpoke(spoke: KubeClient, opts: JoinOptions, env: NodeJS.ProcessEnv): Promise<SpokeState> {
  let state: SpokeState;
  try {
    await spoke.get('/version');
    state = await inspectSpoke(spoke, env);
  } catch (err) {
    if (isUnreachable(err)) throw new CliError(`cannot reach the spoke (--kubeconfig/--context): ${describeError(err)}`);
    if (isUnauthorized(err)) throw new CliError(`the spoke ${spoke.server} rejected the credentials of --kubeconfig/--context (401)`);
    throw err;
  }
  const missing = await missingPermissions(spoke, SPOKE_NEEDS(opts));
  if (missing.length) {
    const me = await whoAmI(spoke).catch(() => undefined);
    throw new CliError(`${me?.username ?? 'this identity'} may not ${missing.map((m) => m.what).join(', ')} on the spoke: join needs a spoke administrator's kubeconfig`);
  }
  const others = state.joinedAs.filter((n) => n !== opts.clusterName);
  if (others.length && !opts.force) {
    throw new CliError(
      `this spoke is already joined as ${others.join(', ')}: run \`ocmadm unjoin --cluster-name ${others[0]}\` first, or --force to re-register it as ${opts.clusterName}`,
    );
  }
  return state;
}
