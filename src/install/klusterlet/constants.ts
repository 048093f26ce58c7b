/**
 * Names of the klusterlet installation on a spoke. Apart from klusterlet.ts (which renders the
 * templates) so that read-only commands (`version`, `get hub-info`) can name the agent without
 * loading the template engine.
 */
import { NS, SA, SECRET } from '../../api/names.js';
import { RUNTIME_NODE_FLAGS } from '../../runtime/node-flags.js';

export const KLUSTERLET = {
  namespace: NS.agent,
  serviceAccount: SA.klusterlet,
  deployment: 'klusterlet-agent',
  clusterRole: 'open-cluster-management:klusterlet-agent',
  /** The work agent's own rules (AppliedManifestWorks, cluster-scoped kinds, RBAC). */
  workClusterRole: 'open-cluster-management:klusterlet-work:execution',
  /** Binds the built-in `admin` ClusterRole cluster-wide, as OCM's work agent has it. */
  workAdminBinding: 'open-cluster-management:klusterlet-work:execution-admin',
  /** Aggregates every ClusterRole labelled aggregate-to-work (e.g. rights on a work's custom resources). */
  workAggregateRole: 'open-cluster-management:klusterlet-work:aggregate',
  /** Add-on registration: add-on hub kubeconfigs in install namespaces, those namespaces, add-on Leases. */
  addonClusterRole: 'open-cluster-management:klusterlet-addon',
  role: 'klusterlet-agent',
  healthPort: 8001,
  /** How the Dockerfile's image starts the agent on its own (the bundle path does not use it). */
  command: ['node', ...RUNTIME_NODE_FLAGS.klusterlet, '/app/dist/runtime/klusterlet/main.js'],
  /** Secrets the agent keeps in its namespace (bootstrap, hub credentials, CSR in flight). */
  secrets: [SECRET.bootstrapHubKubeconfig, SECRET.hubKubeconfig, SECRET.csrKey],
} as const;
