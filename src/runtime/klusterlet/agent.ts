/**
 * The registration agent in-process: spoke informers (agent-namespace Secrets, Nodes,
 * ClusterClaims), the registration state machine, and per hub identity a "hub session" (a watch
 * on the agent's own ManagedCluster) that drives the status controller and the lease updater.
 * A certificate rotation starts a new session on the new client and stops the old one; nothing
 * else restarts. Other agents (the work agent) get the identity through `onIdentity`.
 */
import { clusterCaPem, pemData, type KubeConfig } from '../../kube/kubeconfig.js';
import { KubeClient } from '../../kube/client.js';
import { describeError, isNotFound } from '../../kube/errors.js';
import { resourcePath } from '../../kube/resources.js';
import { CLUSTER_CLAIMS, MANAGED_CLUSTERS, type ClusterClaim, type ManagedCluster } from '../../api/index.js';
import { COND, NS, SECRET } from '../../api/names.js';
import { isTrue, type Condition } from '../core/conditions.js';
import { Controller } from '../core/controller.js';
import { createInformer, type ListWatchInformer } from '../core/informer.js';
import { createLogger } from '../core/log.js';
import { SharedInformers } from '../core/shared-informers.js';
import type { Logger } from '../core/types.js';
import { watchForAcceptance } from './accept-watch.js';
import type { ClaimOptions } from './claims.js';
import { CsrKeyStore } from './csr-key-store.js';
import { LeaseUpdater } from './lease.js';
import type { ClientConfig } from './managed-cluster.js';
import type { NodeLike } from './node-resources.js';
import { bootstrapKubeConfig } from './hub-kubeconfig.js';
import { Registration, type HubIdentity, type RegistrationOutcome, type Secret } from './registration.js';
import { createSpokeProbe } from './spoke-probe.js';
import { ClusterStatusReconciler, type HubSession } from './status.js';

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

const SECRETS = { group: '', version: 'v1', resource: 'secrets' } as const;
const NODES = { group: '', version: 'v1', resource: 'nodes' } as const;
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

async function readHubSecretNames(spoke: KubeClient, namespace: string): Promise<{ cluster?: string; agent?: string }> {
  try {
    const s = await spoke.get<Secret>(resourcePath({ ...SECRETS, namespace, name: SECRET.hubKubeconfig }));
    const dec = (v?: string) => (v ? Buffer.from(v, 'base64').toString('utf8') || undefined : undefined);
    return { cluster: dec(s.data?.['cluster-name']), agent: dec(s.data?.['agent-name']) };
  } catch (err) {
    if (isNotFound(err)) return {};
    throw err;
  }
}

