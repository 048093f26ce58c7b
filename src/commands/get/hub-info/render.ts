import { age } from '../../../ui/output.js';
import type { HubInfo } from './run.js';

function where(c: HubInfo['controller']): string {
  if (c.runtime === 'local') return `local process${c.local?.sandbox ? ` of sandbox ${c.local.sandbox}` : ''}, pid ${c.local?.pid} (${c.local?.running ? 'running' : 'not running'}), log ${c.local?.logFile}`;
  if (c.runtime === 'cluster') return `Deployment, image ${c.deployment?.image}, ${c.deployment?.readyReplicas}/${c.deployment?.replicas} replicas ready`;
  return 'none found';
}

/** "name (version, phase), …" of a runtime's pods. */
export function podsText(pods: NonNullable<HubInfo['controller']['pods']>): string {
  return pods.length ? pods.map((p) => `${p.name} (${p.version ?? 'version unknown'}, ${p.phase ?? 'phase unknown'})`).join(', ') : 'none';
}

export function hubInfoText(r: HubInfo): string {
  const c = r.controller;
  const g = r.registration;
  const rows: [string, string][] = [
    ['hub', `${r.hub} (Kubernetes ${r.kubernetes ?? 'unknown'})`],
    ['hub controller', where(c)],
    ['version', c.version ?? 'unknown'],
    ...(c.pods ? ([['pods', podsText(c.pods)]] as [string, string][]) : []),
    ['health', c.healthy ? 'Healthy' : `Unhealthy: ${c.problem}`],
    ['leader', c.leader ? `${c.leader.holder}${c.leader.renewTime ? `, renewed ${age(c.leader.renewTime)} ago` : ''}` : 'none'],
    ['CRDs', `${r.crds.present.length}/${r.crds.present.length + r.crds.missing.length} present${r.crds.missing.length ? `; missing ${r.crds.missing.join(', ')}` : ''}`],
    ['clusters', `${g.clusters} registered, ${g.accepted} accepted, ${g.joined} joined, ${g.available} available; ${g.pendingCsrs} CSR(s) pending (ocmadm accept)`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  return rows.map(([k, v]) => `${k.padEnd(width)}${v}`).join('\n') + '\n';
}
