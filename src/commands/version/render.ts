import { age } from '../../ui/output.js';
import type { HubControllerInfo, VersionResult } from './run.js';

function controller(h: HubControllerInfo): string {
  const parts: string[] = [];
  if (h.runtime === 'local') {
    const where = h.local?.sandbox ? `of sandbox ${h.local.sandbox}` : 'on this machine';
    parts.push(`local process ${where}, pid ${h.local?.pid} (${h.local?.running ? 'running' : 'not running'}), log ${h.local?.logFile}`);
  }
  else if (h.runtime === 'cluster') parts.push(`Deployment, image ${h.deployment?.image} (${h.deployment?.readyReplicas}/${h.deployment?.replicas} ready)`);
  else parts.push(h.leader ? 'runs elsewhere (no local process in this state directory, no Deployment)' : 'none (no local process in this state directory, no Deployment)');
  if (h.leader) parts.push(`leader ${h.leader.holder}${h.leader.renewTime ? `, renewed ${age(h.leader.renewTime)} ago` : ''}`);
  return parts.join('; ');
}

export function renderVersion(r: VersionResult): string {
  const rows: [string, string][] = [
    ['ocmadm', r.ocmadm],
    ['node', r.node],
    ['default image', r.defaultImage],
  ];
  const c = r.cluster;
  if (!c) rows.push(['cluster', `none (${r.clusterNote ?? 'no kubeconfig'})`]);
  else {
    rows.push(['cluster', `${c.server} (context ${c.context})`]);
    if (!c.reachable) rows.push(['kubernetes', `not reachable: ${c.error}`]);
    else {
      rows.push(['kubernetes', c.kubernetes ?? `unknown: ${c.error}`]);
      if (c.hubCrds) {
        const hub = c.ocmHub ? 'yes' : c.hubCrds.present ? 'partly' : 'no';
        rows.push(['ocm hub', `${hub} (${c.hubCrds.present}/${c.hubCrds.expected} hub CRDs)${c.ocmOperator ? ", run by OCM's cluster-manager operator" : ''}`]);
      } else if (c.kubernetes && c.error) rows.push(['ocm hub', `unknown (${c.error})`]);
      if (c.hubController) rows.push(['hub controller', controller(c.hubController)]);
      for (const r of c.runtimes ?? []) {
        const pods = r.pods.map((p) => `${p.name} ${p.version ?? 'unknown'}`).join(', ');
        rows.push([`${r.runtime} runtime`, `${r.installed ?? 'no bundle ConfigMap'} in ${r.namespace}${pods ? ` (pods: ${pods})` : ' (no pods)'}`]);
      }
    }
  }
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  return rows.map(([k, v]) => `${k.padEnd(width)}${v}`).join('\n') + '\n';
}
