/**
 * `ocmadm delete token`: revokes join tokens. ServiceAccount tokens are bound to the account's
 * UID, so deleting and re-creating `agent-registration-bootstrap` invalidates every token issued
 * for it. A bootstrap token is revoked by deleting its Secret, and the binding of its group too
 * (which clusteradm leaves behind).
 */
import type { CommandContext } from '../../../cli/context.js';
import { CliError } from '../../../cli/errors.js';
import type { KubeClient, KubeObject } from '../../../kube/client.js';
import { isNotFound } from '../../../kube/errors.js';
import { deleteIfPresent, resourcePath } from '../../../kube/resources.js';
import { waitForObject } from '../../../cli/wait.js';
import { NS, RBAC, SA, SECRET } from '../../../api/names.js';
import { requirePermissions, type Permission } from '../../../install/hub/access.js';
import { applyOne } from '../../../install/hub/apply.js';
import { connectHub } from '../../../install/hub/connect.js';
import { HUB } from '../../../install/hub/constants.js';
import { objectRef, type ObjectRef } from '../../../install/hub/kinds.js';
import { planHub } from '../../../install/hub/plan.js';
import { BOOTSTRAP_BINDING_PATH, BOOTSTRAP_SECRET_PATH } from '../../../install/hub/tokens.js';
import type { DeleteTokenOptions } from './options.js';
import { SERVICE_ACCOUNTS } from '../../../kube/core.js';

export interface DeleteTokenResult {
  hubApiserver: string;
  kind: 'serviceaccount' | 'bootstrap-token';
  /** --dry-run: `removed` (and `recreated`) say what would happen; the hub dry-ran the deletes. */
  dryRun?: boolean;
  removed: ObjectRef[];
  /** ServiceAccount mode: the account made again with a new UID. */
  recreated?: ObjectRef & { uid?: string };
}

const SA_REF = { ...SERVICE_ACCOUNTS, namespace: NS.hubBootstrap, name: SA.bootstrap };

/** true when there was something to delete. */

async function revokeBootstrapToken(client: KubeClient, dryRun: boolean): Promise<ObjectRef[]> {
  const removed: ObjectRef[] = [];
  // DELETE may answer with a Status instead of the object: name them from what was asked.
  if (await deleteIfPresent(client, BOOTSTRAP_SECRET_PATH, { dryRun })) removed.push({ kind: 'Secret', name: SECRET.bootstrapToken, namespace: HUB.bootstrapTokenNamespace });
  if (await deleteIfPresent(client, BOOTSTRAP_BINDING_PATH, { dryRun })) removed.push({ kind: 'ClusterRoleBinding', name: RBAC.bootstrapTokenBinding });
  return removed;
}

async function rotateServiceAccount(client: KubeClient, deadline: number, signal: AbortSignal, dryRun: boolean): Promise<DeleteTokenResult['recreated'] & { old: ObjectRef }> {
  const path = resourcePath(SA_REF);
  let old: KubeObject;
  try {
    old = await client.get(path);
  } catch (err) {
    if (isNotFound(err)) throw new CliError(`ServiceAccount ${NS.hubBootstrap}/${SA.bootstrap} does not exist: the hub is not initialized (run ocmadm init)`);
    throw err;
  }
  // DeleteOptions in a body win over query parameters: the dry run must be in the body.
  await client.delete(path, { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: old.metadata?.uid }, ...(dryRun ? { dryRun: ['All'] } : {}) });
  if (dryRun) return { ...objectRef(old), uid: undefined, old: objectRef(old) };
  await waitForObject(client, SA_REF, (o) => !o || o.metadata?.uid !== old.metadata?.uid, {
    deadline,
    signal,
    what: `ServiceAccount ${NS.hubBootstrap}/${SA.bootstrap} to be deleted`,
  });
  const want = planHub({ runtime: 'local', image: '', crds: [] })
    .flatMap((p) => p.objects)
    .find((o) => o.kind === 'ServiceAccount' && o.metadata?.name === SA.bootstrap)!;
  const made = await applyOne(client, want);
  return { ...objectRef(made), uid: made.metadata?.uid, old: objectRef(old) };
}

export async function runDeleteToken(opts: DeleteTokenOptions, ctx: CommandContext): Promise<DeleteTokenResult> {
  const { client, endpoint } = await connectHub(ctx);
  if (opts.useBootstrapToken) {
    const perms: Permission[] = [
      { verb: 'delete', group: '', resource: 'secrets', namespace: HUB.bootstrapTokenNamespace },
      { verb: 'delete', group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' },
    ];
    await requirePermissions(client, perms, 'revoke the bootstrap token');
    return { hubApiserver: endpoint.server, kind: 'bootstrap-token', dryRun: opts.dryRun || undefined, removed: await revokeBootstrapToken(client, opts.dryRun) };
  }
  const perms: Permission[] = ['get', 'delete', 'create', 'patch', 'list', 'watch'].map((verb) => ({ verb, group: '', resource: 'serviceaccounts', namespace: NS.hubBootstrap }));
  await requirePermissions(client, perms, 'revoke ServiceAccount join tokens');
  const r = await rotateServiceAccount(client, ctx.deadline(), ctx.signal, opts.dryRun);
  const { old, ...recreated } = r;
  return { hubApiserver: endpoint.server, kind: 'serviceaccount', dryRun: opts.dryRun || undefined, removed: [old], recreated };
}
