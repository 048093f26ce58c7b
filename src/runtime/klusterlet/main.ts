/**
 * The klusterlet process (dist/runtime/klusterlet/main.js), the same code for `--runtime cluster`
 * (in-cluster ServiceAccount config) and `--runtime local` (a kubeconfig file whose token it keeps
 * fresh with --token-refresh). It starts the registration agent, then the other agents on top of
 * it (AGENTS below: the work agent). Health endpoints answer from the
 * start; /healthz fails once the hub certificate has expired. A changed bootstrap secret restarts
 * the agents in-process (OCM's agent exits to be restarted; a local runtime has no supervisor,
 * so the restart happens here, same pid). SIGTERM stops everything and exits 0.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '../../kube/kubeconfig.js';
import { KubeClient } from '../../kube/client.js';
import { describeError } from '../../kube/errors.js';
import { resourcePath } from '../../kube/resources.js';
import { CLUSTER_CLAIMS, TYPE } from '../../api/index.js';
import { FIELD_MANAGER, LABEL, MANAGED_BY, NS } from '../../api/names.js';
import { startHealthServer, type HealthServer } from '../core/health.js';
import { processMetrics } from '../core/metrics.js';
import { createLogger } from '../core/log.js';
import { startTokenRefresher, type TokenRefresher } from '../core/token-refresh.js';
import type { Logger } from '../core/types.js';
import { startRegistrationAgent, type RegistrationAgent, type RegistrationAgentOptions } from './agent.js';
import { FlagError, USAGE, parseKlusterletFlags, type KlusterletFlags } from './options.js';
import { exitOnSignals } from '../core/signals.js';
import { processKubeConfig } from '../core/process-flags.js';
import { addonAgentStarter } from './addon/agent.js';
import { VERSION } from '../../version.js';
import { workAgentStarter } from './work/agent.js';
import type { AgentStarter } from './agent-starter.js';

export { startRegistrationAgent, type RegistrationAgent, type RegistrationAgentOptions } from './agent.js';
export type { HubIdentity } from './registration.js';
export type { AgentStarter } from './agent-starter.js';


/** Agents the process runs besides registration, in start order. */
export const AGENTS: AgentStarter[] = [workAgentStarter(), addonAgentStarter()];

export interface KlusterletHandle {
  readonly healthPort: number;
  /** The registration agent currently running (a new one after a bootstrap change). */
  readonly registration: RegistrationAgent;
  stop(): Promise<void>;
}

export interface KlusterletOptions extends Partial<KlusterletFlags> {
  /** A loaded config instead of `kubeconfig`; neither means in-cluster. */
  kubeConfig?: KubeConfig;
  log?: Logger;
  agents?: AgentStarter[];
}

