import { podsText } from '../hub-info/render.js';
import type { Credential, KlusterletInfo } from './run.js';

function credential(c: Credential): string {
  if (!c.present) return 'none';
  const parts = [c.accepted === true ? 'accepted by the hub' : c.accepted === false ? 'REFUSED by the hub' : `not checked (${c.error ?? 'unknown'})`];
  if (c.expires) parts.push(`${c.expired ? 'EXPIRED' : 'expires'} ${c.expires}`);
  return parts.join(', ');
}

export function klusterletInfoText(r: KlusterletInfo): string {
  const where =
    r.runtime === 'cluster'
      ? `Deployment, image ${r.deployment?.image ?? '?'}, ${r.deployment?.readyReplicas}/${r.deployment?.replicas} replicas ready`
      : r.runtime === 'local'
        ? `local process, pid ${r.local?.pid} (${r.local?.running ? 'running' : 'not running'}), log ${r.local?.logFile}`
        : 'none found';
  const rows: [string, string][] = [
    ['spoke', r.spoke],
    ['klusterlet', where],
    ['version', r.version ?? 'unknown'],
    ...(r.pods ? ([['pods', podsText(r.pods)]] as [string, string][]) : []),
    ['health', r.healthy ? 'Healthy' : `Unhealthy: ${r.problem}`],
    ['cluster name', r.clusterName ?? 'unknown'],
    ['hub', r.hub ?? 'unknown'],
    ['bootstrap kubeconfig', credential(r.bootstrap)],
    ['hub kubeconfig', r.hubCredential.present ? credential(r.hubCredential) : 'none yet (waiting for ocmadm accept on the hub)'],
    ['accepted', r.accepted === undefined ? 'unknown' : String(r.accepted)],
    ['joined', r.joined ?? 'unknown'],
    ['available', r.available ?? 'unknown'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  return rows.map(([k, v]) => `${k.padEnd(width)}${v}`).join('\n') + '\n';
}
