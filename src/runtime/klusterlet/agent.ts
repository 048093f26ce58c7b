/**
 * The registration agent in-process, put together from owners of one object each:
 *  - Registration (registration.ts): the CSR key, CSRs, certificate and `hub-kubeconfig-secret`,
 *    with rotation; it publishes each new hub identity;
 *  - ManagedClusterOwner (cluster-owner.ts): the ManagedCluster on the hub (watch and status);
 *  - LeaseUpdater (lease.ts): the cluster lease on the hub.
 * Spoke informers (agent-namespace Secrets, Nodes, ClusterClaims) are shared. A certificate
 * rotation moves the owners to the new identity; nothing else restarts here (a changed bootstrap
 * secret ends `done` with 'bootstrap-changed' and the process starts a new agent: main.ts).
 * Other agents (the work agent) get the identity through `onIdentity`.
 */
import { clusterCaPem, pemData, type KubeConfig } from '../../kube/kubeconfig.js';
import { KubeClient } from '../../kube/client.js';
import { NODES, SECRETS } from '../../kube/core.js';
import { CLUSTER_CLAIMS, type ClusterClaim } from '../../api/index.js';
import { NS, SECRET } from '../../api/names.js';
import { createLogger } from '../core/log.js';
import { SharedInformers } from '../core/shared-informers.js';
import type { Logger } from '../core/types.js';
import type { ClaimOptions } from './claims.js';
import { ManagedClusterOwner } from './cluster-owner.js';
import { CsrKeyStore } from './csr-key-store.js';
import { HubKubeconfigSecret, type Secret } from './hub-secret.js';
import { LeaseUpdater } from './lease.js';
import type { ClientConfig } from './managed-cluster.js';
import type { NodeLike } from './node-resources.js';
import { Registration, storedNames, type HubIdentity, type RegistrationOutcome } from './registration.js';
import { createSpokeProbe } from './spoke-probe.js';

export interface RegistrationAgentOptions {
  /** The spoke: a client (owned by the caller) or a config (the agent makes and closes a client). */
  spoke: KubeClient | KubeConfig;
  /** Required unless the hub-kubeconfig-secret already names the cluster. */
  clusterName?: string;
  /** Default: the secret's `agent-name`, else 5 random characters. */
  agentId?: string;
  agentNamespace?: string;
  /** URL the hub records for this cluster (https only); default the spoke config's server. */
  spokeExternalServerUrl?: string;
  /** `expirationSeconds` of the agent's CSRs (default: the hub signer's duration). */
  clientCertExpirationSeconds?: number;
  /** Annotations for the ManagedCluster; only `agent.open-cluster-management.io/` ones are used. */
  clusterAnnotations?: Record<string, string>;
  claims?: ClaimOptions;
  /** Status resync period (default 60 s). */
  statusResyncSeconds?: number;
  log?: Logger;
}

export interface RegistrationAgent {
  readonly clusterName: string;
  readonly agentId: string;
  readonly namespace: string;
  readonly spoke: KubeClient;
  /** The hub identity in use, once registered. */
  readonly identity: HubIdentity | undefined;
  /** Called for every new hub identity (first registration and each rotation). */
  onIdentity(cb: (id: HubIdentity) => void): () => void;
  /** /healthz: true, or why not (the hub certificate has expired). */
  healthz(): true | string;
  /** /readyz: registered and watching the ManagedCluster. */
  readyz(): true | string;
  /** Settles when registration ends: 'bootstrap-changed' asks the process to start the agent again. */
  readonly done: Promise<RegistrationOutcome>;
  stop(): Promise<void>;
}

const AGENT_ID_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function randomAgentId(random: () => number = Math.random): string {
  return Array.from({ length: 5 }, () => AGENT_ID_CHARS[Math.floor(random() * AGENT_ID_CHARS.length)]).join('');
}

/** The spoke's server URL and CA bundle (base64 PEM), as the ManagedCluster's client config. */
export function spokeClientConfigs(kc: KubeConfig, url: string | undefined, log: Logger): ClientConfig[] {
  const cluster = kc.getCurrentCluster();
  const server = url ?? cluster?.server;
  if (!server) return [];
  if (!server.startsWith('https://')) {
    log.warn('the spoke server URL is not https; the hub will not get a client config', { url: server });
    return [];
  }
  const caPem = cluster && clusterCaPem(cluster);
  const caBundle = caPem ? pemData(caPem) : undefined;
  return [caBundle ? { url: server, caBundle } : { url: server }];
}