/** The agent namespace: the pod's own ServiceAccount namespace when running in a pod, as OCM does. */
function podNamespace(): string | undefined {
  try {
    return fs.readFileSync('/var/run/secrets/kubernetes.io/serviceaccount/namespace', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Makes sure the ClusterClaims given with --cluster-claims exist with these values (server-side apply). */
async function applyClusterClaims(spoke: KubeClient, claims: Record<string, string>, log: Logger): Promise<void> {
  for (const [name, value] of Object.entries(claims)) {
    const body = { ...TYPE.clusterClaim, metadata: { name, labels: { [LABEL.managedBy]: MANAGED_BY } }, spec: { value } };
    try {
      await spoke.patch(resourcePath({ ...CLUSTER_CLAIMS, name }), body, 'apply', { fieldManager: FIELD_MANAGER.registration, force: true });
    } catch (err) {
      log.warn('cannot apply cluster claim', { claim: name, error: describeError(err) });
    }
  }
}

export async function startKlusterlet(opts: KlusterletOptions = {}): Promise<KlusterletHandle> {
  const log = opts.log ?? createLogger({ level: opts.logLevel ?? 'info', component: 'klusterlet' });
  if (opts.tokenRefresh && !opts.kubeconfig) throw new FlagError('--token-refresh needs --kubeconfig (the file whose token it renews)');
  const spoke = await KubeClient.create(processKubeConfig(opts, 'spoke'), 'ocmadm-klusterlet');
  let refresher: TokenRefresher | undefined;
  if (opts.tokenRefresh) refresher = startTokenRefresher({ client: spoke, serviceAccount: opts.tokenRefresh, kubeconfigPath: opts.kubeconfig!, log });
  await applyClusterClaims(spoke, opts.clusterClaims ?? {}, log);

  const agentOpts: RegistrationAgentOptions = {
    spoke,
    clusterName: opts.clusterName,
    agentId: opts.agentId,
    agentNamespace: opts.agentNamespace ?? (opts.kubeconfig || opts.kubeConfig ? undefined : podNamespace()) ?? NS.agent,
    spokeExternalServerUrl: opts.spokeExternalServerUrl,
    clientCertExpirationSeconds: opts.clientCertExpirationSeconds,
    clusterAnnotations: opts.clusterAnnotations,
    claims: { reservedSuffixes: opts.reservedClaimSuffixes, maxCustom: opts.maxCustomClusterClaims },
    log,
  };
  const starters = opts.agents ?? AGENTS;
  let registration!: RegistrationAgent;
  let others: { stop(): Promise<void> }[] = [];
  let stopped = false;

  const start = async () => {
    registration = await startRegistrationAgent(agentOpts);
    // A fixed agent ID across restarts: the certificate names it.
    agentOpts.agentId = registration.agentId;
    agentOpts.clusterName = registration.clusterName;
    others = [];
    for (const s of starters) others.push(await s(registration, log, opts));
  };
  const stopAgents = async () => {
    for (const o of others.reverse()) await o.stop().catch(() => undefined);
    await registration.stop();
  };
  /** Restarts the agents each time registration ends for a changed bootstrap secret, until stopped. */
  const restartOnBootstrapChange = async () => {
    while ((await registration.done) === 'bootstrap-changed' && !stopped) {
      log.info('restarting the agents with the new bootstrap kubeconfig');
      await stopAgents();
      if (stopped) return;
      try {
        await start();
      } catch (err) {
        log.error('cannot restart the agents', { error: describeError(err) });
        return;
      }
    }
  };

  const health: HealthServer = await startHealthServer({
    port: opts.healthPort ?? 8001,
    host: opts.healthBind ?? '0.0.0.0',
    checks: { healthz: () => registration?.healthz() ?? true, readyz: () => registration?.readyz() ?? 'starting' },
    metrics: () => processMetrics.render(),
  });
  log.info('health server listening', { healthPort: health.port, host: opts.healthBind ?? '0.0.0.0' });
  try {
    await start();
  } catch (err) {
    await health.close();
    refresher?.stop();
    await spoke.close();
    throw err;
  }
  void restartOnBootstrapChange();

  let stopping: Promise<void> | undefined;
  return {
    healthPort: health.port,
    get registration() {
      return registration;
    },
    stop: () =>
      (stopping ??= (async () => {
        stopped = true;
        await stopAgents();
        refresher?.stop();
        await health.close();
        await spoke.close();
        log.info('klusterlet stopped');
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
  let flags: KlusterletFlags;
  try {
    flags = parseKlusterletFlags(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  const log = createLogger({ level: flags.logLevel, component: 'klusterlet' });
  // Node's own https, not undici: one cluster's traffic needs no more than its keep-alive pool, and
  // undici's code is about a third of an idle agent's heap (README "Benchmarks").
  KubeClient.defaultTransport = 'node';
  let handle: KlusterletHandle;
  try {
    handle = await startKlusterlet({ ...flags, log });
  } catch (err) {
    log.error('cannot start the klusterlet', { error: describeError(err) });
    process.exit(err instanceof FlagError ? 2 : 1);
  }
  exitOnSignals(() => handle.stop(), log);
}

const entry = process.argv[1] ? fs.realpathSync(process.argv[1]) : '';
if (entry && entry === fileURLToPath(import.meta.url)) void main();
