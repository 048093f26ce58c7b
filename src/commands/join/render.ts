/** join's text output on stdout: what was done and the exact next step. */
import type { JoinResult } from './run.js';

export function renderJoin(r: JoinResult): string {
  if (r.dryRun) return r.manifests ?? '';
  const lines: string[] = [];
  const where = r.local ? `local runtime, pid ${r.local.pid ?? '?'}, log ${r.local.logFile}` : 'cluster runtime';
  lines.push(`Spoke ${r.spoke} joined hub ${r.hub} as ${r.cluster} (${where}).`);
  lines.push(`Hub CA from ${r.ca.source} (${r.ca.fingerprint}${r.ca.trustedOnFirstUse ? ', trusted on first use' : ''}); bootstrap secret ${r.bootstrapSecret}.`);
  if (r.outputFile) lines.push(`Manifests written to ${r.outputFile} (mode 0600: it holds the token).`);
  const reg = r.registration;
  if (reg) {
    if (reg.hasCredentials) {
      lines.push(`The agent already holds hub credentials for ${r.cluster}${reg.accepted ? ' and the hub has accepted it' : ''}.`);
    } else {
      const csrs = reg.pendingCsrs.map((c) => `${c.name} from ${c.requester}`).join(', ');
      lines.push(`ManagedCluster ${r.cluster} is registered on the hub; pending CSR: ${csrs}.`);
      if (reg.competing.length) {
        lines.push(`Warning: other agents also ask for the name ${r.cluster}: ${reg.competing.map((c) => `${c.name} from ${c.requester}`).join(', ')}; accept will need --requesters.`);
      }
    }
  }
  if (reg?.hasCredentials && reg.accepted) return `${lines.join('\n')}\n`;
  lines.push('', 'Next, on the hub:', '', `    ${r.next}`, '');
  return lines.join('\n');
}
