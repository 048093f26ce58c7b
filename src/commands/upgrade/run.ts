/**
 * `ocmadm upgrade hub|klusterlet`: find the installed runtime (none: exit 1), stop when it is this
 * CLI's (exit 0, no write) or newer (refused unless --force), let the server dry-run every object
 * of the plan to learn which would change, then apply only those, phase by phase, and with
 * --wait follow the pods' roll. Returns a Result; printing is render.ts's job.
 */
import type { CommandContext } from '../../cli/context.js';
import { CliError } from '../../cli/errors.js';
import type { KubeClient, KubeObject } from '../../kube/client.js';
import { describeError, isNotFound } from '../../kube/errors.js';
import { getOrUndefined } from '../../kube/resources.js';
import { deepEqual } from '../../runtime/core/patch.js';
import { ANNOTATION } from '../../bundle/index.js';
import { requirePullSecrets } from '../../bundle/preflight.js';
import { isDowngrade, readInstalledRuntime, refuseDowngrade } from '../../bundle/versions.js';
import { applyPermissions, requirePermissions } from '../../install/hub/access.js';
import { applyAll, applyOne, waitCrdsEstablished } from '../../install/hub/apply.js';
import { describeObject, objectRef, pathOf, type ObjectRef } from '../../install/hub/kinds.js';
import type { UpgradeOptions } from './options.js';
import { hubTarget, klusterletTarget, type Target } from './targets.js';
import { waitRolled } from './wait.js';

export interface RuntimeState {
  version?: string;
  sha256?: string;
  image: string;
}

export interface UpgradeResult {
  target: UpgradeOptions['target'];
  runtime: Target['kind'];
  server: string;
  /** up-to-date: nothing written; planned: --dry-run; upgraded: written. */
  state: 'up-to-date' | 'planned' | 'upgraded';
  from: RuntimeState;
  to: RuntimeState;
  /** --force replaced a newer runtime. */
  downgrade: boolean;
  /** Objects created or replaced (or, with --dry-run, that would be). */
  changed: (ObjectRef & { change: 'create' | 'update' })[];
  unchanged: number;
  /** --wait: the new pods, the leader (hub), and seconds from the first write until rolled. */
  rolled?: { pods: string[]; leader?: string; seconds: number };
}

/** What the server keeps of an object, minus the bookkeeping a no-op apply may touch. */
function comparable(o: KubeObject): KubeObject {
  const { managedFields: _m, resourceVersion: _r, ...metadata } = o.metadata ?? {};
  return { ...o, metadata };
}

/** The objects an apply would create or change, judged by a server-side dry run of each. */
async function plannedChanges(client: KubeClient, objects: KubeObject[]): Promise<Map<KubeObject, 'create' | 'update'>> {
  const out = new Map<KubeObject, 'create' | 'update'>();
  await Promise.all(
    objects.map(async (o) => {
      const now = await getOrUndefined<KubeObject>(client, pathOf(o));
      if (!now) return void out.set(o, 'create');
      let after: KubeObject;
      try {
        after = await applyOne(client, o, { dryRun: true });
      } catch (err) {
        if (isNotFound(err)) return void out.set(o, 'update');
        throw new CliError(`the server rejected ${describeObject(o)} in a dry run: ${describeError(err)}; nothing was changed`);
      }
      if (!deepEqual(comparable(now), comparable(after))) out.set(o, 'update');
    }),
  );
  return out;
}

export async function runUpgrade(opts: UpgradeOptions, ctx: CommandContext): Promise<UpgradeResult> {
  const p = ctx.progress;
  const deadline = ctx.deadline();
  p.start(`Checking the ${opts.target === 'hub' ? 'hub' : 'klusterlet'}`);
  const t = opts.target === 'hub' ? await hubTarget(opts, ctx) : await klusterletTarget(opts, ctx);
  const installed = await readInstalledRuntime(t.client, t.kind, t.namespace);
  const tpl = t.current.spec?.template;
  const from: RuntimeState = {
    version: installed?.version ?? tpl?.metadata?.annotations?.[ANNOTATION.version],
    sha256: installed?.sha256,
    image: tpl?.spec?.containers?.[0]?.image ?? '',
  };
  const result: UpgradeResult = {
    target: opts.target,
    runtime: t.kind,
    server: t.server,
    state: 'up-to-date',
    from,
    to: { version: t.bundle.version, sha256: t.bundle.sha256, image: t.image },
    downgrade: false,
    changed: [],
    unchanged: 0,
  };
  const samePods =
    installed?.sha256 === t.bundle.sha256 &&
    tpl?.metadata?.annotations?.[ANNOTATION.sha256] === t.bundle.sha256 &&
    from.image === t.image &&
    deepEqual((tpl?.spec?.imagePullSecrets ?? []).map((s) => s.name), t.imagePullSecrets);
  if (samePods && !opts.force) {
    p.done(`${t.what} runtime on ${t.server} is up to date (${t.bundle.version})`);
    return result;
  }
  refuseDowngrade(installed, t.bundle, opts.force, t.where);
  result.downgrade = isDowngrade(installed, t.bundle);
  if (opts.imagePullSecrets) await requirePullSecrets(t.client, t.namespace, opts.imagePullSecrets);
  const all = t.phases.flatMap((ph) => ph.objects);
  await requirePermissions(t.client, applyPermissions(all), `upgrade ${t.what} on ${t.server}`);
  const changes = await plannedChanges(t.client, all);
  result.changed = all.filter((o) => changes.has(o)).map((o) => ({ ...objectRef(o), change: changes.get(o)! }));
  result.unchanged = all.length - changes.size;
  p.done(`${t.where} checked: ${changes.size} of ${all.length} objects to replace (a server dry run)`);
  if (opts.dryRun) {
    result.state = 'planned';
    return result;
  }

  if (result.downgrade) p.warn(`--force: downgrading ${t.what} runtime from ${from.version} to ${t.bundle.version}`);
  const t0 = Date.now();
  for (const phase of t.phases) {
    const objects = phase.objects.filter((o) => changes.has(o));
    if (!objects.length) continue;
    p.start(`Applying ${objects.length} ${phase.name} object(s)`);
    await applyAll(t.client, objects, { signal: ctx.signal });
    if (phase.name === 'crds') await waitCrdsEstablished(t.client, objects.map((o) => o.metadata!.name!), deadline, ctx.signal);
  }
  result.state = 'upgraded';
  p.done(`${t.what} runtime ${from.version ?? '?'} → ${t.bundle.version} applied`);
  if (opts.wait) {
    p.start(`Waiting for ${t.what}'s pods to roll`);
    const rolled = await waitRolled(t, deadline, ctx.signal);
    result.rolled = { ...rolled, seconds: Math.round((Date.now() - t0) / 100) / 10 };
    p.done(`${t.what}'s pods rolled in ${result.rolled.seconds} s`);
  }
  return result;
}
