/**
 * Placement predicates' `requiredClusterSelector.celSelector.celExpressions`, as OCM's scheduler
 * evaluates them: each expression sees the variable `managedCluster` (the whole ManagedCluster
 * object) and the member function `managedCluster.scores("<AddOnPlacementScore name>")`, a list of
 * {name, value} from that score object in the cluster's namespace. A cluster passes when every
 * expression is true; an evaluation error or a non-bool result counts as not passing (OCM logs
 * and skips it). An expression that does not compile makes the Placement misconfigured, naming
 * the expression and the position. Besides OCM's library (`scores`, `parseJSON`): standard CEL, the
 * strings extension and the Kubernetes libraries of cel-k8s.ts.
 */
import { CelScalar, celMethod, celError, isCelMap, listType } from '@bufbuild/cel';
import type { AddOnPlacementScore, ManagedCluster, Placement } from '../../api/index.js';
import { celEnvironment, compileCel, type CelProgram } from '../core/cel.js';

export type ScoreLookup = (cluster: string, name: string) => AddOnPlacementScore | undefined;

export const CEL_VARIABLES = ['managedCluster'] as const;

function environment(scores: ScoreLookup) {
  const fn = celMethod('scores', CelScalar.DYN, [CelScalar.STRING], listType(CelScalar.DYN), function (name: string) {
    const meta = isCelMap(this) ? this.get('metadata') : undefined;
    const cluster = meta && isCelMap(meta) ? meta.get('name') : undefined;
    if (typeof cluster !== 'string') return celError('failed to get cluster name') as never;
    const s = scores(cluster, name);
    if (!s) return celError(`failed to get score: addonplacementscore "${name}" not found in namespace ${cluster}`) as never;
    return (s.status?.scores ?? []).map((x) => ({ name: x.name, value: BigInt(x.value) }));
  });
  // OCM's JSON library: a claim or label holding JSON can be read as a value (numbers as doubles, as Go's json.Unmarshal).
  const parseJson = celMethod('parseJSON', CelScalar.STRING, [], CelScalar.DYN, function () {
    try {
      return JSON.parse(this) as never;
    } catch (err) {
      return celError(`failed to parse json: ${(err as Error).message}`) as never;
    }
  });
  return celEnvironment([fn, parseJson]);
}


// Only used to check that expressions compile (no score is ever looked up).
const CHECK_ENV = environment(() => undefined);

/** Why one celSelector expression does not compile ("line:column: what"), or undefined when it does. */
export function celExpressionError(expression: string): string | undefined {
  const c = compileCel(CHECK_ENV, expression, CEL_VARIABLES);
  return c.ok ? undefined : c.error;
}

/** The first expression of the placement that does not compile, as a PlacementMisconfigured message. */
export function celSelectorError(placement: Placement): string | undefined {
  for (const [p, pred] of (placement.spec.predicates ?? []).entries()) {
    for (const [i, expr] of (pred.requiredClusterSelector?.celSelector?.celExpressions ?? []).entries()) {
      const error = celExpressionError(expr);
      if (error) return `Predicate:predicates[${p}].requiredClusterSelector.celSelector.celExpressions[${i}]: compilation failed: ${error}`;
    }
  }
  return undefined;
}

/**
 * For each predicate (by index), whether a cluster passes its CEL expressions; predicates without
 * any always pass. Call only for placements `celSelectorError` accepts.
 */
export function celPredicates(placement: Placement, scores: ScoreLookup): (predicate: number, cluster: ManagedCluster) => boolean {
  const env = environment(scores);
  const programs: CelProgram[][] = (placement.spec.predicates ?? []).map((pred) =>
    (pred.requiredClusterSelector?.celSelector?.celExpressions ?? []).flatMap((expr) => {
      const c = compileCel(env, expr, CEL_VARIABLES);
      return c.ok ? [c.program] : [];
    }),
  );
  return (predicate, cluster) =>
    (programs[predicate] ?? []).every((prog) => {
      const r = prog.run({ managedCluster: cluster });
      return 'value' in r && r.value === true;
    });
}
