import type { Command } from 'commander';
import type { App } from '../../cli/app.js';
import { CliError } from '../../cli/errors.js';
import { formatResult } from '../../ui/output.js';
import { createOptions, enableOptions, type AddonFlags } from './options.js';

// What each subcommand does loads when it runs (the template checks pull in a schema library):
// `--help` and completion need only the flags.
const work = () => Promise.all([import('./run.js'), import('./render.js'), import('./wait.js')]);

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function register(program: Command, app: App): void {
  const addon = program.command('addon').description("create, enable and disable add-ons (OCM's add-on framework, on the hub)");

  const create = addon
    .command('create')
    .description('create a template add-on: the AddOnTemplate and its ClusterManagementAddOn (Manual install)')
    .requiredOption('-f, --filename <file>', 'an AddOnTemplate YAML file')
    .option('--config <KIND/NS/NAME>', 'a default AddOnDeploymentConfig (repeatable); its customizedVariables may fill {{VARIABLES}}', collect)
    .option('--dry-run', 'check everything (the server validates the template) and write nothing')
    .option('-o, --output <format>', 'text or json', 'text');
  app.action<AddonFlags & { filename: string }>(create, async (f, ctx) => {
    const o = createOptions({ ...f, file: f.filename });
    const [{ createAddon }, { addonText }] = await work();
    ctx.io.stdout.write(formatResult(await createAddon(ctx, o), o.output, addonText));
  });

  const targets = (c: Command) =>
    c
      .requiredOption('--names <a,b,...>', 'add-on names')
      .option('--clusters <c1,c2,...>', 'managed clusters (ManagedClusterAddOns in their namespaces)')
      .option('--placement <[NS/]NAME>', 'a Placement (namespace default "default"): its decisions install the add-ons')
      .option('--dry-run', 'check everything and write nothing')
      .option('-o, --output <format>', 'text or json', 'text');

  const enable = targets(
    addon
      .command('enable')
      .description('enable add-ons on clusters or through a placement')
      .option('--namespace <ns>', 'install namespace of the add-on agent on the spokes')
      .option('--config <KIND/NS/NAME>', 'an AddOnDeploymentConfig for these clusters or this placement (repeatable)', collect)
      .option('--wait', 'wait until every add-on is Available on every cluster, then report each'),
  );
  app.action<AddonFlags>(enable, async (f, ctx) => {
    const o = enableOptions(f, 'enable');
    const [{ enableAddons }, { addonText }, { waitAvailable }] = await work();
    const result = await enableAddons(ctx, o);
    if (o.wait && !o.dryRun) result.clusters = await waitAvailable(ctx, o);
    ctx.io.stdout.write(formatResult(result, o.output, addonText));
    const missing = (result.clusters ?? []).filter((c) => !c.available);
    if (missing.length) throw new CliError(`not available before the deadline: ${missing.map((c) => `${c.cluster}/${c.addon}`).join(', ')}; see ocmadm get addons`);
  });

  const disable = targets(addon.command('disable').description('disable add-ons on clusters, or stop a placement from installing them'));
  app.action<AddonFlags>(disable, async (f, ctx) => {
    const o = enableOptions(f, 'disable');
    const [{ disableAddons }, { addonText }] = await work();
    ctx.io.stdout.write(formatResult(await disableAddons(ctx, o), o.output, addonText));
  });
}
