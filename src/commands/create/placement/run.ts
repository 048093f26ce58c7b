/**
 * `ocmadm create placement`: compiles each --cel-selector expression (a compile error is a usage
 * error with its line:column, before the hub is contacted), checks the namespace and that each named cluster set is bound there
 * (a Placement cannot select from an unbound set), then creates the Placement, or replaces its
 * spec with --overwrite. --dry-run sends the same write as a server dry run: checked, not stored.
 */
import type { CommandContext } from '../../../cli/context.js';
import { CliError, UsageError } from '../../../cli/errors.js';
import { celExpressionError } from '../../../runtime/hub/placement-cel.js';
import type { KubeClient, KubeObject } from '../../../kube/client.js';
import { NAMESPACES } from '../../../kube/core.js';
import { getOrUndefined, resourcePath } from '../../../kube/resources.js';
import { MANAGED_CLUSTER_SET_BINDINGS, PLACEMENTS, TYPE } from '../../../api/index.js';
import type { PlacementOptions } from './options.js';

export interface PlacementResult {
  change: 'created' | 'updated' | 'would-create' | 'would-update';
  placement: KubeObject;
}

export interface PlacementDeps {
  hub: KubeClient;
}

/** Each --cel-selector compiled as the hub controller will; the first that does not is a usage error. Pure. */
export function checkCelSelectors(o: PlacementOptions): void {
  // Here, not in options.ts, so the CEL library loads only for this command.
  for (const expr of o.spec.predicates?.[0]?.requiredClusterSelector.celSelector?.celExpressions ?? []) {
    const error = celExpressionError(expr);
    if (error) throw new UsageError(`--cel-selector ${JSON.stringify(expr)} does not compile: ${error}`);
  }
}

export async function runCreatePlacement(o: PlacementOptions, { hub }: PlacementDeps): Promise<PlacementResult> {
  checkCelSelectors(o);
  if (!(await getOrUndefined(hub, resourcePath({ ...NAMESPACES, name: o.namespace })))) {
    throw new CliError(`namespace "${o.namespace}" does not exist on the hub; create it first (kubectl create namespace ${o.namespace}) or pass another --namespace`);
  }
  const bindings = await Promise.all((o.spec.clusterSets ?? []).map((s) => getOrUndefined(hub, resourcePath({ ...MANAGED_CLUSTER_SET_BINDINGS, namespace: o.namespace, name: s }))));
  const unbound = (o.spec.clusterSets ?? []).filter((_, i) => !bindings[i]);
  if (unbound.length) {
    throw new CliError(`cluster set ${unbound.join(', ')} is not bound to namespace ${o.namespace}; bind it first: ${unbound.map((s) => `ocmadm clusterset bind ${s} -n ${o.namespace}`).join('; ')}`);
  }
  const path = resourcePath({ ...PLACEMENTS, namespace: o.namespace, name: o.name });
  const existing = await getOrUndefined<KubeObject>(hub, path);
  const dryRun = o.dryRun ? 'All' : undefined;
  if (!existing) {
    const made = await hub.create<KubeObject>(resourcePath({ ...PLACEMENTS, namespace: o.namespace }), { ...TYPE.placement, metadata: { name: o.name, namespace: o.namespace }, spec: o.spec }, { dryRun });
    return { change: o.dryRun ? 'would-create' : 'created', placement: made };
  }
  if (!o.overwrite) throw new CliError(`placement ${o.namespace}/${o.name} already exists; pass --overwrite to replace its spec, or choose another name`);
  const updated = await hub.replace<KubeObject>(path, { ...existing, spec: o.spec }, { dryRun });
  return { change: o.dryRun ? 'would-update' : 'updated', placement: updated };
}
