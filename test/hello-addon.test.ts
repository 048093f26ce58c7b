// examples/addons/hello-addon: the template carries agent.js as it is, passes `addon create`'s
// checks with its AddOnDeploymentConfig, and renders the agent and its pre-delete hook.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import yaml from 'js-yaml';
import type { AddOnDeploymentConfig } from '../src/api/index.js';
import type { KubeObject } from '../src/kube/client.js';
import { loadTemplate, unknownVariables } from '../src/commands/addon/template.js';
import { renderTemplate } from '../src/runtime/hub/addon-render.js';

const DIR = path.resolve('examples/addons/hello-addon');
const template = loadTemplate(path.join(DIR, 'template.yaml'));
const config = (yaml.loadAll(fs.readFileSync(path.join(DIR, 'hub.yaml'), 'utf8')) as KubeObject[]).find((d) => d.kind === 'AddOnDeploymentConfig') as AddOnDeploymentConfig;

test('template.yaml carries agent.js unchanged, and agent.js is valid JavaScript', () => {
  const cm = template.spec.agentSpec.workload!.manifests!.find((m) => (m as KubeObject).kind === 'ConfigMap') as { data: Record<string, string> };
  expect(cm.data['agent.js']).toBe(fs.readFileSync(path.join(DIR, 'agent.js'), 'utf8'));
  execFileSync(process.execPath, ['--check', path.join(DIR, 'agent.js')]);
});

test('every variable is built in or set by the example config', () => {
  expect(unknownVariables(template, [config])).toEqual([]);
});

test('renders the agent with its hub credentials and greeting, and the cleanup Job as a pre-delete hook', () => {
  const r = renderTemplate({ cluster: 'c1', template, config });
  const dep = r.manifests.find((m) => m.kind === 'Deployment') as { spec: { template: { spec: { containers: Array<{ env: Array<{ name: string; value: string }> }>; volumes: Array<{ name: string; secret?: { secretName: string } }> } } } };
  const pod = dep.spec.template.spec;
  expect(pod.containers[0]!.env).toEqual(expect.arrayContaining([{ name: 'GREETING', value: 'hello' }, { name: 'CLUSTER_NAME', value: 'c1' }, { name: 'HUB_KUBECONFIG', value: '/managed/hub-kubeconfig/kubeconfig' }]));
  expect(pod.volumes).toContainEqual({ name: 'hub-kubeconfig', secret: { secretName: 'hello-addon-hub-kubeconfig' } });
  expect(r.hooks.map((h) => `${h.kind}/${h.metadata?.name}`)).toEqual(['Job/hello-addon-cleanup']);
  expect(r.manifests.map((m) => m.kind)).toEqual(['ConfigMap', 'ServiceAccount', 'Role', 'RoleBinding', 'Deployment']);
  expect(r.installNamespace).toBe('open-cluster-management-agent-addon');
});
