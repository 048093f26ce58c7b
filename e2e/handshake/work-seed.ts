/**
 * Work on a spoke for the unjoin suite, made the real way: a ManifestWork on the hub that the
 * spoke's work agent applies, with three ConfigMaps: one the work alone owns, one its delete
 * option orphans (no owner reference), and one shared with another owner (added on the spoke).
 */
import type { KubeClient, KubeObject } from '../../src/kube/client.js';
import { resourcePath } from '../../src/kube/resources.js';
import { waitForObject } from '../../src/kube/wait.js';
import { APPLIED_MANIFEST_WORKS, MANIFEST_WORKS, TYPE } from '../../src/api/index.js';
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

const configMap = (name: string, from: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: APP_NS }, data: { from } });

export async function seedAppliedWork(spoke: KubeClient, hub: KubeClient, cluster: string, hubServer: string, workName: string, extraFinalizers: string[] = []): Promise<Seeded> {
  await ensureNamespace(spoke);
  await hub.create(resourcePath({ ...MANIFEST_WORKS, namespace: cluster }), {
    ...TYPE.manifestWork,
    metadata: { name: workName, namespace: cluster },
    spec: {
      workload: { manifests: ['owned', 'orphaned', 'shared'].map((n) => configMap(`${workName}-${n}`, workName)) },
      deleteOption: { propagationPolicy: 'SelectivelyOrphan', selectivelyOrphans: { orphaningRules: [{ group: '', resource: 'configmaps', namespace: APP_NS, name: `${workName}-orphaned` }] } },
    },
  });
  const name = `${hubHash(hubServer)}-${workName}`;
  const amw = await waitForObject<KubeObject>(
    spoke,
    { ...APPLIED_MANIFEST_WORKS, name },
    (o) => ((o?.status as { appliedResources?: unknown[] } | undefined)?.appliedResources?.length ?? 0) === 3,
    { deadline: Date.now() + 60_000, what: `AppliedManifestWork ${name} with 3 resources` },
  );
  const uid = amw!.metadata!.uid!;
  // Another owner for the shared one; the work agent keeps owner references that are not its own.
  const keeper = await spoke.create<KubeObject>(resourcePath(CONFIGMAPS), configMap(`${workName}-keeper`, workName));
  const shared = await spoke.get<KubeObject>(resourcePath(cmRef(`${workName}-shared`)));
  const other = { apiVersion: 'v1', kind: 'ConfigMap', name: keeper.metadata!.name, uid: keeper.metadata!.uid };
  await spoke.patch(resourcePath(cmRef(`${workName}-shared`)), { metadata: { ownerReferences: [...(shared.metadata?.ownerReferences ?? []), other] } }, 'merge');
  if (extraFinalizers.length) {
    await spoke.patch(resourcePath({ ...APPLIED_MANIFEST_WORKS, name }), { metadata: { finalizers: [...(amw!.metadata?.finalizers ?? []), ...extraFinalizers] } }, 'merge');
  }
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
