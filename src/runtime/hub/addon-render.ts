/**
 * Renders an AddOnTemplate's agent manifests for one cluster, as OCM's template add-on manager
 * does: `{{NAME}}` placeholders replaced by the built-in variables (CLUSTER_NAME, HUB_KUBECONFIG
 * when the template registers a kube client, INSTALL_NAMESPACE when a config sets one) over the
 * AddOnDeploymentConfig's customized variables; Deployments and DaemonSets get those variables as
 * env, the hub-kubeconfig secret volume, node placement and image mirrors; a config's install
 * namespace moves every namespaced object (and Namespace objects, binding subjects) there.
 * Pure: no I/O, so the unit tests cover it and the reconciler only writes the result.
 */
import type { KubeObject } from '../../kube/client.js';
import type { AddOnDeploymentConfig, AddOnTemplate } from '../../api/index.js';
import { ADDON } from '../../api/names.js';

type Obj = Record<string, unknown>;

export interface RenderInput {
  cluster: string;
  template: AddOnTemplate;
  config?: AddOnDeploymentConfig;
}

export interface Rendered {
  /** Manifests of the deploy work. */
  manifests: KubeObject[];
  /** Manifests marked as pre-delete hooks (their own work, run on removal). */
  hooks: KubeObject[];
  /** Where the agent runs on the spoke (ManagedClusterAddOn status.namespace). */
  installNamespace: string;
  /** The variables in the order they become env (OCM: defaults, then built-ins, sorted). */
  env: Array<{ name: string; value: string }>;
}

const PLACEHOLDER = /\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}/g;

const isWorkload = (o: KubeObject) => o.apiVersion === 'apps/v1' && (o.kind === 'Deployment' || o.kind === 'DaemonSet');

/** Every `{{NAME}}` a template's manifests use. */
export function templateVariables(template: AddOnTemplate): string[] {
  const names = new Set<string>();
  for (const m of template.spec.agentSpec.workload?.manifests ?? []) for (const hit of JSON.stringify(m).matchAll(PLACEHOLDER)) names.add(hit[1]!);
  return [...names].sort();
}

export const hasKubeClientRegistration = (t: AddOnTemplate): boolean => (t.spec.registration ?? []).some((r) => r.type === 'KubeClient');

/** The namespace of the template's first Deployment (else DaemonSet), the config's override, else OCM's default. */
export function installNamespaceOf(template: AddOnTemplate, config?: AddOnDeploymentConfig): string {
  if (config?.spec?.agentInstallNamespace) return config.spec.agentInstallNamespace;
  const ms = (template.spec.agentSpec.workload?.manifests ?? []) as KubeObject[];
  const ns = (kind: string) => ms.find((m) => m.apiVersion === 'apps/v1' && m.kind === kind)?.metadata?.namespace;
  return ns('Deployment') || ns('DaemonSet') || ADDON.defaultInstallNamespace;
}

/** Variable values: customized ones first, built-ins over them (a config cannot set CLUSTER_NAME). */
export function variables(input: RenderInput): { values: Map<string, string>; env: Array<{ name: string; value: string }> } {
  const values = new Map<string, string>();
  for (const v of input.config?.spec?.customizedVariables ?? []) values.set(v.name, v.value ?? '');
  const defaults: Array<[string, string]> = hasKubeClientRegistration(input.template) ? [['HUB_KUBECONFIG', ADDON.hubKubeconfigPath]] : [];
  const builtins: Array<[string, string]> = [['CLUSTER_NAME', input.cluster]];
  const ns = input.config?.spec?.agentInstallNamespace;
  if (ns) builtins.push(['INSTALL_NAMESPACE', ns]);
  builtins.sort((a, b) => a[0].localeCompare(b[0]));
  for (const [k, v] of [...defaults, ...builtins]) values.set(k, v);
  return { values, env: [...defaults, ...builtins].map(([name, value]) => ({ name, value })) };
}

