import type { Command } from 'commander';
import { Option } from 'commander';
import type { App } from '../../../cli/app.js';
import { formatResult } from '../../../ui/output.js';
import { placementOptions, type PlacementFlags } from './options.js';
import { placementText } from './render.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function register(create: Command, app: App): void {
  const cmd = create
    .command('placement')
    .description('create a Placement: which clusters of which bound cluster sets, how many, ranked how')
    .argument('<name>', 'placement name')
    .option('-n, --namespace <namespace>', 'namespace of the Placement (its cluster sets must be bound there)', 'default')
    .option('--clustersets <a,b,...>', 'select only from these bound cluster sets (default: every set bound to the namespace)')
    .option('--label-selectors <k=v,...>', 'clusters must have all these labels (k=v, k!=v, k, !k)')
    .option('--claim-selectors <k=v,...>', 'clusters must have all these ClusterClaims (k=v, k!=v, k, !k)')
    .option('--cel-selector <expr>', 'clusters must make this CEL expression true (repeatable; variable managedCluster); checked before anything is written', collect)
    .option('--prioritizers <NAME:W,...>', 'rank clusters: Steady:3, BuiltIn:ResourceAllocatableCPU:2, AddOn:RESOURCE:SCORE:1 (weights -10..10)')
    .option('--count <n>', 'select at most this many clusters (default: all that match)')
    .option('--overwrite', 'replace the spec of an existing Placement of that name')
    .option('--dry-run', 'check everything (the hub validates the Placement) and write nothing')
    .option('-o, --output <format>', 'text, json or yaml (json and yaml print the Placement)', 'text')
    .addOption(new Option('--label-selector <k=v,...>').hideHelp())
    .addOption(new Option('--claim-selector <k=v,...>').hideHelp())
    .addOption(new Option('--num-clusters <n>').hideHelp())
    .addHelpText(
      'after',
      `
Label, claim and CEL selectors form one predicate: a cluster must satisfy all of them. A CEL
expression that does not compile is refused with its line:column before the hub is written to.

Exit status: 0 when created (or would be, with --dry-run), 1 when the hub disagrees (namespace missing, set not bound, name taken), 2 for bad flags (a CEL expression that does not compile included).

Examples:
  ocmadm create placement web -n apps --clustersets prod --label-selectors region=eu --count 2
  ocmadm create placement web --prioritizers Steady:3,ResourceAllocatableCPU:2 --dry-run -o yaml
  ocmadm create placement new-k8s --cel-selector 'semver(managedCluster.status.version.kubernetes.substring(1), true).isGreaterThan(semver("1.30.0"))'`,
    );
  app.action<PlacementFlags>(cmd, async (flags, ctx, [name]) => {
    const opts = placementOptions(name!, flags);
    const { checkCelSelectors, runCreatePlacement } = await import('./run.js');
    checkCelSelectors(opts); // a bad expression is a bad flag: refused before the kubeconfig is even read
    const result = await runCreatePlacement(opts, { hub: await ctx.client(ctx.globals, 'hub') });
    ctx.io.stdout.write(formatResult(result, opts.output, placementText, (r) => r.placement));
  });
}
