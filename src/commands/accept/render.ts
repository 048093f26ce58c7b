/** accept's text output: one line per cluster (a table), then nothing else on stdout. */
import { renderTable } from '../../ui/output.js';
import type { AcceptResult, Outcome } from './run.js';

const WORDS: Record<Outcome, string> = { accepted: 'accepted', 'would-accept': 'would be accepted', 'already-accepted': 'already accepted', 'not-accepted': 'NOT accepted' };

export function renderAccept(result: AcceptResult): string {
  if (result.clusters.length === 0) return 'no cluster is waiting for acceptance\n';
  return renderTable(
    ['cluster', 'result', 'details'],
    result.clusters.map((r) => [r.cluster, r.available === false ? `${WORDS[r.outcome]}, not available` : WORDS[r.outcome], r.message]),
  );
}
