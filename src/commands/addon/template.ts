/**
 * Reading `addon create -f TEMPLATE`: one AddOnTemplate, checked against the schema the hub serves
 * (so the API server will accept it as is), with every `{{VARIABLE}}` either built in or set by one
 * of the --config AddOnDeploymentConfigs. The ClusterManagementAddOn that goes with it points at the
 * template (and the configs) as its defaults, as `clusteradm addon create` writes it.
 */
import fs from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { CliError, UsageError } from '../../cli/errors.js';
import { AddOnTemplateSchema } from '../../api/addon.js';
import { TYPE, type AddOnDeploymentConfig, type AddOnTemplate, type ClusterManagementAddOn } from '../../api/index.js';
import { ADDON, GROUP, LABEL, MANAGED_BY } from '../../api/names.js';
import { parseManifests } from '../deploy/manifests.js';
import { templateVariables } from '../../runtime/hub/addon-render.js';
import type { ConfigFlag } from './options.js';

export function loadTemplate(file: string): AddOnTemplate {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new CliError(`-f ${file}: no such file; pass an AddOnTemplate YAML file`);
  }
  const docs = parseManifests(text, file);
  if (docs.length !== 1 || docs[0]!.obj.kind !== 'AddOnTemplate') throw new UsageError(`${file}: expected exactly one AddOnTemplate, found ${docs.map((d) => d.obj.kind ?? '?').join(', ') || 'nothing'}`);
  const obj = docs[0]!.obj as AddOnTemplate;
  if (obj.apiVersion !== TYPE.addOnTemplate.apiVersion) throw new UsageError(`${file}: apiVersion must be ${TYPE.addOnTemplate.apiVersion}, not ${obj.apiVersion}`);
  const first = [...Value.Errors(AddOnTemplateSchema, obj)][0];
  if (first) throw new UsageError(`${file}: not a valid AddOnTemplate: ${first.path || '/'} ${first.message}; fix the file`);
  if (!obj.metadata?.name) throw new UsageError(`${file}: the AddOnTemplate has no metadata.name`);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(obj.spec.addonName) || obj.spec.addonName.length > 63) {
    throw new UsageError(`${file}: spec.addonName "${obj.spec.addonName}" is not a valid add-on name (a DNS-1123 label)`);
  }
  return obj;
}

/** Variables the template uses that nothing sets. */
export function unknownVariables(t: AddOnTemplate, configs: AddOnDeploymentConfig[]): string[] {
  const known = new Set<string>([...ADDON.builtinVariables, ...configs.flatMap((c) => (c.spec?.customizedVariables ?? []).map((v) => v.name))]);
  return templateVariables(t).filter((v) => !known.has(v));
}

/** The ClusterManagementAddOn of a template add-on: Manual install, the template (and configs) as defaults, in both versions' shapes. */
export function clusterManagementAddOn(t: AddOnTemplate, configs: ConfigFlag[]): ClusterManagementAddOn {
  const template = { group: GROUP.addon, resource: 'addontemplates', name: t.metadata.name! };
  const defaults = [template, ...configs.map((c) => ({ group: c.group, resource: c.resource, name: c.name, namespace: c.namespace }))];
  return {
    ...TYPE.clusterManagementAddOn,
    metadata: { name: t.spec.addonName, labels: { [LABEL.managedBy]: MANAGED_BY } },
    spec: {
      addOnMeta: { displayName: t.spec.addonName, description: `template add-on ${t.metadata.name}` },
      installStrategy: { type: 'Manual' },
      defaultConfigs: defaults,
      supportedConfigs: defaults.map((d) => ({ group: d.group, resource: d.resource, defaultConfig: { name: d.name, ...('namespace' in d && d.namespace ? { namespace: d.namespace } : {}) } })),
    },
  };
}

/** The template a CMA names as its default (either version's field). */
export function cmaTemplateName(cma: ClusterManagementAddOn): string | undefined {
  const isT = (c: { group?: string; resource: string }) => c.group === GROUP.addon && c.resource === 'addontemplates';
  return cma.spec.defaultConfigs?.find(isT)?.name ?? cma.spec.supportedConfigs?.find(isT)?.defaultConfig?.name;
}
