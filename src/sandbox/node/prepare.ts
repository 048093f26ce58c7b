import fs from 'node:fs';
import path from 'node:path';
import type { BinaryPaths } from '../binaries.js';
import { issueCertificate, type ClusterPki } from '../pki.js';
import { StartupError } from '../readiness.js';
import type { ApiserverNodeFlags } from '../flags.js';
import { ensureNodePrereqs, type EnsureDeps } from './prereqs.js';
import { setupNetwork, teardownNetworkAndLeftovers } from './network.js';
import { claimSlot, releaseSlot, type NodeSlot } from './slot.js';
import { nodeNameOf, teardownNode, writeNodeRecord, type NodeBinaries, type NodeRecord } from './index.js';

/** The steps of a cluster start that concern its node, before and around the control plane. */

let prereqs: Promise<string | undefined> | undefined;

/** Checks (and where it may, installs) what nodes need, once per process: concurrent starts share one apt-get. */
export async function nodePrereqs(deps?: EnsureDeps): Promise<void> {
  const why = await (deps ? ensureNodePrereqs(deps) : (prereqs ??= ensureNodePrereqs()));
  if (deps === undefined && why) prereqs = undefined; // a later call may find it fixed
  if (why) throw new StartupError(why);
}

/** kubelet, kube-proxy and kube-scheduler sit next to the control-plane binaries (e2e/k8sbins builds them all). */
export function nodeBinaries(bins: BinaryPaths): NodeBinaries {
  const dir = path.dirname(bins.kubectl);
  const out = { kubelet: path.join(dir, 'kubelet'), 'kube-proxy': path.join(dir, 'kube-proxy'), 'kube-scheduler': path.join(dir, 'kube-scheduler') };
  for (const f of Object.values(out)) {
    if (!fs.existsSync(f)) throw new StartupError(`${f} is missing: rebuild the binaries with npm run k8s:bins (it builds kubelet, kube-proxy and kube-scheduler too)`);
  }
  return out;
}

/** Claims a slot and builds the node's network; the record lets any later process tear it down. */
export async function claimNodeNetwork(cluster: string, clusterDir: string, outlive: boolean): Promise<{ slot: NodeSlot; record: NodeRecord }> {
  const slot = await claimSlot({ pid: outlive ? undefined : process.pid, dir: clusterDir, cluster }, (s, old) =>
    teardownNetworkAndLeftovers(s, old ? [path.join(old.dir, 'node')] : []),
  );
  const record: NodeRecord = { slot: slot.slot, dir: path.join(clusterDir, 'node'), name: nodeNameOf(cluster) };
  try {
    writeNodeRecord(clusterDir, record);
    // Leftovers of an earlier owner that died before its slot was marked stale (idempotent).
    await teardownNetworkAndLeftovers(slot, []);
    await setupNetwork(slot);
  } catch (err) {
    await teardownNode(record).catch(() => releaseSlot(slot.slot));
    throw err;
  }
  return { slot, record };
}

/** The apiserver's client certificate for kubelets (logs, exec, port-forward): system:masters, so kubelet's webhook authorizer allows it. */
export async function apiserverNodeFlags(pki: ClusterPki, slot: NodeSlot, pkiDir: string): Promise<ApiserverNodeFlags> {
  const c = await issueCertificate(pki.ca, { commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'], usages: ['client'] });
  const cert = path.join(pkiDir, 'apiserver-kubelet-client.crt');
  const key = path.join(pkiDir, 'apiserver-kubelet-client.key');
  await fs.promises.writeFile(cert, c.certPem, { mode: 0o600 });
  await fs.promises.writeFile(key, c.keyPem, { mode: 0o600 });
  return { nodeIp: slot.nodeIp, kubeletClientCert: cert, kubeletClientKey: key };
}
