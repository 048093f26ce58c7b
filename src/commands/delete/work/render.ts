import type { DeleteWorkResult } from './run.js';

export function deleteWorkText(r: DeleteWorkResult): string {
  const lines = r.clusters.map((c) => {
    if (c.change === 'would-delete') return `${c.cluster}/${r.name}: would be deleted`;
    if (c.gone === undefined) return `${c.cluster}/${r.name}: deleted (the agent removes its resources from the spoke)`;
    return `${c.cluster}/${r.name}: ${c.gone ? 'gone (removed from the spoke)' : 'still on the hub at the deadline (is the agent of this cluster running?)'}`;
  });
  if (r.dryRun) lines.push('dry run: nothing was deleted');
  return `${lines.join('\n')}\n`;
}
