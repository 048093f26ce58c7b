/**
 * `addon enable --wait`: watches the ManagedClusterAddOns (no polling) until each enabled add-on
 * reports Available=True on each of its clusters; at the deadline, the last state seen of every
 * cluster is reported and the command fails naming those that were not available.
 */
import type { CommandContext } from '../../cli/context.js';
import { CliError } from '../../cli/errors.js';
import type { KubeClient } from '../../kube/client.js';
import { resourcePath } from '../../kube/resources.js';
import { waitForList } from '../../kube/wait.js';
import { MANAGED_CLUSTER_ADDONS, PLACEMENT_DECISIONS, type ManagedClusterAddOn, type PlacementDecision } from '../../api/index.js';
import { ADDON_COND, LABEL } from '../../api/names.js';
import type { AddonResult } from './run.js';
import type { EnableOptions } from './options.js';

type Report = NonNullable<AddonResult['clusters']>;

export function report(expected: Array<[string, string]>, items: ManagedClusterAddOn[]): Report {
  return expected.map(([cluster, addon]) => {
    const mca = items.find((a) => a.metadata.namespace === cluster && a.metadata.name === addon);
    const c = (mca?.status?.conditions ?? []).find((x) => x.type === ADDON_COND.available);
    const available = c?.status === 'True';
    return { cluster, addon, available, message: !mca ? 'not created yet' : c ? `${c.reason}: ${c.message}` : 'no Available condition yet' };
  });
}

async function decided(client: KubeClient, o: EnableOptions): Promise<string[]> {
  if (o.target.mode === 'clusters') return o.target.clusters;
  const { namespace, placement } = o.target;
  const list = await client.list<PlacementDecision>(resourcePath({ ...PLACEMENT_DECISIONS, namespace }), { labelSelector: `${LABEL.placement}=${placement}` });
  return [...new Set(list.items.flatMap((d) => (d.status?.decisions ?? []).map((x) => x.clusterName)))].sort();
}

export async function waitAvailable(ctx: CommandContext, o: EnableOptions): Promise<Report> {
  const client = await ctx.client(ctx.globals, 'hub');
  const clusters = await decided(client, o);
  const expected = clusters.flatMap((c) => o.names.map((n): [string, string] => [c, n]));
  let last: ManagedClusterAddOn[] = [];
  const done = (items: ManagedClusterAddOn[]) => {
    last = items;
    return report(expected, items).every((r) => r.available);
  };
  try {
    await waitForList<ManagedClusterAddOn>(client, resourcePath(MANAGED_CLUSTER_ADDONS), done, { deadline: ctx.deadline(), signal: ctx.signal, what: 'the add-ons to become Available' });
  } catch (err) {
    if (!(err instanceof CliError) || err.exitCode !== 1) throw err;
  }
  return report(expected, last);
}
