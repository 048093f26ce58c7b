import type { AddOnDeploymentConfig, AddOnTemplate } from '../../api/index.js';
import { installNamespaceOf, overrideImage, probeManifestConfigs, renderTemplate, templateVariables } from './addon-render.js';

const template = (registration: AddOnTemplate['spec']['registration'] = [{ type: 'KubeClient' }]): AddOnTemplate => ({
  apiVersion: 'addon.open-cluster-management.io/v1alpha1',
  kind: 'AddOnTemplate',
  metadata: { name: 'demo-1' },
  spec: {
    addonName: 'demo',
    registration,
    agentSpec: {
      workload: {
        manifests: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'demo-agent', namespace: 'demo-ns' },
            spec: {
              selector: { matchLabels: { app: 'demo' } },
              template: { spec: { containers: [{ name: 'a', image: 'quay.io/ocm/demo:1', args: ['--cluster={{CLUSTER_NAME}}', '--kc={{HUB_KUBECONFIG}}', '--lvl={{LOG_LEVEL}}'] }] } },
            },
          },
          { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'demo-sa', namespace: 'demo-ns' } },
          { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'demo' }, subjects: [{ kind: 'ServiceAccount', name: 'demo-sa', namespace: 'demo-ns' }] },
          { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'cleanup', namespace: 'demo-ns', annotations: { 'addon.open-cluster-management.io/addon-pre-delete': '' } } },
        ],
      },
    },
  },
});

const config = (spec: AddOnDeploymentConfig['spec']): AddOnDeploymentConfig => ({ apiVersion: 'addon.open-cluster-management.io/v1alpha1', kind: 'AddOnDeploymentConfig', metadata: { name: 'c', namespace: 'x' }, spec });
const deployment = (r: ReturnType<typeof renderTemplate>) => r.manifests[0] as { spec: { template: { spec: Record<string, any> } } };

describe('renderTemplate', () => {
  it('substitutes built-in and customized variables; unknown names render empty, as OCM', () => {
    expect(templateVariables(template())).toEqual(['CLUSTER_NAME', 'HUB_KUBECONFIG', 'LOG_LEVEL']);
    const bare = renderTemplate({ cluster: 'c1', template: template() });
    expect(deployment(bare).spec.template.spec.containers[0].args).toEqual(['--cluster=c1', '--kc=/managed/hub-kubeconfig/kubeconfig', '--lvl=']);
    const withVars = renderTemplate({ cluster: 'c1', template: template(), config: config({ customizedVariables: [{ name: 'LOG_LEVEL', value: '4' }, { name: 'CLUSTER_NAME', value: 'spoof' }] }) });
    expect(deployment(withVars).spec.template.spec.containers[0].args).toEqual(['--cluster=c1', '--kc=/managed/hub-kubeconfig/kubeconfig', '--lvl=4']);
  });

  it('gives workloads the variables as env, the hub kubeconfig volume, node placement and mirrored images', () => {
    const r = renderTemplate({ cluster: 'c1', template: template(), config: config({ nodePlacement: { nodeSelector: { role: 'infra' }, tolerations: [{ key: 'k', operator: 'Exists' }] }, registries: [{ source: 'quay.io/ocm', mirror: 'registry.local/mirror' }] }) });
    const pod = deployment(r).spec.template.spec;
    expect(pod.containers[0].env).toEqual([{ name: 'HUB_KUBECONFIG', value: '/managed/hub-kubeconfig/kubeconfig' }, { name: 'CLUSTER_NAME', value: 'c1' }]);
    expect(pod.containers[0].volumeMounts).toEqual([{ name: 'hub-kubeconfig', mountPath: '/managed/hub-kubeconfig' }]);
    expect(pod.volumes).toEqual([{ name: 'hub-kubeconfig', secret: { secretName: 'demo-hub-kubeconfig' } }]);
    expect(pod.nodeSelector).toEqual({ role: 'infra' });
    expect(pod.tolerations).toEqual([{ key: 'k', operator: 'Exists' }]);
    expect(pod.containers[0].image).toBe('registry.local/mirror/demo:1');
  });

  it('without a kube-client registration: no HUB_KUBECONFIG and no volume', () => {
    const r = renderTemplate({ cluster: 'c1', template: template([]) });
    const pod = deployment(r).spec.template.spec;
    expect(pod.volumes).toBeUndefined();
    expect(pod.containers[0].env).toEqual([{ name: 'CLUSTER_NAME', value: 'c1' }]);
  });

  it('moves namespaced objects, binding subjects and INSTALL_NAMESPACE to the config install namespace', () => {
    const r = renderTemplate({ cluster: 'c1', template: template(), config: config({ agentInstallNamespace: 'elsewhere' }) });
    expect(r.installNamespace).toBe('elsewhere');
    expect(r.manifests.map((m) => m.metadata?.namespace)).toEqual(['elsewhere', 'elsewhere', undefined]);
    expect((r.manifests[2] as any).subjects[0].namespace).toBe('elsewhere');
    expect(r.env.map((e) => e.name)).toEqual(['HUB_KUBECONFIG', 'CLUSTER_NAME', 'INSTALL_NAMESPACE']);
  });

  it('keeps pre-delete hooks out of the deploy manifests', () => {
    const r = renderTemplate({ cluster: 'c1', template: template() });
    expect(r.manifests.map((m) => m.kind)).toEqual(['Deployment', 'ServiceAccount', 'ClusterRoleBinding']);
    expect(r.hooks.map((m) => m.metadata?.name)).toEqual(['cleanup']);
  });

  it('install namespace: the first Deployment, else OCM default', () => {
    expect(installNamespaceOf(template())).toBe('demo-ns');
    const t = template();
    t.spec.agentSpec.workload!.manifests = [];
    expect(installNamespaceOf(t)).toBe('open-cluster-management-agent-addon');
  });

  it('probes every Deployment and DaemonSet by well-known status', () => {
    const r = renderTemplate({ cluster: 'c1', template: template() });
    expect(probeManifestConfigs(r.manifests)).toEqual([{ resourceIdentifier: { group: 'apps', resource: 'deployments', name: 'demo-agent', namespace: 'demo-ns' }, feedbackRules: [{ type: 'WellKnownStatus' }] }]);
  });

  it('overrideImage: the last matching source wins, others leave the image', () => {
    expect(overrideImage('a.io/x:1', [{ source: 'b.io', mirror: 'm' }])).toBe('a.io/x:1');
    expect(overrideImage('a.io/x:1', [{ source: 'a.io', mirror: 'm1' }, { source: 'a.io/x', mirror: 'm2/y' }])).toBe('m2/y:1');
  });
});
