/**
 * `ocmadm create placement` flags → a validated Placement spec. Pure: every malformed value is
 * one UsageError (exit 2) naming its flag, before the hub is contacted.
 */
import { UsageError } from '../../../cli/errors.js';
import { isDns1123Label, isDns1123Subdomain, parseList } from '../../../cli/flags.js';
import { PRIORITIZER } from '../../../api/names.js';
import { parseOutputFormat, type OutputFormat } from '../../../ui/output.js';

export interface PlacementFlags {
  namespace?: string;
  clustersets?: string;
  labelSelectors?: string;
  labelSelector?: string;
  claimSelectors?: string;
  claimSelector?: string;
  celSelector?: string[];
  prioritizers?: string;
  count?: string;
  numClusters?: string;
  overwrite?: boolean;
  dryRun?: boolean;
  output?: string;
}

interface Requirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface PlacementSpecWanted {
  clusterSets?: string[];
  numberOfClusters?: number;
  predicates?: {
    requiredClusterSelector: {
      labelSelector?: { matchLabels?: Record<string, string>; matchExpressions?: Requirement[] };
      claimSelector?: { matchExpressions: Requirement[] };
      celSelector?: { celExpressions: string[] };
    };
  }[];
  prioritizerPolicy?: { mode: 'Additive'; configurations: { scoreCoordinate: { type: 'BuiltIn' | 'AddOn'; builtIn?: string; addOn?: { resourceName: string; scoreName: string } }; weight: number }[] };
}

export interface PlacementOptions {
  name: string;
  namespace: string;
  spec: PlacementSpecWanted;
  overwrite: boolean;
  dryRun: boolean;
  output: OutputFormat;
}

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const BUILT_INS: string[] = Object.values(PRIORITIZER);

/** `k=v,k!=v,k,!k` (kubectl's equality syntax) → requirements, each key and value checked. */
export function parseRequirements(text: string, flag: string): Requirement[] {
  const parts = text.split(',').map((p) => p.trim()).filter(Boolean);
  if (!parts.length) throw new UsageError(`${flag} needs at least one requirement, e.g. env=prod`);
  return parts.map((part) => {
    const m = /^(!?)([^=!]+?)\s*(?:(!=|==|=)\s*(.*))?$/.exec(part);
    if (!m || (m[1] && m[3])) throw new UsageError(`${flag}: "${part}" is not key=value, key!=value, key or !key`);
    const [, not, key, op, value] = m as unknown as [string, string, string, string | undefined, string | undefined];
    if (!KEY.test(key)) throw new UsageError(`${flag}: "${key}" is not a valid label key (optional DNS prefix/, then up to 63 of letters, digits, '-', '_', '.')`);
    if (!op) return { key, operator: not ? 'DoesNotExist' : 'Exists' };
    if (!VALUE.test(value!)) throw new UsageError(`${flag}: "${value}" is not a valid label value (up to 63 of letters, digits, '-', '_', '.')`);
    return { key, operator: op === '!=' ? 'NotIn' : 'In', values: [value!] };
  });
}

function labelSelector(reqs: Requirement[]) {
  const matchLabels: Record<string, string> = {};
  const matchExpressions: Requirement[] = [];
  for (const r of reqs) {
    if (r.operator === 'In' && !(r.key in matchLabels)) matchLabels[r.key] = r.values![0]!;
    else matchExpressions.push(r);
  }
  return { ...(Object.keys(matchLabels).length ? { matchLabels } : {}), ...(matchExpressions.length ? { matchExpressions } : {}) };
}

