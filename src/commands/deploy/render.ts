/** Printing a deploy result: the objects (dry run), the per-cluster table (--wait), or what was removed. */
import type { KubeObject } from '../../kube/client.js';
import { toYaml } from '../../render/index.js';
import { renderTable } from '../../ui/output.js';
import type { ClusterStatus } from './status.js';

export interface DeployResult {
  name: string;
  action: 'deploy' | 'delete';
  dryRun: boolean;
  /** deploy: what was applied (or would be). */
  objects?: KubeObject[];
  /** deploy --wait: one row per cluster. */
  clusters?: ClusterStatus[];
  timedOut?: string[];
  /** delete: what went, and clusters whose work did not go before the deadline. */
  removed?: { kind: string; namespace: string; name: string }[];
  left?: string[];
  warnings: string[];
}

const ref = (o: KubeObject) => `${o.kind} ${o.metadata?.namespace}/${o.metadata?.name}`;

export function deployText(r: DeployResult): string {
  if (r.action === 'delete') {
    const lines = r.removed!.map((o) => `${r.dryRun ? 'would remove' : 'removed'} ${o.kind} ${o.namespace}/${o.name}`);
    if (!r.dryRun) lines.push(r.left!.length ? `still on the hub at the deadline (their agents did not clean up): ${r.left!.join(', ')}` : `${r.name} is gone from every cluster`);
    return lines.join('\n') + '\n';
  }
  if (r.dryRun) return toYaml(r.objects!);
  const lines = r.objects!.map((o) => `applied ${ref(o)}`);
  if (r.clusters) {
    lines.push('', renderTable(['cluster', 'applied', 'available', 'message'], r.clusters.map((c) => [c.cluster, c.applied, c.available, c.message || '-'])).trimEnd());
    if (r.timedOut?.length) lines.push(`not done before the deadline: ${r.timedOut.join(', ')}`);
  } else {
    lines.push(`follow it with: ocmadm get works ${r.name}`);
  }
  return lines.join('\n') + '\n';
}

/** -o json|yaml: the result; a dry run gives the objects as a v1 List, as init does. */
export const deployData = (r: DeployResult): unknown => (r.action === 'deploy' && r.dryRun ? { apiVersion: 'v1', kind: 'List', items: r.objects } : r);
