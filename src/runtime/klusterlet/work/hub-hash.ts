/**
 * The hub hash: lowercase hex sha256 of the hub kubeconfig's `server` exactly as written (OCM's
 * helper.HubHash). It prefixes AppliedManifestWork names, so records of works from another hub
 * (another URL) are never mistaken for this hub's.
 */
import { createHash } from 'node:crypto';

export const hubHash = (server: string): string => createHash('sha256').update(server).digest('hex');

export const appliedWorkName = (hash: string, workName: string): string => `${hash}-${workName}`;
