/** Printing an UpgradeResult: what changed (or would), from which runtime version to which. */
import type { UpgradeResult } from './run.js';

const ver = (v: string | undefined) => v ?? 'unknown';

export function upgradeText(r: UpgradeResult): string {
  const what = `the ${r.runtime} runtime on ${r.server}`;
  if (r.state === 'up-to-date') return `${what} is up to date (${r.to.version}, image ${r.to.image}); nothing was changed.\n`;
  const image = r.from.image === r.to.image ? `image ${r.to.image}` : `image ${r.from.image} → ${r.to.image}`;
  const head =
    r.state === 'planned'
      ? `Dry run: would ${r.downgrade ? 'downgrade' : 'upgrade'} ${what} from ${ver(r.from.version)} to ${r.to.version} (${image}).`
      : `${r.downgrade ? 'Downgraded' : 'Upgraded'} ${what} from ${ver(r.from.version)} to ${r.to.version} (${image}).`;
  const lines = [head, r.state === 'planned' ? 'Objects that would be replaced:' : 'Objects replaced:'];
  for (const c of r.changed) lines.push(`  ${c.change === 'create' ? 'create' : 'replace'} ${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name}`);
  if (!r.changed.length) lines.push('  none');
  lines.push(`${r.unchanged} other object(s) are already as this ocmadm ships them.`);
  if (r.rolled) lines.push(`Pods rolled in ${r.rolled.seconds} s: ${r.rolled.pods.join(', ')}${r.rolled.leader ? ` (leader ${r.rolled.leader})` : ''}.`);
  else if (r.state === 'upgraded') lines.push(`The pods are rolling; follow them with: ocmadm upgrade ${r.target} --wait`);
  if (r.state === 'planned') lines.push('Nothing was changed.');
  return lines.join('\n') + '\n';
}
