/** Text output of `ocmadm addon create | enable | disable`. */
import type { AddonResult } from './run.js';

export function addonText(r: AddonResult): string {
  const lines = r.changes.map((c) => `${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name}: ${c.change}`);
  if (r.dryRun) lines.push('dry run: nothing was written');
  for (const c of r.clusters ?? []) lines.push(`${c.cluster}: ${c.addon} ${c.available ? 'available' : `not available (${c.message})`}`);
  return `${lines.join('\n')}\n`;
}
