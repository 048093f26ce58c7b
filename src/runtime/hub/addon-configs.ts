/**
 * Which configs an enabled add-on uses, as OCM's add-on manager decides them: the
 * ClusterManagementAddOn's defaults (v1beta1 `defaultConfigs`, v1alpha1
 * `supportedConfigs[].defaultConfig`), overridden per group/resource by the configs of the
 * install-strategy placements that chose the cluster, overridden by the ManagedClusterAddOn's own
 * `spec.configs`. Each lands in `status.configReferences` with the spec hash OCM computes (sha256
 * of the JSON of `spec`, keys sorted). Pure.
 */
import { createHash } from 'node:crypto';
import type { KubeObject } from '../../kube/client.js';
import type { ClusterManagementAddOn, ManagedClusterAddOn } from '../../api/index.js';
import { GROUP } from '../../api/names.js';

export interface ConfigRef {
  group: string;
  resource: string;
  name: string;
  namespace?: string;
}

export const TEMPLATE_GR = { group: GROUP.addon, resource: 'addontemplates' } as const;
export const DEPLOYMENT_CONFIG_GR = { group: GROUP.addon, resource: 'addondeploymentconfigs' } as const;

/** JSON with object keys sorted at every level (Go's encoding of a map). */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export const specHash = (o: KubeObject): string => createHash('sha256').update(canonicalJson((o as { spec?: unknown }).spec ?? null)).digest('hex');

const gr = (c: { group?: string; resource: string }) => `${c.group ?? ''}/${c.resource}`;

/** The placement strategies of a CMA whose decisions include `cluster`. */
export type PlacementsOf = (cma: ClusterManagementAddOn) => Array<{ configs?: ConfigRef[] }>;

export function desiredConfigs(cma: ClusterManagementAddOn, mca: ManagedClusterAddOn, placementsChoosing: Array<{ configs?: ConfigRef[] }>): ConfigRef[] {
  const out = new Map<string, ConfigRef>();
  const put = (c: ConfigRef) => out.set(gr(c), { group: c.group ?? '', resource: c.resource, name: c.name, ...(c.namespace ? { namespace: c.namespace } : {}) });
  for (const c of cma.spec.supportedConfigs ?? []) if (c.defaultConfig?.name) put({ group: c.group ?? '', resource: c.resource, ...c.defaultConfig });
  for (const c of cma.spec.defaultConfigs ?? []) put(c as ConfigRef);
  for (const p of placementsChoosing) for (const c of p.configs ?? []) put(c);
  for (const c of mca.spec?.configs ?? []) put(c as ConfigRef);
  return [...out.values()];
}

/** status.configReferences in both versions' shapes (v1alpha1 also names the config at the top). */
export function configReferences(configs: ConfigRef[], lookup: (c: ConfigRef) => KubeObject | undefined, lastApplied?: (c: ConfigRef) => boolean) {
  return configs.map((c) => {
    const obj = lookup(c);
    const desired = { name: c.name, ...(c.namespace ? { namespace: c.namespace } : {}), ...(obj ? { specHash: specHash(obj) } : {}) };
    return {
      group: c.group,
      resource: c.resource,
      name: c.name,
      ...(c.namespace ? { namespace: c.namespace } : {}),
      desiredConfig: desired,
      ...(obj && lastApplied?.(c) ? { lastAppliedConfig: desired } : {}),
    };
  });
}

export const findConfig = (configs: ConfigRef[], g: { group: string; resource: string }) => configs.find((c) => gr(c) === gr(g));
