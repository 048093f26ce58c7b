/**
 * Pre-delete hooks as OCM's add-on manager runs them: a template manifest annotated
 * `addon.open-cluster-management.io/addon-pre-delete` (a Job or a Pod) is left out of the deploy
 * work; while the add-on exists it holds the finalizer of the same name; once the add-on is being
 * deleted the hook manifests go out in ManifestWork `addon-<name>-pre-delete`, and the finalizer
 * (so the deploy work, the agent, its credentials and hub RBAC) stays until every hook completed:
 * a Job's JobComplete feedback "True", a Pod's PodPhase "Succeeded". Pure.
 */
import type { KubeObject } from '../../kube/client.js';
import type { ManifestWork } from '../../api/index.js';
import { ADDON_COND, ADDON_REASON } from '../../api/names.js';
import type { ConditionInput } from '../core/conditions.js';

type Feedback = { name: string; fieldValue?: { string?: string } };

const hookResource = (m: KubeObject) => (m.apiVersion === 'batch/v1' && m.kind === 'Job' ? { group: 'batch', resource: 'jobs' } : m.apiVersion === 'v1' && m.kind === 'Pod' ? { group: '', resource: 'pods' } : undefined);

/** Only Jobs and Pods can be hooks (OCM ignores other annotated kinds as hooks). */
export const hookManifests = (hooks: KubeObject[]): KubeObject[] => hooks.filter((m) => !!hookResource(m));

/** The pre-delete work's spec: the hooks, with the feedback that says when they are done. */
export function hookWorkSpec(hooks: KubeObject[]): NonNullable<ManifestWork['spec']> {
  return {
    workload: { manifests: hooks },
    manifestConfigs: hooks.map((m) => ({
      resourceIdentifier: { ...hookResource(m)!, name: m.metadata?.name ?? '', namespace: m.metadata?.namespace ?? '' },
      feedbackRules: [{ type: 'WellKnownStatus' as const }],
    })),
  } as NonNullable<ManifestWork['spec']>;
}

/** Every hook of the work completed (Job complete, Pod succeeded), as the work agent's feedback reports. */
export function hooksCompleted(work: ManifestWork | undefined, hooks: KubeObject[]): boolean {
  if (!work) return false;
  const statuses = work.status?.resourceStatus?.manifests ?? [];
  return hooks.every((m) => {
    const id = hookResource(m)!;
    const st = statuses.find((s) => s.resourceMeta?.resource === id.resource && s.resourceMeta?.name === m.metadata?.name && (s.resourceMeta?.namespace ?? '') === (m.metadata?.namespace ?? ''));
    const values = ((st as { statusFeedback?: { values?: Feedback[] } } | undefined)?.statusFeedback?.values ?? []) as Feedback[];
    const v = (name: string) => values.find((x) => x.name === name)?.fieldValue?.string;
    return id.resource === 'jobs' ? v('JobComplete') === 'True' : v('PodPhase') === 'Succeeded';
  });
}

export function hookCondition(workName: string, done: boolean): ConditionInput {
  return done
    ? { type: ADDON_COND.hookManifestCompleted, status: 'True', reason: ADDON_REASON.hookCompleted, message: `hook manifestWork ${workName} is completed.` }
    : { type: ADDON_COND.hookManifestCompleted, status: 'False', reason: ADDON_REASON.hookNotCompleted, message: `hook manifestWork ${workName} is not completed.` };
}
