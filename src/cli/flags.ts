/**
 * Flag values shared by join, accept and unjoin: cluster names, comma lists and cluster claims.
 * Pure functions that throw UsageError (exit 2) with a message naming the flag.
 */
import { UsageError } from './errors.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const MAX_CLUSTER_NAME = 63;

export const isDns1123Label = (s: string): boolean => s.length <= 63 && DNS_LABEL.test(s);
export const isDns1123Subdomain = (s: string): boolean => s.length <= 253 && DNS_SUBDOMAIN.test(s);
const MAX_CLAIM_VALUE = 1024;

/**
 * A cluster name is the name of a namespace on the hub, so it must be a DNS-1123 label of at
 * most 63 characters (clusteradm checks the pattern but not the length; the hub then fails later).
 */
export function checkClusterName(name: string | undefined, flag: string): string {
  if (name === undefined || name === '') throw new UsageError(`${flag} is required`);
  if (name.length > MAX_CLUSTER_NAME) {
    throw new UsageError(`${flag} "${name}" is ${name.length} characters long: a cluster name names a hub namespace, so at most ${MAX_CLUSTER_NAME}`);
  }
  if (!DNS_LABEL.test(name)) {
    throw new UsageError(`${flag} "${name}" is not a DNS-1123 label: use lower-case letters, digits and '-', starting and ending with a letter or digit`);
  }
  return name;
}

/** `a,b , c` → ['a','b','c'] without empties or duplicates (first occurrence kept). */
export function parseList(text: string | undefined): string[] {
  if (!text) return [];
  return [...new Set(text.split(',').map((s) => s.trim()).filter(Boolean))];
}

/** `k=v,k2=v2` → ClusterClaims (name → value), each name a DNS-1123 subdomain, each value 1–1024 characters. */
export function parseClusterClaims(text: string | undefined, flag = '--cluster-claims'): Record<string, string> {
  const claims: Record<string, string> = {};
  if (text === undefined) return claims;
  for (const raw of text.split(',')) {
    const part = raw.trim();
    if (!part) continue;
    const i = part.indexOf('=');
    if (i <= 0) throw new UsageError(`${flag} wants name=value pairs separated by commas, got "${part}"`);
    const name = part.slice(0, i).trim();
    const value = part.slice(i + 1).trim();
    if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
      throw new UsageError(`${flag}: claim name "${name}" must be a DNS-1123 subdomain (lower-case, digits, '-' and '.')`);
    }
    if (!value) throw new UsageError(`${flag}: claim "${name}" has an empty value`);
    if (value.length > MAX_CLAIM_VALUE) throw new UsageError(`${flag}: the value of claim "${name}" is longer than ${MAX_CLAIM_VALUE} characters`);
    if (name in claims) throw new UsageError(`${flag}: claim "${name}" is given twice`);
    claims[name] = value;
  }
  return claims;
}
