/** `ocmadm get works [NAME] [--cluster c]`: ManifestWorks on the hub and what their agents report. */
import type { Command } from 'commander';
import type { App } from '../../../cli/app.js';
import { CliError } from '../../../cli/errors.js';
import { isNotFound } from '../../../kube/errors.js';
import { resourcePath } from '../../../kube/resources.js';
import { MANIFEST_WORKS, type ManifestWork } from '../../../api/index.js';
import { LABEL } from '../../../api/names.js';
import { checkClusterName } from '../../../cli/flags.js';
import { age } from '../../../ui/output.js';
import { byName, parseGetFormat, printObjects, type Column } from '../../../ui/printer.js';
import { clusterStatus } from '../../deploy/status.js';

export const WORK_COLUMNS: Column<ManifestWork>[] = [
  { header: 'cluster', value: (w) => w.metadata?.namespace },
  { header: 'name', value: (w) => w.metadata?.name },
  { header: 'manifests', value: (w) => w.spec?.workload?.manifests?.length ?? 0 },
  { header: 'applied', value: (w) => clusterStatus(w).applied },
  { header: 'available', value: (w) => clusterStatus(w).available },
  { header: 'from', value: (w) => w.metadata?.labels?.[LABEL.mwrs] ?? (w.metadata?.labels?.[LABEL.deploy] ? 'deploy' : undefined) },
  { header: 'message', value: (w) => clusterStatus(w).message },
  { header: 'age', value: (w, now) => age(w.metadata?.creationTimestamp, now) },
];

export function register(get: Command, app: App): void {
  const cmd = get
    .command('works')
    .alias('work')
    .description('list ManifestWorks: cluster, manifests, applied, available, where they came from, the first error')
    .argument('[name]', 'only the works of this name, or of this deployment (ocmadm deploy NAME)')
    .option('--cluster <name>', 'only the works of this cluster')
    .option('-o, --output <format>', 'table, json or yaml', 'table');
  app.action<{ output: string; cluster?: string }>(cmd, async (flags, ctx, [name]) => {
    const format = parseGetFormat(flags.output);
    if (flags.cluster !== undefined) checkClusterName(flags.cluster, '--cluster');
    const client = await ctx.client(ctx.globals, 'hub');
    let items: ManifestWork[];
    try {
      items = (await client.list<ManifestWork>(resourcePath({ ...MANIFEST_WORKS, namespace: flags.cluster }))).items;
    } catch (err) {
      if (isNotFound(err)) throw new CliError(`${client.server} is not an OCM hub (no ManifestWork API); run ocmadm init there first`);
      throw err;
    }
    // A deployment's name finds its works too: replica sets name theirs `<name>-<random>`.
    const belongs = (w: ManifestWork) =>
      w.metadata?.name === name || w.metadata?.labels?.[LABEL.deploy] === name || w.metadata?.labels?.[LABEL.mwrs]?.split('.').slice(1).join('.') === name;
    if (name) items = items.filter(belongs);
    ctx.io.stdout.write(printObjects(byName(items), WORK_COLUMNS, format, name ? `No ManifestWork named ${name}.` : 'No ManifestWorks.'));
    if (name && !items.length) throw new CliError(`no ManifestWork named ${name}${flags.cluster ? ` for cluster ${flags.cluster}` : ''}`);
  });
}
