/**
 * Deployments' replica counts as a work's agent reports them: the WellKnownStatus feedback that
 * `deploy` asks for (ReadyReplicas, Replicas, AvailableReplicas), read from the hub alone. Pure.
 */
import type { ManifestWork } from '../../api/index.js';
import { renderTable } from '../../ui/output.js';

export interface DeploymentReplicas {
  cluster: string;
  /** namespace/name of the Deployment. */
  deployment: string;
  /** Undefined until the agent has reported a value (no feedback yet, or no pod ever ran). */
  ready?: number;
  replicas?: number;
  available?: number;
}

type Value = { name: string; fieldValue?: { type?: string; integer?: number } };

export function deploymentReplicas(w: ManifestWork): DeploymentReplicas[] {
  const out: DeploymentReplicas[] = [];
  for (const m of w.status?.resourceStatus?.manifests ?? []) {
    const meta = m.resourceMeta;
    if (meta.kind !== 'Deployment' || meta.group !== 'apps') continue;
    const values = ((m as { statusFeedback?: { values?: Value[] } }).statusFeedback?.values ?? []) as Value[];
    const num = (name: string) => values.find((v) => v.name === name)?.fieldValue?.integer;
    out.push({
      cluster: w.metadata?.namespace ?? '',
      deployment: `${meta.namespace ? `${meta.namespace}/` : ''}${meta.name ?? ''}`,
      ready: num('ReadyReplicas'),
      replicas: num('Replicas'),
      available: num('AvailableReplicas'),
    });
  }
  return out;
}

/** Every Deployment reports as many ready replicas as it has, and at least `min`. */
export const allReady = (rows: DeploymentReplicas[], min = 1): boolean =>
  rows.length > 0 && rows.every((r) => r.replicas !== undefined && r.replicas >= min && r.ready === r.replicas);

export function renderReplicas(rows: DeploymentReplicas[]): string {
  const cell = (v: number | undefined) => (v === undefined ? '<none>' : String(v));
  return renderTable(
    ['cluster', 'deployment', 'ready', 'replicas', 'available'],
    rows.map((r) => [r.cluster, r.deployment, cell(r.ready), cell(r.replicas), cell(r.available)]),
  );
}
