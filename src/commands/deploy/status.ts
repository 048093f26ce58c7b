/** Per-cluster status of deployed ManifestWorks, read from OCM's work conditions. Pure. */
import type { ManifestWork } from '../../api/index.js';
import { COND } from '../../api/names.js';

export interface ClusterStatus {
  cluster: string;
  work: string;
  applied: 'True' | 'False' | 'Unknown';
  available: 'True' | 'False' | 'Unknown';
  /** Why not applied/available (the first failing manifest's message), else empty. */
  message: string;
}

type Cond = { type: string; status: string; message?: string; observedGeneration?: number };

const cond = (list: Cond[] | undefined, type: string) => list?.find((c) => c.type === type);
const tri = (c: Cond | undefined): ClusterStatus['applied'] => (c?.status === 'True' ? 'True' : c?.status === 'False' ? 'False' : 'Unknown');

export function clusterStatus(w: ManifestWork): ClusterStatus {
  // A condition about an older spec says nothing about this one.
  const generation = w.metadata?.generation;
  const conditions = (w.status?.conditions as Cond[] | undefined)?.filter((c) => c.observedGeneration === undefined || generation === undefined || c.observedGeneration >= generation);
  const applied = cond(conditions, COND.work.applied);
  const available = cond(conditions, COND.work.available);
  let message = '';
  if (applied?.status === 'False' || available?.status === 'False') {
    for (const m of w.status?.resourceStatus?.manifests ?? []) {
      const bad = (m.conditions as Cond[] | undefined)?.find((c) => (c.type === COND.work.applied || c.type === COND.work.available) && c.status === 'False');
      if (bad) {
        const meta = m.resourceMeta;
        message = `${meta.kind ?? '?'} ${meta.namespace ? `${meta.namespace}/` : ''}${meta.name ?? ''}: ${bad.message ?? 'failed'}`;
        break;
      }
    }
    if (!message) message = (applied?.status === 'False' ? applied.message : available?.message) ?? '';
  }
  return { cluster: w.metadata?.namespace ?? '', work: w.metadata?.name ?? '', applied: tri(applied), available: tri(available), message };
}

/** Done when every cluster is Applied and Available, or one of them failed to apply. */
export const settled = (s: ClusterStatus) => (s.applied === 'True' && s.available === 'True') || s.applied === 'False';
export const succeeded = (s: ClusterStatus) => s.applied === 'True' && s.available === 'True';
