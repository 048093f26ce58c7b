/** The clusters waiting for acceptance, for the interactive prompt: requester and age of each. */
import type { KubeClient } from '../../kube/client.js';
import { resourcePath } from '../../kube/resources.js';
import { MANAGED_CLUSTERS, type ManagedCluster } from '../../api/index.js';
import { LABEL } from '../../api/names.js';
import { describeRequester, viewCsr } from '../../api/csr.js';
import { age } from '../../ui/output.js';
import { listClusterCsrs } from './run.js';

export interface PendingCluster {
  cluster: string;
  requester: string;
  age: string;
}

/** ManagedClusters with hubAcceptsClient unset and a pending CSR from a bootstrap identity. */
export async function pendingClusters(hub: KubeClient, now = Date.now()): Promise<PendingCluster[]> {
  const [mcs, csrs] = await Promise.all([hub.list<ManagedCluster>(resourcePath(MANAGED_CLUSTERS)), listClusterCsrs(hub)]);
  const out: PendingCluster[] = [];
  for (const mc of mcs.items) {
    const name = mc.metadata?.name;
    if (!name || mc.spec?.hubAcceptsClient === true) continue;
    const views = csrs
      .filter((c) => c.metadata?.labels?.[LABEL.clusterName] === name)
      .map((c) => viewCsr(c, name))
      .filter((v) => !v.invalid && v.bootstrap && v.state === 'pending');
    if (views.length === 0) continue;
    const requesters = [...new Set(views.map((v) => describeRequester(v)))];
    const oldest = views.map((v) => v.created ?? '').sort()[0];
    out.push({ cluster: name, requester: requesters.length > 1 ? `${requesters.length} competing agents` : requesters[0]!, age: age(oldest, now) });
  }
  return out.sort((a, b) => a.cluster.localeCompare(b.cluster));
}
