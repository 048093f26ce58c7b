/** Printing a CleanResult: what went (or would go), what was kept and why, what is left. */
import { describeObject } from '../../install/hub/kinds.js';
import type { CleanResult } from './run.js';

const ref = (o: { kind: string; name: string; namespace?: string }) => describeObject({ kind: o.kind, metadata: o });

export function cleanText(r: CleanResult): string {
  const lines: string[] = [];
  const verb = r.dryRun ? 'Would remove' : 'Removed';
  if (r.removed.length === 0 && !r.localRuntime) lines.push(`Nothing of ocmadm is installed on ${r.hubApiserver}.`);
  else {
    lines.push(`${verb} from ${r.hubApiserver}:`);
    for (const o of r.removed) lines.push(`  ${ref(o)}`);
    if (r.localRuntime) lines.push(`  the local hub controller${r.localRuntime.pid ? ` (pid ${r.localRuntime.pid})` : ''} and its state directory`);
  }
  const crs = Object.entries(r.customResources);
  if (crs.length) lines.push(`${r.dryRun ? 'Going' : 'Gone'} with the CRDs: ${crs.map(([k, n]) => `${n} ${k}`).join(', ')}.`);
  for (const f of r.finalizersRemoved) lines.push(`Removed the finalizers of ${ref(f)} (its controller is gone).`);
  for (const k of r.kept) lines.push(`Kept ${ref(k.ref)}: ${k.reason}.`);
  for (const l of r.left) lines.push(`LEFT ${ref(l.ref)}: ${l.reason}`);
  if (!r.dryRun) lines.push(r.left.length ? `${r.left.length} object(s) could not be removed; see above.` : `The hub is clean (${(r.durationMs / 1000).toFixed(1)} s).`);
  return lines.join('\n') + '\n';
}
