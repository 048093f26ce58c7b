/**
 * `ocmadm get token`: a TokenRequest for the bootstrap ServiceAccount with the asked life, or the
 * bootstrap token Secret (reused while valid, else made with an expiration) and its binding.
 */
import type { CommandContext } from '../../../cli/context.js';
import { CliError } from '../../../cli/errors.js';
import { isNotFound } from '../../../kube/errors.js';
import { resourcePath } from '../../../kube/resources.js';
import { NS, RBAC } from '../../../api/names.js';
import { applyPermissions, requirePermissions, type Permission } from '../../../install/hub/access.js';
import { applyAll } from '../../../install/hub/apply.js';
import { connectHub } from '../../../install/hub/connect.js';
import { HUB } from '../../../install/hub/constants.js';
import { bootstrapTokenPhase } from '../../../install/hub/plan.js';
import { bootstrapServiceAccountToken, decideBootstrapToken, issuedFromDecision, newBootstrapToken, type IssuedToken } from '../../../install/hub/tokens.js';
import type { GetTokenOptions } from './options.js';
import { CLUSTER_ROLES } from '../../../kube/core.js';

export interface GetTokenResult {
  hubApiserver: string;
  token: IssuedToken;
}

export async function runGetToken(opts: GetTokenOptions, ctx: CommandContext): Promise<GetTokenResult> {
  const { client, endpoint } = await connectHub(ctx);
  if (!opts.useBootstrapToken) {
    await requirePermissions(
      client,
      [{ verb: 'create', group: '', resource: 'serviceaccounts', subresource: 'token', namespace: NS.hubBootstrap }],
      'issue a join token',
    );
    const t0 = Date.now();
    const token = await bootstrapServiceAccountToken(client, opts.ttlSeconds);
    if (token.expiresAt && Date.parse(token.expiresAt) < t0 + (opts.ttlSeconds - 60) * 1000) {
      ctx.progress.warn(`the hub shortened the token's life: it expires ${token.expiresAt}`);
    }
    return { hubApiserver: endpoint.server, token };
  }
  const perms: Permission[] = [
    { verb: 'get', group: '', resource: 'secrets', namespace: HUB.bootstrapTokenNamespace },
    { verb: 'get', group: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
    ...applyPermissions(bootstrapTokenPhase(newBootstrapToken(opts.ttlSeconds)).objects),
  ];
  await requirePermissions(client, perms, 'issue a bootstrap token');
  try {
    await client.get(resourcePath({ ...CLUSTER_ROLES, name: RBAC.bootstrapClusterRole }));
  } catch (err) {
    if (isNotFound(err)) throw new CliError(`the hub ${endpoint.server} is not initialized (no ClusterRole ${RBAC.bootstrapClusterRole}); run ocmadm init first`);
    throw err;
  }
  const decision = await decideBootstrapToken(client, opts.ttlSeconds);
  await applyAll(client, bootstrapTokenPhase(decision.create).objects, { signal: ctx.signal });
  if (decision.reuse) ctx.progress.info('reusing the existing bootstrap token; ocmadm delete token --use-bootstrap-token revokes it');
  return { hubApiserver: endpoint.server, token: issuedFromDecision(decision) };
}
