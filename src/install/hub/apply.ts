/**
 * Applying planned objects: server-side apply (field manager `ocmadm`, forced, so re-running is
 * idempotent), a dry run of everything first so the server rejects bad input before anything
 * changes, and watch-based waits for CRDs to be Established.
 */
import type { KubeClient, KubeObject } from '../../kube/client.js';
import { describeError, isNotFound } from '../../kube/errors.js';
import { waitForObject } from '../../kube/wait.js';
import { CliError } from '../../cli/errors.js';
import { FIELD_MANAGER } from '../../api/names.js';
import { describeObject, pathOf } from './kinds.js';

export interface ApplyOptions {
  dryRun?: boolean;
  signal?: AbortSignal;
}

export function applyOne<T extends KubeObject>(client: KubeClient, obj: T, opts: ApplyOptions = {}): Promise<T> {
  return client.patch<T>(pathOf(obj), obj, 'apply', { fieldManager: FIELD_MANAGER.cli, force: true, dryRun: opts.dryRun ? 'All' : undefined });
}

/** Applies objects in parallel; the first failure is reported with the object it concerns. */
export async function applyAll(client: KubeClient, objects: KubeObject[], opts: ApplyOptions = {}): Promise<void> {
  await Promise.all(
    objects.map((o) =>
      applyOne(client, o, opts).catch((err: unknown) => {
        throw new CliError(`cannot apply ${describeObject(o)}: ${describeError(err)}`);
      }),
    ),
  );
}

/**
 * Dry-runs every object on the server (admission, validation, RBAC escalation checks). Objects
 * the server cannot judge yet, because their namespace or CRD does not exist before the real
 * apply, answer 404 and are skipped. Returns how many were validated.
 */
export async function validateOnServer(client: KubeClient, objects: KubeObject[], what: string): Promise<number> {
  let validated = 0;
  const failures: string[] = [];
  await Promise.all(
    objects.map(async (o) => {
      try {
        await applyOne(client, o, { dryRun: true });
        validated++;
      } catch (err) {
        if (isNotFound(err)) return;
        failures.push(`${describeObject(o)}: ${describeError(err)}`);
      }
    }),
  );
  if (failures.length > 0) {
    const more = failures.length > 1 ? ` (and ${failures.length - 1} more)` : '';
    throw new CliError(`the hub rejected ${failures[0]}${more} in a dry run; ${what}`);
  }
  return validated;
}

interface Crd extends KubeObject {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

const CRDS = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' };

const rejectedCondition = (crd: Crd | undefined) => crd?.status?.conditions?.find((c) => c.type === 'NamesAccepted' && c.status === 'False');
const established = (crd: Crd | undefined) => !!crd?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');

/** Waits (watching each CRD) until all are Established; fails naming a CRD with NamesAccepted=False. */
export async function waitCrdsEstablished(client: KubeClient, names: string[], deadline: number, signal?: AbortSignal): Promise<void> {
  await Promise.all(
    names.map(async (name) => {
      const crd = await waitForObject<Crd>(client, { ...CRDS, name }, (c) => established(c) || !!rejectedCondition(c), {
        deadline,
        signal,
        what: `CRD ${name} to be Established`,
      });
      const rejected = rejectedCondition(crd);
      if (rejected && !established(crd)) throw new CliError(`CRD ${name} was not accepted: ${rejected.message ?? rejected.reason}`);
    }),
  );
}
