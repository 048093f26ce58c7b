/**
 * Comparing runtime versions and refusing a downgrade: the cluster's runtime (its ConfigMap's
 * annotation) against the bundle this CLI carries. A small semver precedence compare (the
 * `semver` package is not a dependency); a version that does not parse is never "newer".
 */
import type { KubeClient, KubeObject } from '../kube/client.js';
import { isNotFound } from '../kube/errors.js';
import { resourcePath } from '../kube/resources.js';
import { CliError } from '../cli/errors.js';
import { configMapName, installedBundle, type BundleKind, type RuntimeBundle } from './index.js';
import { CONFIG_MAPS } from '../kube/core.js';

const SEMVER = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** Semver precedence: <0, 0, >0; undefined when either is not a semantic version. Build metadata is ignored. */
export function compareVersions(a: string, b: string): number | undefined {
  const x = SEMVER.exec(a);
  const y = SEMVER.exec(b);
  if (!x || !y) return undefined;
  for (let i = 1; i <= 3; i++) {
    const d = Number(x[i]) - Number(y[i]);
    if (d !== 0) return Math.sign(d);
  }
  return comparePre(x[4], y[4]);
}

/** A version without a pre-release ranks above one with it; identifiers compare field by field. */
function comparePre(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    if (pa[i] === undefined) return -1;
    if (pb[i] === undefined) return 1;
    const na = /^\d+$/.test(pa[i]!);
    const nb = /^\d+$/.test(pb[i]!);
    if (na && nb) {
      const d = Number(pa[i]) - Number(pb[i]);
      if (d !== 0) return Math.sign(d);
    } else if (na !== nb) return na ? -1 : 1;
    else if (pa[i] !== pb[i]) return pa[i]! < pb[i]! ? -1 : 1;
  }
  return 0;
}

export interface InstalledRuntime {
  version?: string;
  sha256?: string;
}

/** The runtime installed in `namespace` (its bundle ConfigMap's annotations); undefined when none. */
export async function readInstalledRuntime(client: KubeClient, kind: BundleKind, namespace: string): Promise<InstalledRuntime | undefined> {
  try {
    return installedBundle(await client.get<KubeObject>(resourcePath({ ...CONFIG_MAPS, namespace, name: configMapName(kind) })));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** True when the installed runtime is newer than the bundle (semver). Pure. */
export const isDowngrade = (installed: InstalledRuntime | undefined, bundle: Pick<RuntimeBundle, 'version'>): boolean =>
  !!installed?.version && (compareVersions(installed.version, bundle.version) ?? 0) > 0;

/**
 * Refuses (one line, nothing written yet) to replace a newer runtime with this CLI's older one,
 * unless `force`. `where`: "the hub https://…", "the spoke https://…".
 */
export function refuseDowngrade(installed: InstalledRuntime | undefined, bundle: RuntimeBundle, force: boolean, where: string): void {
  if (force || !isDowngrade(installed, bundle)) return;
  throw new CliError(
    `${where} runs the ${bundle.kind} runtime ${installed!.version}, newer than the ${bundle.version} this ocmadm carries: use ocmadm ${installed!.version} or newer, or pass --force to downgrade; nothing was changed`,
  );
}
