/** `ocmadm addon create|enable|disable` flags → validated options. Pure. */
import { UsageError } from '../../cli/errors.js';
import { checkClusterName, isDns1123Label, isDns1123Subdomain, parseList } from '../../cli/flags.js';
import { parseOutputFormat, type OutputFormat } from '../../ui/output.js';
import { GROUP } from '../../api/names.js';

export interface ConfigFlag {
  group: string;
  resource: string;
  namespace: string;
  name: string;
}

export interface EnableOptions {
  names: string[];
  target: { mode: 'clusters'; clusters: string[] } | { mode: 'placement'; namespace: string; placement: string };
  /** Install namespace on the spokes (clusteradm's --namespace). */
  installNamespace?: string;
  configs: ConfigFlag[];
  wait: boolean;
  dryRun: boolean;
  output: OutputFormat;
}

export interface CreateOptions {
  file: string;
  configs: ConfigFlag[];
  dryRun: boolean;
  output: OutputFormat;
}

export interface AddonFlags {
  names?: string;
  clusters?: string;
  placement?: string;
  namespace?: string;
  config?: string[];
  file?: string;
  wait?: boolean;
  dryRun?: boolean;
  output?: string;
}

/** `KIND/NS/NAME` with KIND AddOnDeploymentConfig (or its resource, addondeploymentconfigs). */
export function parseConfig(text: string): ConfigFlag {
  const parts = text.split('/');
  if (parts.length !== 3 || parts.some((p) => !p)) throw new UsageError(`--config "${text}" is not KIND/NAMESPACE/NAME, e.g. AddOnDeploymentConfig/default/my-config`);
  const [kind, namespace, name] = parts as [string, string, string];
  if (!['addondeploymentconfig', 'addondeploymentconfigs'].includes(kind.toLowerCase())) {
    throw new UsageError(`--config kind "${kind}" is not supported; use AddOnDeploymentConfig/NAMESPACE/NAME`);
  }
  if (!isDns1123Label(namespace) || !isDns1123Subdomain(name)) throw new UsageError(`--config "${text}": namespace or name is not a valid Kubernetes name`);
  return { group: GROUP.addon, resource: 'addondeploymentconfigs', namespace, name };
}

function names(text: string | undefined): string[] {
  const out = parseList(text);
  if (!out.length) throw new UsageError('--names needs at least one add-on name');
  for (const n of out) if (!isDns1123Label(n)) throw new UsageError(`--names: "${n}" is not a valid add-on name (a DNS-1123 label)`);
  return out;
}

export function enableOptions(f: AddonFlags, verb: 'enable' | 'disable'): EnableOptions {
  const n = names(f.names);
  if ((f.clusters === undefined) === (f.placement === undefined)) throw new UsageError(`addon ${verb}: give exactly one of --clusters and --placement`);
  let target: EnableOptions['target'];
  if (f.clusters !== undefined) {
    const clusters = parseList(f.clusters);
    if (!clusters.length) throw new UsageError('--clusters needs at least one cluster name');
    clusters.forEach((c) => checkClusterName(c, '--clusters'));
    target = { mode: 'clusters', clusters };
  } else {
    const [ns, name] = f.placement!.includes('/') ? f.placement!.split('/', 2) : ['default', f.placement!];
    if (!isDns1123Label(ns!) || !isDns1123Subdomain(name!)) throw new UsageError(`--placement "${f.placement}" is not NAME or NAMESPACE/NAME`);
    target = { mode: 'placement', namespace: ns!, placement: name! };
  }
  if (f.namespace !== undefined && !isDns1123Label(f.namespace)) throw new UsageError(`--namespace "${f.namespace}" is not a valid namespace name`);
  if (verb === 'disable' && (f.namespace !== undefined || f.config?.length)) throw new UsageError('addon disable takes no --namespace or --config');
  return {
    names: n,
    target,
    installNamespace: f.namespace,
    configs: (f.config ?? []).map(parseConfig),
    wait: !!f.wait,
    dryRun: !!f.dryRun,
    output: parseOutputFormat(f.output, ['text', 'json']),
  };
}

export function createOptions(f: AddonFlags): CreateOptions {
  if (!f.file) throw new UsageError('addon create needs -f TEMPLATE (an AddOnTemplate YAML file)');
  return { file: f.file, configs: (f.config ?? []).map(parseConfig), dryRun: !!f.dryRun, output: parseOutputFormat(f.output, ['text', 'json']) };
}
