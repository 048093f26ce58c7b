/**
 * The hub controller process (dist/runtime/hub/main.js), the same code for `--runtime cluster`
 * (in-cluster ServiceAccount config) and `--runtime local` (a kubeconfig file whose token it keeps
 * fresh). Health endpoints answer from the start; leader election on Lease `ocmadm-hub-controller`
 * gates the controllers, so two replicas are safe; SIGTERM stops the controllers, releases the
 * Lease and exits 0. Leadership lost (the API server was away longer than the renew deadline)
 * starts the controller again in-process under the same identity, as the klusterlet does: a local
 * runtime has no supervisor to restart it. startHubController() runs the same thing in-process.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '../../kube/kubeconfig.js';
import { KubeClient } from '../../kube/client.js';
import { describeError } from '../../kube/errors.js';
import { LEASE } from '../../api/names.js';
import { Manager } from '../core/controller.js';
import { startHealthServer, type HealthServer } from '../core/health.js';
import { processMetrics } from '../core/metrics.js';
import { LeaderElector, type ElectionOutcome } from '../core/leader.js';
import { createLogger } from '../core/log.js';
import { startTokenRefresher, type TokenRefresher } from '../core/token-refresh.js';
import type { Logger } from '../core/types.js';
import { addHubControllers } from './controllers.js';
import { hubInformers } from './deps.js';
import { FlagError, USAGE, defaultIdentity, parseHubFlags, type HubControllerFlags } from './options.js';
import { exitOnSignals } from '../core/signals.js';
import { processKubeConfig } from '../core/process-flags.js';
import { VERSION } from '../../version.js';

export interface HubControllerOptions extends Partial<HubControllerFlags> {
  /** A loaded config instead of `kubeconfig` (in-process use); neither means in-cluster. */
  kubeConfig?: KubeConfig;
  log?: Logger;
  /** Leader-election timing (defaults 15 s / 10 s / 2 s, as client-go's usual ratios). */
  leaseDurationSeconds?: number;
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
  /** Called when leadership is lost (the process starts the controller again). */
  onLostLeadership?: () => void;
}

export interface HubControllerHandle {
  readonly identity: string;
  /** The bound health port (the real one when 0 was asked). */
  readonly healthPort: number;
  readonly isLeader: boolean;
  /** Resolves when the election ends: 'stopped' after stop(), 'lost' when leadership was lost. */
  readonly done: Promise<ElectionOutcome>;
  /** Graceful stop: controllers finish, the Lease is released, the health server closes. */
  stop(): Promise<void>;
}

export async function startHubController(opts: HubControllerOptions = {}): Promise<HubControllerHandle> {
  const namespace = opts.namespace ?? parseHubFlags([]).namespace;
  const identity = opts.identity ?? defaultIdentity();
  const log = opts.log ?? createLogger({ level: opts.logLevel ?? 'info', component: 'hub-controller', fields: { identity } });
  if (opts.tokenRefresh && !opts.kubeconfig) throw new FlagError('--token-refresh needs --kubeconfig (the file whose token it renews)');
  const kc = processKubeConfig(opts, 'hub');
  const client = await KubeClient.create(kc, 'ocmadm-hub-controller');
  // The leader lease renews through a pool of its own (as kube-scheduler's leader-election
  // client): during a mass accept the controllers' writes filled the shared pool's 64 connections
  // and the renewal queued behind them past its deadline (3,000 clusters: leadership lost three
  // times, each loss a full relist).
  // Same config object: a refreshed token set on one client is the other's too.
  const electionClient = await KubeClient.create(kc, 'ocmadm-hub-controller/leader-election');

  let refresher: TokenRefresher | undefined;
  if (opts.tokenRefresh) {
    refresher = startTokenRefresher({ client, also: [electionClient], serviceAccount: opts.tokenRefresh, kubeconfigPath: opts.kubeconfig!, log });
  }

  let manager: Manager | undefined;
  // The controllers of the current term, settled once they have stopped (stop() waits for them).
  let term: Promise<void> | undefined;
  let elector: LeaderElector | undefined;
  const health: HealthServer = await startHealthServer({
    port: opts.healthPort ?? 8000,
    host: opts.healthBind ?? '0.0.0.0',
    checks: {
      healthz: () => true,
      // Leader: its informers have synced and controllers run. Standby: it has seen the Lease,
      // so it is connected and ready to take over.
      readyz: () => {
        if (elector?.isLeader) return manager?.ready ? true : 'leading, informers not synced yet';
        return elector?.leader !== undefined ? true : 'waiting to observe the leader lease';
      },
    },
    metrics: () => processMetrics.render(),
  });
  log.info('health server listening', { healthPort: health.port, host: opts.healthBind ?? '0.0.0.0' });

  elector = new LeaderElector({
    client: electionClient,
    log,
    identity,
    lease: { namespace, name: LEASE.hubController },
    leaseDurationSeconds: opts.leaseDurationSeconds,
    renewDeadlineSeconds: opts.renewDeadlineSeconds,
    retryPeriodSeconds: opts.retryPeriodSeconds,
    onStartedLeading: async (signal) => {
      // A fresh manager per term: informers list anew, nothing stale carries over.
      const m = new Manager({ client, log });
      manager = m;
      addHubControllers(m, { client, log, informers: hubInformers(m.context), now: () => new Date(), autoApproveUsers: opts.autoApproveUsers });
      // start() stops the manager when `signal` aborts; stopped() settles once reconciles ended.
      const t = m.start(signal).then(async () => void (await m.stopped()));
      term = t;
      await t;
    },
  });
  const electionCtrl = new AbortController();
  const done = elector.run(electionCtrl.signal);
  void done.then((outcome) => {
    if (outcome === 'lost') {
      log.error('lost the leader lease; stopping');
      opts.onLostLeadership?.();
    }
  });

  let stopping: Promise<void> | undefined;
  return {
    identity,
    healthPort: health.port,
    get isLeader() {
      return elector?.isLeader ?? false;
    },
    done,
    stop: () =>
      (stopping ??= (async () => {
        electionCtrl.abort();
        await done;
        // After a lost leadership the controllers were only told to stop: no reconcile outlives this.
        await term?.catch(() => undefined);
        refresher?.stop();
        await health.close();
        await client.close();
        await electionClient.close();
        log.info('hub controller stopped');
      })()),
  };
}

/** The process: flags, signals, exit codes (0 clean stop, 1 failure, 2 bad flags). */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  // The version the bundle was built with (`ocmadm version` reads it from the ConfigMap too).
  if (argv.length === 1 && argv[0] === '--version') {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  let flags: HubControllerFlags;
  try {
    flags = parseHubFlags(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  const log = createLogger({ level: flags.logLevel, component: 'hub-controller', fields: { identity: flags.identity } });
  let handle: HubControllerHandle;
  const start = () => startHubController({ ...flags, log, onLostLeadership: () => void restart() });
  // Same identity: the Lease still names it, so the new term campaigns without waiting it out.
  const restart = async () => {
    await handle.stop();
    log.info('starting the hub controller again after the lost leadership');
    try {
      handle = await start();
    } catch (err) {
      log.error('cannot start the hub controller again', { error: describeError(err) });
      process.exit(1);
    }
  };
  try {
    handle = await start();
  } catch (err) {
    log.error('cannot start the hub controller', { error: describeError(err) });
    process.exit(err instanceof FlagError ? 2 : 1);
  }
  exitOnSignals(() => handle.stop(), log);
}

const entry = process.argv[1] ? fs.realpathSync(process.argv[1]) : '';
if (entry && entry === fileURLToPath(import.meta.url)) void main();
