import type { PlacementResult } from './run.js';

const WORDS: Record<PlacementResult['change'], string> = {
  created: 'created',
  updated: 'updated',
  'would-create': 'would be created (dry run: nothing was written)',
  'would-update': 'would be updated (dry run: nothing was written)',
};

export function placementText(r: PlacementResult): string {
  const m = r.placement.metadata!;
  return `placement ${m.namespace}/${m.name} ${WORDS[r.change]}\n`;
}