/** `Steady:3`, `BuiltIn:Steady:3` or `AddOn:RESOURCE:SCORE:2` (clusteradm's forms) → a prioritizer configuration. */
export function parsePrioritizer(text: string): NonNullable<PlacementSpecWanted['prioritizerPolicy']>['configurations'][number] {
  const parts = text.split(':');
  const weightOf = (w: string) => {
    const n = Number(w);
    if (!/^-?\d+$/.test(w) || n < -10 || n > 10) throw new UsageError(`--prioritizers "${text}": the weight must be a whole number from -10 to 10`);
    return n;
  };
  if (parts[0] === 'AddOn') {
    if (parts.length !== 4 || !parts[1] || !parts[2]) throw new UsageError(`--prioritizers "${text}" is not AddOn:RESOURCE:SCORE:WEIGHT`);
    return { scoreCoordinate: { type: 'AddOn', addOn: { resourceName: parts[1], scoreName: parts[2] } }, weight: weightOf(parts[3]!) };
  }
  const [name, weight] = parts[0] === 'BuiltIn' ? parts.slice(1) : parts;
  if ((parts[0] === 'BuiltIn' ? parts.length !== 3 : parts.length !== 2) || !name || weight === undefined) {
    throw new UsageError(`--prioritizers "${text}" is not NAME:WEIGHT, BuiltIn:NAME:WEIGHT or AddOn:RESOURCE:SCORE:WEIGHT`);
  }
  if (!BUILT_INS.includes(name)) throw new UsageError(`--prioritizers: unknown built-in prioritizer "${name}": use one of ${BUILT_INS.join(', ')}`);
  return { scoreCoordinate: { type: 'BuiltIn', builtIn: name }, weight: weightOf(weight) };
}

function count(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) > 2 ** 31 - 1) throw new UsageError(`--count "${text}" is not a whole number of clusters (0 or more)`);
  return Number(text);
}

export function placementOptions(name: string, f: PlacementFlags): PlacementOptions {
  if (!isDns1123Subdomain(name)) throw new UsageError(`placement name "${name}" must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.')`);
  const namespace = f.namespace ?? 'default';
  if (!isDns1123Label(namespace)) throw new UsageError(`--namespace "${namespace}" is not a valid namespace name`);
  const spec: PlacementSpecWanted = {};
  const sets = parseList(f.clustersets);
  if (f.clustersets !== undefined && !sets.length) throw new UsageError('--clustersets names no cluster set');
  for (const s of sets) if (!isDns1123Subdomain(s)) throw new UsageError(`--clustersets: "${s}" is not a valid cluster set name`);
  if (sets.length) spec.clusterSets = sets;
  if (f.count !== undefined && f.numClusters !== undefined) throw new UsageError('--count and --num-clusters are the same flag: give one');
  const n = count(f.count ?? f.numClusters);
  if (n !== undefined) spec.numberOfClusters = n;
  const labels = f.labelSelectors ?? f.labelSelector;
  const claims = f.claimSelectors ?? f.claimSelector;
  // Each --cel-selector is one expression (they may hold commas); they are compiled in run, before any write.
  const cel = (f.celSelector ?? []).map((e) => e.trim());
  if (cel.some((e) => !e)) throw new UsageError('--cel-selector needs a CEL expression, e.g. --cel-selector \'managedCluster.metadata.labels["env"] == "prod"\'');
  if (labels !== undefined || claims !== undefined || cel.length) {
    const sel: NonNullable<PlacementSpecWanted['predicates']>[number]['requiredClusterSelector'] = {};
    if (labels !== undefined) sel.labelSelector = labelSelector(parseRequirements(labels, '--label-selectors'));
    if (claims !== undefined) sel.claimSelector = { matchExpressions: parseRequirements(claims, '--claim-selectors') };
    if (cel.length) sel.celSelector = { celExpressions: cel };
    spec.predicates = [{ requiredClusterSelector: sel }];
  }
  if (f.prioritizers !== undefined) {
    const list = f.prioritizers.split(',').map((p) => p.trim()).filter(Boolean);
    if (!list.length) throw new UsageError('--prioritizers names no prioritizer');
    spec.prioritizerPolicy = { mode: 'Additive', configurations: list.map(parsePrioritizer) };
  }
  return { name, namespace, spec, overwrite: !!f.overwrite, dryRun: !!f.dryRun, output: parseOutputFormat(f.output) };
}