/** Replaces placeholders in every string of a JSON value (unknown names become "", as OCM's renderer does). */
function substitute(v: unknown, values: Map<string, string>): unknown {
  if (typeof v === 'string') return v.replace(PLACEHOLDER, (_m, name: string) => values.get(name) ?? '');
  if (Array.isArray(v)) return v.map((x) => substitute(x, values));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(x, values)]));
  return v;
}

/** OCM's image override: the last mirror whose source prefixes the image wins. */
export function overrideImage(image: string, registries: Array<{ mirror: string; source: string }> | undefined): string {
  let out = image;
  for (const r of registries ?? []) if (r.source && image.startsWith(r.source)) out = r.mirror + image.slice(r.source.length);
  return out;
}

function decoratePodTemplate(pod: Obj, input: RenderInput, env: Array<{ name: string; value: string }>): void {
  const spec = ((pod.spec as Obj | undefined) ?? (pod.spec = {})) as Obj;
  const containers = (spec.containers as Obj[] | undefined) ?? [];
  const kube = hasKubeClientRegistration(input.template);
  for (const c of containers) {
    c.env = [...((c.env as unknown[]) ?? []), ...env];
    if (kube) c.volumeMounts = [...((c.volumeMounts as unknown[]) ?? []), { name: 'hub-kubeconfig', mountPath: ADDON.hubKubeconfigMountPath }];
    if (typeof c.image === 'string') c.image = overrideImage(c.image, input.config?.spec?.registries);
  }
  if (kube) {
    const secretName = ADDON.hubKubeconfigSecret(input.template.spec.addonName);
    spec.volumes = [...((spec.volumes as unknown[]) ?? []), { name: 'hub-kubeconfig', secret: { secretName } }];
  }
  const np = input.config?.spec?.nodePlacement;
  if (np?.nodeSelector) spec.nodeSelector = np.nodeSelector;
  if (np?.tolerations) spec.tolerations = np.tolerations;
}

function moveNamespace(o: Obj, ns: string): void {
  const meta = o.metadata as Obj | undefined;
  if (meta?.namespace) meta.namespace = ns;
  if (o.kind === 'Namespace' && meta) meta.name = ns;
  if ((o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') && Array.isArray(o.subjects)) {
    for (const s of o.subjects as Obj[]) s.namespace = ns;
  }
}

export function renderTemplate(input: RenderInput): Rendered {
  const { values, env } = variables(input);
  const nsOverride = input.config?.spec?.agentInstallNamespace;
  const manifests: KubeObject[] = [];
  const hooks: KubeObject[] = [];
  for (const raw of input.template.spec.agentSpec.workload?.manifests ?? []) {
    const o = substitute(structuredClone(raw), values) as Obj & KubeObject;
    if (isWorkload(o)) decoratePodTemplate(((o.spec as Obj).template ?? ((o.spec as Obj).template = {})) as Obj, input, env);
    if (nsOverride) moveNamespace(o, nsOverride);
    if (o.metadata?.annotations && ADDON.preDeleteAnnotation in o.metadata.annotations) hooks.push(o);
    else manifests.push(o);
  }
  return { manifests, hooks, installNamespace: installNamespaceOf(input.template, input.config), env };
}

/** Feedback rules that let the hub judge the agent's workloads (OCM's workload-availability prober). */
export function probeManifestConfigs(manifests: KubeObject[]): Array<{ resourceIdentifier: Obj; feedbackRules: Array<{ type: 'WellKnownStatus' }> }> {
  return manifests.filter(isWorkload).map((m) => ({
    resourceIdentifier: { group: 'apps', resource: m.kind === 'Deployment' ? 'deployments' : 'daemonsets', name: m.metadata?.name ?? '', namespace: m.metadata?.namespace ?? '' },
    feedbackRules: [{ type: 'WellKnownStatus' as const }],
  }));
}