export async function startRegistrationAgent(opts: RegistrationAgentOptions): Promise<RegistrationAgent> {
  const ownsClient = !(opts.spoke instanceof KubeClient);
  const spoke = opts.spoke instanceof KubeClient ? opts.spoke : await KubeClient.create(opts.spoke, 'ocmadm-registration-agent');
  const namespace = opts.agentNamespace ?? NS.agent;
  // The names survive restarts in the hub kubeconfig secret, or in the stored CSR key while the first CSR is pending.
  const fromHubSecret = await readHubSecretNames(spoke, namespace);
  const stored = fromHubSecret.agent ? undefined : await new CsrKeyStore(spoke, namespace).load();
  const fromSecret = { cluster: fromHubSecret.cluster ?? stored?.cluster, agent: fromHubSecret.agent ?? (stored && (!opts.clusterName || stored.cluster === opts.clusterName) ? stored.agent : undefined) };
  const clusterName = opts.clusterName ?? fromSecret.cluster;
  if (!clusterName) throw new Error(`no cluster name: pass --cluster-name (secret ${namespace}/${SECRET.hubKubeconfig} names none)`);
  const agentId = opts.agentId ?? fromSecret.agent ?? randomAgentId();
  const log = (opts.log ?? createLogger({ component: 'registration-agent' })).child({ cluster: clusterName, agent: agentId });
  log.info('registration agent starting', { namespace });

  const informers = new SharedInformers(spoke, log);
  const secrets = informers.get<Secret>({ ref: { ...SECRETS, namespace } });
  const nodes = informers.get<NodeLike>({ ref: NODES });
  const claims = informers.get<ClusterClaim>({ ref: CLUSTER_CLAIMS });
  const ctrl = new AbortController();
  void informers.startAll().catch(() => undefined);
  await secrets.start();

  const registration = new Registration({
    spoke,
    secrets,
    namespace,
    cluster: clusterName,
    agent: agentId,
    clientConfigs: spokeClientConfigs(spoke.kc, opts.spokeExternalServerUrl, log),
    annotations: opts.clusterAnnotations,
    expirationSeconds: opts.clientCertExpirationSeconds,
    log: log.child({ controller: 'registration' }),
  });

  let session: (HubSession & { informer: ListWatchInformer<ManagedCluster> }) | undefined;
  const probe = createSpokeProbe(spoke.kc);
  const lease = new LeaseUpdater({ cluster: clusterName, client: () => session?.client, log: log.child({ controller: 'lease' }) });
  const status = new Controller(
    {
      reconciler: new ClusterStatusReconciler({
        cluster: clusterName,
        hub: () => session,
        spoke,
        nodes,
        claims,
        probe,
        certCondition: () => registration.certCondition,
        log: log.child({ controller: 'status' }),
        claimOptions: opts.claims,
        resyncMs: (opts.statusResyncSeconds ?? 60) * 1000,
      }),
    },
    log.child({ controller: 'status' }),
  );
  status.watches(nodes, () => [clusterName]).watches(claims, () => [clusterName]);
  registration.onCertCondition(() => status.enqueue(clusterName));

  let acceptedSeen = false;
  let acceptWatch: Promise<void> | undefined;
  const startSession = (id: HubIdentity) => {
    const informer = createInformer<ManagedCluster>(
      id.client,
      { ref: MANAGED_CLUSTERS, fieldSelector: `metadata.name=${clusterName}` },
      // Before acceptance the certificate may not read its cluster (403): retries back off to the
      // default cap (5 s, which also bounds the reconnect after a hub outage); the bootstrap
      // identity's watch below notices acceptance at once.
      log.child({ informer: 'hub-managedcluster' }),
    );
    informer.on(() => {
      const mc = informer.get(clusterName);
      if (mc && isTrue(mc.status?.conditions as Condition[] | undefined, COND.cluster.hubAccepted)) acceptedSeen = true;
      lease.observe(mc);
      status.enqueue(clusterName);
    });
    const previous = session;
    session = { client: id.client, clusters: informer, informer };
    informer.start().then(
      () => status.enqueue(clusterName),
      () => undefined,
    );
    previous?.informer.stop();
    acceptWatch ??= noticeAcceptance();
  };
  /** Until the first accept is seen: watch for it with the bootstrap identity, then list again at once. */
  const noticeAcceptance = async () => {
    const text = registration.bootstrapKubeconfig;
    if (acceptedSeen || !text) return;
    const client = await KubeClient.create(bootstrapKubeConfig(text), 'ocmadm-registration-agent');
    try {
      if (ctrl.signal.aborted) return;
      const accepted = await watchForAcceptance(client, clusterName, ctrl.signal, log.child({ controller: 'accept-watch' }));
      const id = registration.identity;
      if (accepted && !ctrl.signal.aborted && id && !session?.clusters.synced) {
        log.info('the hub accepted the cluster');
        startSession(id);
      }
    } catch (err) {
      log.debug('acceptance watch ended', { error: describeError(err) });
    } finally {
      await client.close();
    }
  };
  registration.onIdentity(startSession);

  const running = status.run(ctrl.signal);
  const done = registration.run(ctrl.signal);
  let stopping: Promise<void> | undefined;
  return {
    clusterName,
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
      return session?.clusters.synced ? true : 'cannot read the ManagedCluster on the hub yet';
    },
    done,
    stop: () =>
      (stopping ??= (async () => {
        ctrl.abort();
        await done.catch(() => undefined);
        await running;
        await acceptWatch;
        lease.stop();
        session?.informer.stop();
        informers.stopAll();
        await probe.close();
        await registration.identity?.client.close();
        if (ownsClient) await spoke.close();
        log.info('registration agent stopped');
      })()),
  };
}