export async function startRegistrationAgent(opts: RegistrationAgentOptions): Promise<RegistrationAgent> {
  const ownsClient = !(opts.spoke instanceof KubeClient);
  const spoke = opts.spoke instanceof KubeClient ? opts.spoke : await KubeClient.create(opts.spoke, 'ocmadm-registration-agent');
  const namespace = opts.agentNamespace ?? NS.agent;
  const baseLog = opts.log ?? createLogger({ component: 'registration-agent' });
  const informers = new SharedInformers(spoke, baseLog);
  const secrets = informers.get<Secret>({ ref: { ...SECRETS, namespace } });
  const hubSecret = new HubKubeconfigSecret(spoke, secrets, namespace);
  const store = new CsrKeyStore(spoke, namespace);
  let clusterName: string | undefined;
  let agentId: string;
  try {
    await secrets.start();
    // The names survive restarts in the hub kubeconfig secret, or in the stored CSR key while the first CSR is pending.
    const known = await storedNames(hubSecret, store, opts.clusterName);
    clusterName = opts.clusterName ?? known.cluster;
    if (!clusterName) throw new Error(`no cluster name: pass --cluster-name (secret ${namespace}/${SECRET.hubKubeconfig} names none)`);
    agentId = opts.agentId ?? known.agent ?? randomAgentId();
  } catch (err) {
    informers.stopAll();
    if (ownsClient) await spoke.close();
    throw err;
  }
  const cluster = clusterName;
  const log = baseLog.child({ cluster, agent: agentId });
  log.info('registration agent starting', { namespace });

  const nodes = informers.get<NodeLike>({ ref: NODES });
  const claims = informers.get<ClusterClaim>({ ref: CLUSTER_CLAIMS });
  const ctrl = new AbortController();
  void informers.startAll().catch(() => undefined);

  const registration = new Registration({
    secrets,
    hubSecret,
    store,
    namespace,
    cluster,
    agent: agentId,
    clientConfigs: spokeClientConfigs(spoke.kc, opts.spokeExternalServerUrl, log),
    annotations: opts.clusterAnnotations,
    expirationSeconds: opts.clientCertExpirationSeconds,
    log: log.child({ controller: 'registration' }),
  });
  const probe = createSpokeProbe(spoke.kc);
  const lease = new LeaseUpdater({ cluster, client: () => managedCluster.client, log: log.child({ controller: 'lease' }) });
  const managedCluster = new ManagedClusterOwner(
    {
      cluster,
      spoke,
      nodes,
      claims,
      probe,
      certCondition: () => registration.certCondition,
      bootstrapKubeconfig: () => registration.bootstrapKubeconfig,
      identity: () => registration.identity,
      onObserved: (mc) => lease.observe(mc),
      claimOptions: opts.claims,
      statusResyncSeconds: opts.statusResyncSeconds,
      log,
    },
    ctrl.signal,
  );
  registration.onCertCondition(() => managedCluster.enqueue());
  registration.onIdentity((id) => managedCluster.use(id));

  const running = managedCluster.run();
  const done = registration.run(ctrl.signal);
  let stopping: Promise<void> | undefined;
  return {
    clusterName: cluster,
    agentId,
    namespace,
    spoke,
    get identity() {
      return registration.identity;
    },
    onIdentity: (cb) => registration.onIdentity(cb),
    healthz: () => registration.healthz(),
    readyz: () => {
      if (!registration.identity) return 'not registered with the hub yet';
      return managedCluster.synced ? true : 'cannot read the ManagedCluster on the hub yet';
    },
    done,
    stop: () =>
      (stopping ??= (async () => {
        ctrl.abort();
        await done.catch(() => undefined);
        await running;
        await managedCluster.stop();
        lease.stop();
        informers.stopAll();
        await probe.close();
        await registration.identity?.client.close();
        if (ownsClient) await spoke.close();
        log.info('registration agent stopped');
      })()),
  };
}
