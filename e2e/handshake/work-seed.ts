/**
 * What a work agent leaves on a spoke, made by hand for the unjoin suite (the work agent is not
 * part of this branch): an AppliedManifestWork of the hub (hubHash of its URL, OCM's cleanup
 * finalizer) whose status lists three ConfigMaps: one it alone owns, one the ManifestWork's
 * delete option orphaned (no owner reference), and one it shares with another owner.
 */
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { APPLIED_MANIFEST_WORKS, TYPE } from '../../src/api/index.js';
import { FINALIZER } from '../../src/api/names.js';
import { hubHash } from '../../src/commands/unjoin/applied-works.js';

export const APP_NS = 'app';
const CONFIGMAPS = { group: '', version: 'v1', resource: 'configmaps', namespace: APP_NS };
export const cmRef = (name: string) => ({ ...CONFIGMAPS, name });

export interface Seeded {
  work: string;
  workUid: string;
}

async function ensureNamespace(spoke: KubeClient): Promise<void> {
  await spoke.patch(`/api/v1/namespaces/${APP_NS}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: APP_NS } }, 'apply', { fieldManager: 'e2e', force: true });
}

export async function seedAppliedWork(spoke: KubeClient, hubServer: string, workName: string, extraFinalizers: string[] = []): Promise<Seeded> {
  await ensureNamespace(spoke);
  const hash = hubHash(hubServer);
  const name = `${hash}-${workName}`;
  const amw = await spoke.create<KubeObject>(resourcePath(APPLIED_MANIFEST_WORKS), {
    ...TYPE.appliedManifestWork,
    metadata: { name, finalizers: [FINALIZER.appliedManifestWorkCleanup, ...extraFinalizers] },
    spec: { hubHash: hash, agentID: hash, manifestWorkName: workName },
  });
  const uid = amw.metadata!.uid!;
  const owner = { apiVersion: TYPE.appliedManifestWork.apiVersion, kind: 'AppliedManifestWork', name, uid };
  const cm = (n: string, owners: unknown[]) =>
    spoke.create<KubeObject>(resourcePath(CONFIGMAPS), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n, namespace: APP_NS, ownerReferences: owners }, data: { from: workName } });
  const keeper = await cm(`${workName}-keeper`, []);
  const other = { apiVersion: 'v1', kind: 'ConfigMap', name: keeper.metadata!.name, uid: keeper.metadata!.uid };
  const made = [await cm(`${workName}-owned`, [owner]), await cm(`${workName}-orphaned`, []), await cm(`${workName}-shared`, [owner, other])];
  const appliedResources = made.map((o) => ({ group: '', version: 'v1', resource: 'configmaps', namespace: APP_NS, name: o.metadata!.name, uid: o.metadata!.uid }));
  await spoke.patch(`${resourcePath({ ...APPLIED_MANIFEST_WORKS, name })}/status`, { status: { appliedResources } }, 'merge');
  return { work: name, workUid: uid };
}

/** ConfigMap name → the uids of its owners, or undefined when it is gone. */
export async function configMaps(spoke: KubeClient, workName: string): Promise<Record<string, string[] | undefined>> {
  const out: Record<string, string[] | undefined> = {};
  for (const n of ['owned', 'orphaned', 'shared']) {
    const o = await spoke.get<KubeObject>(resourcePath(cmRef(`${workName}-${n}`))).catch(() => undefined);
    out[n] = o ? (o.metadata?.ownerReferences ?? []).map((r) => r.uid) : undefined;
  }
  return out;
}
