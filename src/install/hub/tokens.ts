/**
 * Join tokens: TokenRequest for the bootstrap ServiceAccount, the `bootstrap-token-ocmhub`
 * Secret (read, reused while valid, made with an expiration), revocation, and the join command.
 */
import { randomInt } from 'node:crypto';
import type { KubeClient, KubeObject } from '../../kube/client.js';
import { isNotFound } from '../../kube/errors.js';
import { resourcePath } from '../../kube/resources.js';
import { SECRETS, SERVICE_ACCOUNTS } from '../../kube/core.js';
import { CliError } from '../../cli/errors.js';
import { NS, RBAC, SA, SECRET } from '../../api/names.js';
import { HUB, TTL } from './constants.js';
import type { BootstrapTokenValues } from './plan.js';

export type TokenKind = 'serviceaccount' | 'bootstrap-token';

export interface IssuedToken {
  kind: TokenKind;
  token: string;
  /** RFC 3339; undefined for a bootstrap token without expiration (made by another tool). */
  expiresAt?: string;
  /** A bootstrap token that already existed and was handed out again. */
  reused?: boolean;
}

interface TokenRequestResult {
  status?: { token?: string; expirationTimestamp?: string };
}

/** A new token for a ServiceAccount, valid `seconds` (the server may shorten it: the result says). */
export async function requestServiceAccountToken(client: KubeClient, namespace: string, name: string, seconds: number): Promise<IssuedToken> {
  const path = resourcePath({ ...SERVICE_ACCOUNTS, namespace, name, subresource: 'token' });
  let res: TokenRequestResult;
  try {
    res = await client.create<TokenRequestResult>(path, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: seconds },
    });
  } catch (err) {
    if (isNotFound(err)) throw new CliError(`ServiceAccount ${namespace}/${name} does not exist on the hub; run ocmadm init first`);
    throw err;
  }
  if (!res.status?.token) throw new CliError(`the hub returned no token for ServiceAccount ${namespace}/${name}`);
  return { kind: 'serviceaccount', token: res.status.token, expiresAt: res.status.expirationTimestamp };
}

export const bootstrapServiceAccountToken = (client: KubeClient, seconds: number) =>
  requestServiceAccountToken(client, NS.hubBootstrap, SA.bootstrap, seconds);

export const BOOTSTRAP_SECRET_PATH = resourcePath({
  ...SECRETS,
  namespace: HUB.bootstrapTokenNamespace,
  name: SECRET.bootstrapToken,
});

export const BOOTSTRAP_BINDING_PATH = resourcePath({
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  resource: 'clusterrolebindings',
  name: RBAC.bootstrapTokenBinding,
});

const decode = (v: unknown) => (typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : undefined);

/** The existing bootstrap token Secret as a token, or undefined. */
export async function readBootstrapToken(client: KubeClient): Promise<IssuedToken | undefined> {
  let secret: KubeObject;
  try {
    secret = await client.get(BOOTSTRAP_SECRET_PATH);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  if (secret.metadata?.deletionTimestamp) return undefined;
  const data = (secret.data ?? {}) as Record<string, string>;
  const id = decode(data['token-id']);
  const sec = decode(data['token-secret']);
  if (!id || !sec) return undefined;
  return { kind: 'bootstrap-token', token: `${id}.${sec}`, expiresAt: decode(data.expiration), reused: true };
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A fresh bootstrap token (id `ocmhub`, 16 random characters of [a-z0-9]) expiring in `ttlSeconds`. */
export function newBootstrapToken(ttlSeconds: number, now = Date.now()): BootstrapTokenValues {
  let secret = '';
  for (let i = 0; i < 16; i++) secret += ALPHABET[randomInt(ALPHABET.length)];
  return { id: SECRET.bootstrapTokenId, secret, expiration: rfc3339(new Date(now + ttlSeconds * 1000)) };
}

/** RFC 3339 in UTC without fractional seconds (what the bootstrap token authenticator parses). */
export const rfc3339 = (d: Date): string => `${d.toISOString().slice(0, 19)}Z`;

/** Whether an existing token may be handed out again: it has not expired and will not within the margin. */
export function stillUsable(token: IssuedToken, now = Date.now()): boolean {
  if (!token.expiresAt) return true;
  const t = Date.parse(token.expiresAt);
  return Number.isFinite(t) && t - now > TTL.reuseMarginSeconds * 1000;
}

export type BootstrapTokenDecision = { reuse: IssuedToken; create?: undefined } | { reuse?: undefined; create: BootstrapTokenValues };

/** Reuse a valid existing bootstrap token (never rotate it behind the user's back), else make one. */
export async function decideBootstrapToken(client: KubeClient, ttlSeconds: number, now = Date.now()): Promise<BootstrapTokenDecision> {
  const existing = await readBootstrapToken(client);
  if (existing && stillUsable(existing, now)) return { reuse: existing };
  return { create: newBootstrapToken(ttlSeconds, now) };
}

export function issuedFromDecision(d: BootstrapTokenDecision): IssuedToken {
  if (d.reuse) return d.reuse;
  return { kind: 'bootstrap-token', token: `${d.create.id}.${d.create.secret}`, expiresAt: d.create.expiration, reused: false };
}

/** The join command, with clusteradm's field order (its tooling splits the line on spaces). */
export function joinCommand(token: string, server: string, cluster = '<cluster_name>'): string {
  return `ocmadm join --hub-token ${token} --hub-apiserver ${server} --cluster-name ${cluster}`;
}

/** The --output-join-command-file script: the join command for the cluster named by $1. */
export function joinScript(token: string, server: string): string {
  return [
    '#!/bin/sh',
    '# Registers this cluster with the hub: ./<this file> <cluster-name>',
    'if [ -z "$1" ]; then echo "usage: $0 <cluster-name>" >&2; exit 2; fi',
    `exec ${joinCommand(token, server, '"$1"')}`,
    '',
  ].join('\n');
}
