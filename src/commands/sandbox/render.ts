import { NS } from '../../api/names.js';
import type { UpResult } from './up.js';

/** What `sandbox up` prints: where the kubeconfig is, how to use it, how long it took. */
export function renderUp(r: UpResult): string {
  const secs = (r.durationMs / 1000).toFixed(1);
  const contexts = [r.hub.context, ...r.spokes.map((s) => s.context)];
  const lines = [
    r.bare
      ? `Sandbox "${r.name}" is up (bare): ${contexts.length} control planes (Kubernetes ${r.version}) ready in ${secs} s; nothing is installed on them.`
      : `Sandbox "${r.name}" is up: a hub and ${r.spokes.length} spokes (Kubernetes ${r.version}), every cluster Joined and Available after ${secs} s.`,
    r.nodes ? `Every cluster has one real node (pods run; images come from the local registry ${r.registry}).` : 'No nodes: pods stay Pending (ocmadm sandbox up --nodes 1 gives each cluster a real node).',
    ...(r.hubUrl ? [`Spokes ${r.bare ? 'join' : 'joined'} the hub at ${r.hubUrl}: its node IP, relayed onto their nodes, so their pods reach it too.`] : []),
    '',
    `Kubeconfig: ${r.kubeconfig}`,
    `Contexts:   ${contexts.join(', ')} (current: ${r.hub.context})`,
    '',
    'Use it:',
    `  export KUBECONFIG=${r.kubeconfig}`,
  ];
  if (r.bare) {
    lines.push(`  ocmadm init --runtime local --wait --context ${r.hub.context}`);
    if (r.spokes[0]) lines.push(`  ocmadm join --runtime local --wait --context ${r.spokes[0].context} --cluster-name ${r.spokes[0].clusterName} --hub-token <token> --hub-apiserver ${r.hubUrl ?? r.hub.server}`);
  } else {
    lines.push(`  kubectl get managedclusters                # kubectl matching the clusters: ${r.kubectl}`);
    if (r.spokes[0]) lines.push(`  kubectl --context ${r.spokes[0].context} get pods,secrets -n ${NS.agent}`);
    lines.push(`  ocmadm version --context ${r.hub.context}`);
  }
  lines.push(`  ocmadm sandbox status`, `  ocmadm sandbox down${r.name === 'ocm' ? '' : ` --name ${r.name}`}`, '');
  return lines.join('\n');
}
