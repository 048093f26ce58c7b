/**
 * metav1.Condition helpers with apimachinery's `meta.SetStatusCondition` rules: a condition's
 * lastTransitionTime moves only when its status changes; reason, message and observedGeneration
 * are updated in place. Lists are never mutated: callers get a new list and whether it differs.
 */

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  /** metav1.Time: RFC 3339 in whole seconds, as the API server stores it. */
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface ConditionInput {
  type: string;
  status: ConditionStatus;
  reason: string;
  message?: string;
  observedGeneration?: number;
  /** Used instead of `now` when the status changes (rarely needed). */
  lastTransitionTime?: string;
}

/**
 * The result of `setCondition`: the new list itself (so it can be written as `conditions`
 * directly), which also carries `conditions` (the same list) and `changed` as non-enumerable
 * properties, so `const { conditions, changed } = setCondition(...)` works and JSON stays a list.
 */
export type ConditionUpdate = Condition[] & { readonly conditions: Condition[]; readonly changed: boolean };

/** metav1.Time for `d`: RFC 3339 with whole seconds ("2026-11-23T10:00:00Z"). */
export function metaTime(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}

function withResult(list: Condition[], changed: boolean): ConditionUpdate {
  Object.defineProperty(list, 'conditions', { value: list, enumerable: false });
  Object.defineProperty(list, 'changed', { value: changed, enumerable: false });
  return list as ConditionUpdate;
}

/** Sets (adds or updates) the condition of `c.type`; see the file comment for the rules. */
export function setCondition(conditions: readonly Condition[] | undefined, c: ConditionInput, now: Date = new Date()): ConditionUpdate {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((x) => x.type === c.type);
  const message = c.message ?? '';
  if (i < 0) {
    const added: Condition = { type: c.type, status: c.status, reason: c.reason, message, lastTransitionTime: c.lastTransitionTime ?? metaTime(now) };
    if (c.observedGeneration !== undefined) added.observedGeneration = c.observedGeneration;
    list.push(added);
    return withResult(list, true);
  }
  const cur = list[i]!;
  const next: Condition = { ...cur };
  if (cur.status !== c.status) {
    next.status = c.status;
    next.lastTransitionTime = c.lastTransitionTime ?? metaTime(now);
  }
  next.reason = c.reason;
  next.message = message;
  if (c.observedGeneration !== undefined) next.observedGeneration = c.observedGeneration;
  const changed =
    next.status !== cur.status ||
    next.reason !== cur.reason ||
    next.message !== cur.message ||
    next.observedGeneration !== cur.observedGeneration ||
    next.lastTransitionTime !== cur.lastTransitionTime;
  if (!changed) return withResult([...(conditions ?? [])], false);
  list[i] = next;
  return withResult(list, true);
}

/** The list without the condition of `type`. */
export function removeCondition(conditions: readonly Condition[] | undefined, type: string): ConditionUpdate {
  const list = (conditions ?? []).filter((x) => x.type !== type);
  return withResult(list, list.length !== (conditions?.length ?? 0));
}

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((x) => x.type === type);
}

export const isTrue = (conditions: readonly Condition[] | undefined, type: string): boolean => findCondition(conditions, type)?.status === 'True';
export const isFalse = (conditions: readonly Condition[] | undefined, type: string): boolean => findCondition(conditions, type)?.status === 'False';

/** Whether the condition of `c.type` already has c's status, reason and message (and generation, if given). */
export function hasCondition(conditions: readonly Condition[] | undefined, c: ConditionInput): boolean {
  const cur = findCondition(conditions, c.type);
  if (!cur) return false;
  if (c.observedGeneration !== undefined && cur.observedGeneration !== c.observedGeneration) return false;
  return cur.status === c.status && cur.reason === c.reason && cur.message === (c.message ?? '');
}
