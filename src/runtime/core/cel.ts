/**
 * CEL for the expressions OCM's API carries (work condition rules, placement celSelector), on
 * @bufbuild/cel: pure TypeScript, maintained by Buf, tested against the CEL conformance suite.
 * `compileCel` parses and checks the expression before anything runs, as cel-go's Compile does:
 * a syntax error, an unknown function or an undeclared variable is a compile error with its
 * line:column; `runCel` never throws. Objects from the API are converted first: whole JSON numbers
 * become CEL ints (as Go's unstructured decoding makes int64), so `x + 1` type-checks.
 */
import { celEnv, isCelError, isCelList, isCelMap, parse, plan, type CelEnv, type CelFunc, type CelValue } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { K8S_CEL_FUNCS } from './cel-k8s.js';

export type CelBindings = Record<string, unknown>;

export interface CelProgram {
  readonly expression: string;
  /** The value, converted back to plain JS (ints as numbers when safe), or the evaluation error. */
  run(bindings: CelBindings): { value: unknown } | { error: string };
}

export type CelCompiled = { ok: true; program: CelProgram } | { ok: false; error: string };

// Operators and macros the planner handles itself (they are not functions in the env).
const BUILT_IN_CALLS = new Set(['_?_:_', '_&&_', '_||_', '@not_strictly_false', '_[_]', '!_', '-_']);

/**
 * An environment with the standard library, the strings extension, the Kubernetes libraries OCM
 * loads in both its CEL environments (cel-k8s.ts) and `funcs`.
 */
export function celEnvironment(funcs: readonly CelFunc[] = []): CelEnv {
  return celEnv({ funcs: [...strings, ...K8S_CEL_FUNCS, ...funcs] });
}

/** "line:column" (1-based) of a character offset in `text`. */
function position(text: string, offset: number): string {
  const before = text.slice(0, Math.max(0, offset)).split('\n');
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}

interface Node {
  id: bigint;
  exprKind: { case: string | undefined; value?: unknown };
}

/** `a.b.c` of an identifier or a chain of field selections on one, else undefined. */
function qualifiedName(n: Node | undefined): string | undefined {
  if (!n) return undefined;
  const v = n.exprKind.value as Record<string, unknown>;
  if (n.exprKind.case === 'identExpr') return v.name as string;
  if (n.exprKind.case !== 'selectExpr' || v.testOnly) return undefined;
  const parent = qualifiedName(v.operand as Node);
  return parent === undefined ? undefined : `${parent}.${v.field as string}`;
}

/** The first unknown function or variable of a parsed expression, with its offset. */
function unknownReference(env: CelEnv, root: Node, variables: ReadonlySet<string>): { name: string; kind: string; id: bigint } | undefined {
  const walk = (n: Node | undefined, bound: ReadonlySet<string>): { name: string; kind: string; id: bigint } | undefined => {
    if (!n) return undefined;
    const k = n.exprKind;
    const v = k.value as Record<string, unknown>;
    switch (k.case) {
      case 'identExpr': {
        const name = v.name as string;
        return bound.has(name) || variables.has(name) ? undefined : { name, kind: 'undeclared reference', id: n.id };
      }
      case 'selectExpr':
        return walk(v.operand as Node, bound);
      case 'callExpr': {
        const fn = v.function as string;
        // A namespaced function (`ip.isCanonical(s)`) parses as a method on an identifier: the planner resolves it by its full name.
        const qualified = qualifiedName(v.target as Node | undefined);
        if (qualified && !bound.has(qualified.split('.')[0]!) && !variables.has(qualified.split('.')[0]!) && env.funcs.find(`${qualified}.${fn}`)) {
          for (const child of v.args as Node[]) {
            const bad = walk(child, bound);
            if (bad) return bad;
          }
          return undefined;
        }
        if (!BUILT_IN_CALLS.has(fn) && !env.funcs.find(fn)) return { name: fn, kind: 'undeclared reference to function', id: n.id };
        for (const child of [v.target as Node | undefined, ...(v.args as Node[])]) {
          const bad = walk(child, bound);
          if (bad) return bad;
        }
        return undefined;
      }
      case 'listExpr':
        for (const e of v.elements as Node[]) {
          const bad = walk(e, bound);
          if (bad) return bad;
        }
        return undefined;
      case 'structExpr':
        for (const e of v.entries as { keyKind?: { value?: unknown }; value?: Node }[]) {
          const key = e.keyKind?.value;
          const bad = (typeof key === 'object' ? walk(key as Node, bound) : undefined) ?? walk(e.value, bound);
          if (bad) return bad;
        }
        return undefined;
      case 'comprehensionExpr': {
        const inner = new Set([...bound, v.iterVar as string, v.accuVar as string, ...(v.iterVar2 ? [v.iterVar2 as string] : [])]);
        const bad = walk(v.iterRange as Node, bound) ?? walk(v.accuInit as Node, bound);
        if (bad) return bad;
        for (const e of [v.loopCondition, v.loopStep, v.result] as Node[]) {
          const b = walk(e, inner);
          if (b) return b;
        }
        return undefined;
      }
      default:
        return undefined;
    }
  };
  return walk(root, new Set());
}

/** Whole numbers become bigint (CEL int), recursively; everything else is passed as is. */
export function toCel(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  // Absent (undefined) fields are left out, as they are in the JSON the API server sent.
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).flatMap(([k, v]) => (v === undefined ? [] : [[k, toCel(v)]])));
  return value;
}

/** A CEL value as plain JS: lists and maps unpacked, safe bigints as numbers. */
export function fromCel(value: unknown): unknown {
  if (typeof value === 'bigint') return value >= Number.MIN_SAFE_INTEGER && value <= Number.MAX_SAFE_INTEGER ? Number(value) : value;
  if (isCelList(value as CelValue)) return [...(value as Iterable<unknown>)].map(fromCel);
  if (isCelMap(value as CelValue)) return Object.fromEntries([...(value as Map<unknown, unknown>).entries()].map(([k, v]) => [String(fromCel(k)), fromCel(v)]));
  return value;
}

/** Parses and checks `expression` against `variables`; a failure names the position. */
export function compileCel(env: CelEnv, expression: string, variables: readonly string[]): CelCompiled {
  let parsed;
  try {
    parsed = parse(expression);
  } catch (err) {
    // The parser says "<input>:line:col: message".
    return { ok: false, error: (err as Error).message.replace(/^<input>:/, '') };
  }
  const bad = unknownReference(env, parsed.expr as unknown as Node, new Set(variables));
  if (bad) {
    const offset = parsed.sourceInfo?.positions[bad.id.toString()] ?? 0;
    return { ok: false, error: `${position(expression, offset)}: ${bad.kind} '${bad.name}'` };
  }
  const evaluate = plan(env, parsed);
  return {
    ok: true,
    program: {
      expression,
      run(bindings) {
        try {
          const r = evaluate(Object.fromEntries(Object.entries(bindings).map(([k, v]) => [k, toCel(v)])) as never);
          return isCelError(r) ? { error: r.message } : { value: fromCel(r) };
        } catch (err) {
          return { error: (err as Error).message };
        }
      },
    },
  };
}
