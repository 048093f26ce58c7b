/**
 * The hub as pods on the spokes reach it. A control plane listens on the host's 127.0.0.1, which
 * inside a pod is the pod itself; its node IP answers on the host (through the node's veth) and,
 * once relayed onto each spoke's node, in every pod there. Spokes joined at that URL hand it to
 * their add-on agents and embedded runtimes, which then reach the hub from their pods.
 */
import type { LocalCluster } from './cluster.js';

/** Relays the hub's node IP and API port onto each spoke's node; returns the URL to join at. */
export async function relayHubToSpokes(hub: LocalCluster, spokes: LocalCluster[]): Promise<string> {
  if (!hub.node) throw new Error(`cluster ${hub.name} has no node: its API server is on 127.0.0.1 only`);
  const port = Number(new URL(hub.server).port);
  for (const s of spokes) {
    if (!s.node) throw new Error(`cluster ${s.name} has no node to relay the hub onto`);
    await s.node.relayFrom(hub.node.ip, port);
  }
  return `https://${hub.node.ip}:${port}`;
}
