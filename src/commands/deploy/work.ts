/**
 * The ManifestWork spec `deploy` ships: the manifests in order, a delete option, and per-manifest
 * configs (the update strategy when it is not the default, WellKnownStatus feedback for the
 * kinds the work agent knows). Pure: plural resource names come from the caller.
 */
import { UsageError } from '../../cli/errors.js';
import type { KubeObject } from '../../kube/client.js';
import { splitApiVersion } from '../../kube/resources.js';
import { FIELD_MANAGER } from '../../api/names.js';
import type { DeployOptions } from './options.js';
import type { Manifest } from './manifests.js';

/** OCM's limit on the manifests of one work. */
export const MAX_WORK_BYTES = 500 * 1024;

/** Kinds whose status the work agent reports with WellKnownStatus feedback. */
export const WELL_KNOWN = new Set(['apps/Deployment', 'apps/DaemonSet', 'batch/Job', '/Pod']);

export type PluralOf = (obj: KubeObject) => string;

/** kubectl's fallback when discovery does not know a kind: lower-case, English plural. */
export function guessPlural(kind: string): string {
  const k = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(k)) return `${k}es`;
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  return `${k}s`;
}

export function workSpec(manifests: Manifest[], opts: Pick<DeployOptions, 'updateStrategy' | 'force' | 'deleteOption'>, pluralOf: PluralOf): Record<string, unknown> {
  const manifestConfigs = manifests.flatMap(({ obj }) => {
    const { group } = splitApiVersion(obj.apiVersion!);
    const config: Record<string, unknown> = {};
    if (opts.updateStrategy !== 'Update') {
      config.updateStrategy =
        opts.updateStrategy === 'ServerSideApply'
          ? { type: 'ServerSideApply', serverSideApply: { fieldManager: FIELD_MANAGER.work, force: opts.force } }
          : { type: opts.updateStrategy };
    }
    if (WELL_KNOWN.has(`${group}/${obj.kind}`)) config.feedbackRules = [{ type: 'WellKnownStatus' }];
    if (!Object.keys(config).length) return [];
    const resourceIdentifier = { group, resource: pluralOf(obj), name: obj.metadata!.name!, namespace: obj.metadata?.namespace ?? '' };
    return [{ resourceIdentifier, ...config }];
  });
  const spec: Record<string, unknown> = {
    workload: { manifests: manifests.map((m) => m.obj) },
    deleteOption: { propagationPolicy: opts.deleteOption },
  };
  if (manifestConfigs.length) spec.manifestConfigs = manifestConfigs;
  const size = Buffer.byteLength(JSON.stringify(spec.workload));
  if (size > MAX_WORK_BYTES) {
    throw new UsageError(`the manifests take ${(size / 1024).toFixed(0)} KiB, over the ${MAX_WORK_BYTES / 1024} KiB a ManifestWork may hold; split them into several deployments`);
  }
  return spec;
}
