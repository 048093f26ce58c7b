/** unjoin's text output: one line per step (a table), the hub's part, warnings, then what is left. */
import { renderTable } from '../../ui/output.js';
import type { UnjoinResult } from './run.js';

export function renderUnjoin(r: UnjoinResult): string {
  const out: string[] = [];
  const steps = r.steps.filter((s) => s.outcome !== 'absent');
  const keptCrds = steps.filter((s) => s.kind === 'crd' && /keep|kept/.test(s.outcome));
  if (steps.length === keptCrds.length && !r.hub) {
    const crds = keptCrds.length ? ' Its CRDs stay (--purge removes them).' : '';
    return `Nothing to remove: the spoke ${r.spoke} holds no klusterlet of ${r.cluster}.${crds}\n`;
  }
  if (r.dryRun) out.push(`Dry run: nothing was changed. Unjoining ${r.cluster} from the spoke ${r.spoke} would:`);
  else out.push(`Unjoined ${r.cluster} from the spoke ${r.spoke} in ${r.elapsedSeconds} s:`);
  if (steps.length) out.push(renderTable(['result', 'what', 'details'], steps.map((s) => [s.outcome.replace('-', ' '), s.what, [s.detail, s.seconds ? `${s.seconds} s` : ''].filter(Boolean).join('; ')])).trimEnd());
  const h = r.hub;
  if (h) {
    const what = `ManagedCluster ${r.cluster} on the hub ${h.server}`;
    if (h.outcome === 'would-delete') out.push(h.managedCluster === 'present' ? `Would delete ${what} and wait for its cleanup.` : `${what} does not exist.`);
    else if (h.outcome === 'deleted') out.push(`Deleted ${what}; the hub finished its cleanup in ${h.seconds} s.`);
    else if (h.outcome === 'absent') out.push(`${what} does not exist: nothing to delete there.`);
    else out.push(`${what} was NOT removed: ${h.detail}`);
  }
  for (const w of r.warnings) out.push(`Warning: ${w}`);
  if (r.left.length) out.push('', 'Left behind (exit 1):', ...r.left.map((l) => `  - ${l}`));
  return `${out.join('\n')}\n`;
}
