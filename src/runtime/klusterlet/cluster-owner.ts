/**
 * The owner of the agent's ManagedCluster on the hub once it has an identity: per identity a watch
 * on the cluster (field selector on its name) and the status controller that writes its status
 * (joined, available, version, resources, claims; status.ts). A certificate rotation moves the
 * watch to the new client and stops the old one. Until the first acceptance is seen, the
 * bootstrap identity watches for it too (accept-watch.ts), since the certificate may not read its
 * cluster before that. Creating the cluster is the bootstrap's (bootstrap.ts), with the bootstrap
 * identity, as OCM does it.
 */
import { KubeClient } from '../../kube/client.js';
import { describeError } from '../../kube/errors.js';
import { MANAGED_CLUSTERS, type ClusterClaim, type ManagedCluster } from '../../api/index.js';
import { COND } from '../../api/names.js';
import { isTrue, type Condition, type ConditionInput } from '../core/conditions.js';
import { Controller } from '../core/controller.js';
import { createInformer, type ListWatchInformer } from '../core/informer.js';
import type { Informer, Logger } from '../core/types.js';
import { watchForAcceptance } from './accept-watch.js';
import type { ClaimOptions } from './claims.js';
import { bootstrapKubeConfig } from './hub-kubeconfig.js';
import type { NodeLike } from './node-resources.js';
import type { HubIdentity } from './registration.js';
import type { SpokeProbe } from './spoke-probe.js';
import { ClusterStatusReconciler, type HubSession } from './status.js';
import { USER_AGENT } from './bootstrap.js';

export interface ClusterOwnerOptions {
  cluster: string;
  spoke: KubeClient;
  nodes: Informer<NodeLike>;
  claims: Informer<ClusterClaim>;
  probe: SpokeProbe;
  /** The registration's ClusterCertificateRotated condition. */
  certCondition: () => ConditionInput | undefined;
  /** The bootstrap kubeconfig in use, for the acceptance watch. */
  bootstrapKubeconfig: () => string | undefined;
  /** The identity in use now (the acceptance watch restarts the session with it). */
  identity: () => HubIdentity | undefined;
  /** Every change of the cluster as the hub has it (the lease updater follows it). */
  onObserved: (mc: ManagedCluster | undefined) => void;
  claimOptions?: ClaimOptions;
  statusResyncSeconds?: number;
  log: Logger;
}

type Session = HubSession & { informer: ListWatchInformer<ManagedCluster> };

export class ManagedClusterOwner {
  private session: Session | undefined;
  private acceptedSeen = false;
  private acceptWatch: Promise<void> | undefined;
  private readonly status: Controller;

  constructor(
    private readonly opts: ClusterOwnerOptions,
    private readonly signal: AbortSignal,
  ) {
    const { cluster, log } = opts;
    this.status = new Controller(
      {
        reconciler: new ClusterStatusReconciler({
          cluster,
          hub: () => this.session,
          spoke: opts.spoke,
          nodes: opts.nodes,
          claims: opts.claims,
          probe: opts.probe,
          certCondition: opts.certCondition,
          log: log.child({ controller: 'status' }),
          claimOptions: opts.claimOptions,
          resyncMs: (opts.statusResyncSeconds ?? 60) * 1000,
        }),
      },
      log.child({ controller: 'status' }),
    );
    this.status.watches(opts.nodes, () => [cluster]).watches(opts.claims, () => [cluster]);
  }

  /** The hub client of the identity in use. */
  get client(): KubeClient | undefined {
    return this.session?.client;
  }

  /** /readyz's half: the cluster watch of the identity in use has listed. */
  get synced(): boolean {
    return !!this.session?.clusters.synced;
  }

  /** Write the status again soon (e.g. the certificate condition changed). */
  enqueue(): void {
    this.status.enqueue(this.opts.cluster);
  }

  /** Runs the status controller until the signal aborts. */
  run(): Promise<void> {
    return this.status.run(this.signal);
  }

  /** A new identity: watch the cluster with it, then drop the previous watch. */
  use(id: HubIdentity): void {
    const { cluster, log } = this.opts;
    const informer = createInformer<ManagedCluster>(
      id.client,
      { ref: MANAGED_CLUSTERS, fieldSelector: `metadata.name=${cluster}` },
      // Before acceptance the certificate may not read its cluster (403): retries back off to the
      // default cap (5 s, which also bounds the reconnect after a hub outage); the bootstrap
      // identity's watch notices acceptance at once.
      log.child({ informer: 'hub-managedcluster' }),
    );
    informer.on(() => {
      const mc = informer.get(cluster);
      if (mc && isTrue(mc.status?.conditions as Condition[] | undefined, COND.cluster.hubAccepted)) this.acceptedSeen = true;
      this.opts.onObserved(mc);
      this.enqueue();
    });
    const previous = this.session;
    this.session = { client: id.client, clusters: informer, informer };
    informer.start().then(
      () => this.enqueue(),
      () => undefined,
    );
    previous?.informer.stop();
    this.acceptWatch ??= this.noticeAcceptance();
  }

  /** Waits for the status controller and the acceptance watch (after the signal aborted), then stops the watch. */
  async stop(): Promise<void> {
    await this.acceptWatch;
    this.session?.informer.stop();
  }

  /** Until the first accept is seen: watch for it with the bootstrap identity, then list again at once. */
  private async noticeAcceptance(): Promise<void> {
    const { cluster, log } = this.opts;
    const text = this.opts.bootstrapKubeconfig();
    if (this.acceptedSeen || !text) return;
    const client = await KubeClient.create(bootstrapKubeConfig(text), USER_AGENT);
    try {
      if (this.signal.aborted) return;
      const accepted = await watchForAcceptance(client, cluster, this.signal, log.child({ controller: 'accept-watch' }));
      const id = this.opts.identity();
      if (accepted && !this.signal.aborted && id && !this.session?.clusters.synced) {
        log.info('the hub accepted the cluster');
        this.use(id);
      }
    } catch (err) {
      log.debug('acceptance watch ended', { error: describeError(err) });
    } finally {
      await client.close();
    }
  }
}
