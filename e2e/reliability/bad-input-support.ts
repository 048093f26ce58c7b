/**
 * The world of the bad-input suite: a hub made by `ocmadm init --runtime local`, spoke1 joined and
 * accepted as `acc`, spoke2 not joined; a ManagedCluster `lonely` nobody's agent asked for; a
 * revoked and an expired join token; manifests that deploy must refuse. And a snapshot of every
 * object on the three clusters and every local-runtime file, to prove a refused command changed
 * nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { KubeClient } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { userClient } from '../support/clusters.js';
import type { Fleet } from '../support/fleet.js';
import { SNAPSHOT_KINDS, closedPort, snapshot, waitUnauthorized, type SnapshotKind } from '../cli/support.js';
import { getToken, initHub, joinArgs, stateFiles, until, untilCluster, type JoinToken } from '../handshake/support.js';
import {
  APPLIED_MANIFEST_WORKS,
  CLUSTER_CLAIMS,
  MANAGED_CLUSTERS,
  MANAGED_CLUSTER_SETS,
  MANAGED_CLUSTER_SET_BINDINGS,
  MANIFEST_WORKS,
  MANIFEST_WORK_REPLICA_SETS,
  PLACEMENTS,
  TYPE,
} from '../../src/api/index.js';
import { CSRS } from '../../src/kube/certificates.js';
import { NS } from '../../src/api/names.js';
import { ROLES, ROLE_BINDINGS, SECRETS } from '../../src/kube/core.js';

const inAgentNs = (k: Omit<SnapshotKind, 'namespace'>): SnapshotKind => ({ ...k, namespace: NS.agent });

/** On a spoke: what join writes (agent namespace, its secrets such as bootstrap-hub-kubeconfig and hub-kubeconfig, RBAC, CRDs), claims, applied works, a klusterlet CR should OCM's operator have made one. */
const SPOKE_KINDS: SnapshotKind[] = [
  ...SNAPSHOT_KINDS,
  inAgentNs(SECRETS),
  inAgentNs(ROLES),
  inAgentNs(ROLE_BINDINGS),
  CLUSTER_CLAIMS,
  APPLIED_MANIFEST_WORKS,
  { group: 'operator.open-cluster-management.io', version: 'v1', resource: 'klusterlets' },
];

/** On the hub: what init, accept, deploy, clusterset and the token commands write. */
const HUB_KINDS: SnapshotKind[] = [
  ...SNAPSHOT_KINDS,
  MANAGED_CLUSTERS,
  CSRS,
  MANAGED_CLUSTER_SETS,
  MANAGED_CLUSTER_SET_BINDINGS,
  MANIFEST_WORKS,
  MANIFEST_WORK_REPLICA_SETS,
  PLACEMENTS,
];

export interface World {
  fleet: Fleet;
  hub: KubeClient;
  spoke1: KubeClient;
  spoke2: KubeClient;
  /** A valid join token. */
  tok: JoinToken;
  /** A ServiceAccount token revoked by `ocmadm delete token`. */
  revoked: string;
  /** A bootstrap token whose expiration has passed (the token cleaner has removed it). */
  expired: string;
  /** https://127.0.0.1:<port nobody listens on> */
  closedUrl: string;
  /** A scratch directory for files the cases read (kubeconfigs, CA files, manifests). */
  dir: string;
  file(name: string, text: string): string;
}

export interface Snapshot {
  hub: string[];
  spoke1: string[];
  spoke2: string[];
  state: string[];
}

/** Every object on every cluster of the world and every local-runtime file. */
export async function worldSnapshot(w: World): Promise<Snapshot> {
  const [hub, spoke1, spoke2] = await Promise.all([snapshot(w.hub, HUB_KINDS), snapshot(w.spoke1, SPOKE_KINDS), snapshot(w.spoke2, SPOKE_KINDS)]);
  return { hub, spoke1, spoke2, state: stateFiles(w.fleet).filter((f) => !f.startsWith('bad-input/')) };
}

/** Builds the world; every change it makes on its own (taints, token clean-up) has settled when it returns. */
export async function buildWorld(fleet: Fleet): Promise<World> {
  const [hub, spoke1, spoke2] = await Promise.all([fleet.client('hub'), fleet.client('spoke1'), fleet.client('spoke2')]);
  const dir = path.join(fleet.stateDir, 'bad-input');
  fs.mkdirSync(dir);
  const file = (name: string, text: string) => (fs.writeFileSync(path.join(dir, name), text, { mode: 0o600 }), path.join(dir, name));

  // Revoked: the token init printed, then `delete token`; a fresh one for every other case.
  const first = await initHub(fleet);
  const joined = await fleet.cli('spoke1', joinArgs(first, 'acc', '--wait'));
  if (joined.code !== 0) throw new Error(`join acc failed (${joined.code}): ${joined.stderr}`);
  const accepted = await fleet.cli('hub', ['accept', '--clusters', 'acc', '--wait']);
  if (accepted.code !== 0) throw new Error(`accept acc failed (${accepted.code}): ${accepted.stderr}`);
  const revoke = await fleet.cli('hub', ['delete', 'token']);
  if (revoke.code !== 0) throw new Error(`delete token failed (${revoke.code}): ${revoke.stderr}`);
  const old = await userClient(fleet.info('hub'), { token: first.token });
  await waitUnauthorized(old);
  await old.close();
  const tok = await getToken(fleet);

  // Expired: a bootstrap token of the form OCM uses, its expiration an hour ago. The API server
  // refuses it, and kube-controller-manager's token cleaner deletes it: wait for that.
  const id = Math.random().toString(36).slice(2, 8).padEnd(6, '0');
  const secret = 'expired0secret00';
  const name = `bootstrap-token-${id}`;
  await hub.create(resourcePath({ ...SECRETS, namespace: 'kube-system' }), {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'bootstrap.kubernetes.io/token',
    metadata: { name, namespace: 'kube-system' },
    stringData: {
      'token-id': id,
      'token-secret': secret,
      expiration: new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z'),
      'usage-bootstrap-authentication': 'true',
      'auth-extra-groups': 'system:bootstrappers:managedcluster',
    },
  });
  await until(hub, { ...SECRETS, namespace: 'kube-system', name }, (o) => !o, 'the token cleaner to delete the expired bootstrap token');

  // A ManagedCluster no agent asked for (no CSR); the hub controller taints it on its own.
  await hub.create(resourcePath(MANAGED_CLUSTERS), { ...TYPE.managedCluster, metadata: { name: 'lonely' }, spec: { hubAcceptsClient: false } });
  await untilCluster(hub, 'lonely', (o) => (o?.spec?.taints ?? []).length > 0, 'tainted by the hub controller');
  // acc is Available: its unavailable/unreachable taints go away.
  await untilCluster(hub, 'acc', (o) => (o?.spec?.taints ?? []).length === 0, 'untainted once Available');

  return { fleet, hub, spoke1, spoke2, tok, revoked: first.token, expired: `${id}.${secret}`, closedUrl: `https://127.0.0.1:${await closedPort()}`, dir, file };
}

/** A ConfigMap manifest of `bytes` characters of data. */
export const configMapYaml = (name: string, bytes = 10) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\ndata:\n  blob: "${'x'.repeat(bytes)}"\n`;
