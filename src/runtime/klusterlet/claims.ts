/**
 * ManagedCluster `status.clusterClaims` from the spoke's ClusterClaim objects (ocm-protocol.md §1
 * "Status the agent reports", step 4): claims labelled `open-cluster-management.io/spoke-only` stay
 * on the spoke; reserved names (and names ending in a configured reserved suffix) come first,
 * sorted; then at most `maxCustom` other claims, sorted. Pure.
 */
import { CLAIM, LABEL } from '../../api/names.js';
import type { ClusterClaim } from '../../api/index.js';

export interface ClaimValue {
  name: string;
  value: string;
}

export interface ClaimOptions {
  /** Claims whose name ends with one of these are treated as reserved. */
  reservedSuffixes?: readonly string[];
  /** At most this many custom claims are reported (default 20). */
  maxCustom?: number;
}

export function isReservedClaim(name: string, reservedSuffixes: readonly string[] = []): boolean {
  return (CLAIM.reserved as readonly string[]).includes(name) || reservedSuffixes.some((s) => s !== '' && name.endsWith(s));
}

const byName = (a: ClaimValue, b: ClaimValue) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The claims to report, and how many custom claims were left out. */
export function clusterClaimsForStatus(claims: readonly ClusterClaim[], opts: ClaimOptions = {}): { claims: ClaimValue[]; truncated: number } {
  const reserved: ClaimValue[] = [];
  const custom: ClaimValue[] = [];
  for (const c of claims) {
    const name = c.metadata?.name;
    if (!name || (c.metadata?.labels && LABEL.spokeOnly in c.metadata.labels)) continue;
    const v = { name, value: c.spec?.value ?? '' };
    (isReservedClaim(name, opts.reservedSuffixes) ? reserved : custom).push(v);
  }
  reserved.sort(byName);
  custom.sort(byName);
  const max = opts.maxCustom ?? CLAIM.maxCustom;
  const truncated = Math.max(0, custom.length - max);
  return { claims: [...reserved, ...custom.slice(0, max)], truncated };
}
