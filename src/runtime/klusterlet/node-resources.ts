/**
 * ManagedCluster `status.capacity` and `status.allocatable` from the spoke's Nodes (ocm-protocol.md
 * §1 "Status the agent reports"): every resource name summed over all Nodes for capacity, and
 * over schedulable Nodes only for allocatable. Pure.
 */
import type { KubeObject } from '../../kube/client.js';
import { addQuantities, formatQuantity, parseQuantity, type Quantity } from './quantity.js';

export type ResourceList = Record<string, string>;

export interface NodeLike extends KubeObject {
  spec?: { unschedulable?: boolean };
  status?: { capacity?: ResourceList; allocatable?: ResourceList };
}

function addInto(totals: Map<string, Quantity>, list: ResourceList | undefined): void {
  for (const [name, text] of Object.entries(list ?? {})) {
    let q: Quantity;
    try {
      q = parseQuantity(text);
    } catch {
      continue; // the API server validates quantities; an unreadable one cannot be summed
    }
    const cur = totals.get(name);
    totals.set(name, cur ? addQuantities(cur, q) : q);
  }
}

const toList = (totals: Map<string, Quantity>): ResourceList =>
  Object.fromEntries([...totals.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, q]) => [k, formatQuantity(q)]));

export function sumNodeResources(nodes: readonly NodeLike[]): { capacity: ResourceList; allocatable: ResourceList } {
  const capacity = new Map<string, Quantity>();
  const allocatable = new Map<string, Quantity>();
  for (const node of nodes) {
    addInto(capacity, node.status?.capacity);
    if (!node.spec?.unschedulable) addInto(allocatable, node.status?.allocatable);
  }
  return { capacity: toList(capacity), allocatable: toList(allocatable) };
}
