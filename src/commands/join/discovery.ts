/**
 * Where join gets the hub's CA, and the proof that it is the right one.
 *
 * Order: --ca-file; else the hub's kube-public/cluster-info; else kube-public/kube-root-ca.crt;
 * else stop and ask for --ca-file. Never silently insecure:
 *
 * - The discovery fetches are the only unverified TLS connections, and they are ANONYMOUS: the
 *   token is never sent before a CA is pinned, so an impostor on that connection learns nothing.
 * - The discovered CA is then trusted only after (1) a TLS handshake to the same URL verifies the
 *   hub's serving certificate with that CA alone, and (2) the token authenticates over that
 *   verified connection. This catches stale or wrong cluster-info, another server at that URL, and
 *   TLS-intercepting proxies.
 * - What remains is trust on first use against an active attacker on the very first connection
 *   who also relays to the real hub (kubeadm's discovery without a CA pin has the same limit).
 *   For a bootstrap token (`<id>.<secret>`) cluster-info carries a JWS signature made with the
 *   token's secret (`jws-kubeconfig-<id>`): when present it is verified, which closes that gap.
 *   Otherwise the CA's SHA-256 fingerprint is printed so it can be compared with the hub's, and
 *   --ca-file avoids discovery entirely. That is why this is acceptable, and honest about it.
 */
import fs from 'node:fs';
import { X509Certificate, createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { KubeConfig, clusterCaPem, pemData, singleContextConfig } from '../../kube/kubeconfig.js';
import { KubeClient } from '../../kube/client.js';
import { CliError } from '../../cli/errors.js';
import { isNotFound, isTlsError, isUnreachable, KubeApiError } from '../../kube/errors.js';
import { resourcePath } from '../../kube/resources.js';
import { CONFIG_MAPS, type ConfigMap } from '../../kube/core.js';

export interface HubCa {
  caPem: string;
  /** Where it came from, for messages: `--ca-file x.pem`, `kube-public/cluster-info`, ... */
  source: string;
  /** SHA-256 fingerprint of the first (root) certificate, `sha256:ab12…`. */
  fingerprint: string;
  /** Discovered over an unverified connection and not signed with the token (trust on first use). */
  firstUse: boolean;
  /** cluster-info's signature made with the bootstrap token was checked. */
  signatureVerified: boolean;
}

const BOOTSTRAP_TOKEN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;

/** Splits a PEM bundle into certificates; throws when there is none or one does not parse. */
export function parseCaBundle(pem: string, what: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new CliError(`${what} holds no PEM certificate`);
  try {
    return blocks.map((b) => new X509Certificate(b));
  } catch (err) {
    throw new CliError(`${what} holds a certificate that does not parse: ${(err as Error).message}`);
  }
}

export function fingerprint(pem: string): string {
  const cert = parseCaBundle(pem, 'the CA')[0]!;
  return `sha256:${createHash('sha256').update(cert.raw).digest('hex')}`;
}

/** A client for `server` with no credentials; `caPem` undefined means no verification (discovery only). */
async function anonymousClient(server: string, caPem?: string): Promise<KubeClient> {
  const trust = caPem ? { caData: pemData(caPem) } : { skipTLSVerify: true };
  const kc = singleContextConfig({ cluster: { name: 'hub', server, ...trust }, user: { name: 'anonymous' }, context: { name: 'hub' } });
  return KubeClient.create(kc, 'ocmadm-join');
}

const unreachable = (server: string, err: KubeApiError) => new CliError(`cannot reach the hub at ${server}: ${err.causeCode ?? err.message}; check --hub-apiserver and that the hub is up`);

/** The JWS (HS256, detached payload) of cluster-info made with the bootstrap token's secret. */
export function verifyClusterInfoSignature(kubeconfig: string, jws: string, tokenSecret: string): boolean {
  const [header, , signature] = jws.split('.');
  if (!header || signature === undefined) return false;
  const input = `${header}.${Buffer.from(kubeconfig).toString('base64url')}`;
  const want = createHmac('sha256', tokenSecret).update(input).digest();
  const got = Buffer.from(signature, 'base64url');
  return got.length === want.length && timingSafeEqual(got, want);
}

type Found = { caPem: string; source: string; signatureVerified: boolean } | { missing: string };

async function fromClusterInfo(client: KubeClient, token: string): Promise<Found> {
  let cm: ConfigMap;
  try {
    cm = await client.get(resourcePath({ ...CONFIG_MAPS, namespace: 'kube-public', name: 'cluster-info' }));
  } catch (err) {
    if (isUnreachable(err)) throw err;
    if (isNotFound(err)) return { missing: 'kube-public/cluster-info does not exist' };
    if (err instanceof KubeApiError && (err.status === 401 || err.status === 403)) return { missing: 'kube-public/cluster-info is not readable anonymously' };
    throw err;
  }
  const text = cm.data?.kubeconfig;
  if (!text) return { missing: 'kube-public/cluster-info has no kubeconfig' };
  let caPem: string | undefined;
  try {
    const first = KubeConfig.fromText(text, 'kube-public/cluster-info').clusters[0];
    caPem = first?.caData ? clusterCaPem(first) : undefined;
  } catch (err) {
    return { missing: (err as Error).message };
  }
  if (!caPem) return { missing: 'kube-public/cluster-info names no CA' };
  const m = BOOTSTRAP_TOKEN.exec(token);
  const jws = m ? cm.data?.[`jws-kubeconfig-${m[1]}`] : undefined;
  if (m && jws && !verifyClusterInfoSignature(text, jws, m[2]!)) {
    throw new CliError(
      `the hub's kube-public/cluster-info is not signed with this token: the token is wrong, or something between here and the hub altered it; check the token (\`ocmadm get token\` on the hub) or pass --ca-file`,
    );
  }
  return { caPem, source: 'kube-public/cluster-info', signatureVerified: !!jws };
}

async function fromRootCaConfigMap(client: KubeClient): Promise<Found> {
  try {
    const cm = await client.get<ConfigMap>(resourcePath({ ...CONFIG_MAPS, namespace: 'kube-public', name: 'kube-root-ca.crt' }));
    const ca = cm.data?.['ca.crt'];
    return ca ? { caPem: ca, source: 'kube-public/kube-root-ca.crt', signatureVerified: false } : { missing: 'kube-root-ca.crt has no ca.crt' };
  } catch (err) {
    if (isUnreachable(err)) throw err;
    if (err instanceof KubeApiError && err.status > 0) return { missing: 'kube-public/kube-root-ca.crt is not readable anonymously' };
    throw err;
  }
}

/** Finds the CA (see the file comment); does not yet prove it, verifyHubCa does. */
export async function discoverHubCa(server: string, token: string, caFile?: string): Promise<HubCa> {
  if (caFile) {
    let pem: string;
    try {
      pem = fs.readFileSync(caFile, 'utf8');
    } catch (err) {
      throw new CliError(`cannot read --ca-file ${caFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; pass the file of the hub's CA certificate, or leave --ca-file out to use the hub's kube-public/cluster-info`);
    }
    parseCaBundle(pem, `--ca-file ${caFile}`);
    return { caPem: pem, source: `--ca-file ${caFile}`, fingerprint: fingerprint(pem), firstUse: false, signatureVerified: false };
  }
  const client = await anonymousClient(server);
  try {
    const misses: string[] = [];
    for (const find of [() => fromClusterInfo(client, token), () => fromRootCaConfigMap(client)]) {
      let found: Found;
      try {
        found = await find();
      } catch (err) {
        if (err instanceof KubeApiError && err.status === 0) throw unreachable(server, err);
        throw err;
      }
      if ('missing' in found) {
        misses.push(found.missing);
        continue;
      }
      parseCaBundle(found.caPem, found.source);
      return { ...found, fingerprint: fingerprint(found.caPem), firstUse: !found.signatureVerified };
    }
    throw new CliError(
      `cannot discover the hub's CA (${misses.join('; ')}), and ocmadm never sends the token over an unverified connection: pass --ca-file <hub CA PEM> (the certificate-authority-data of the hub's kubeconfig), or run \`ocmadm init\` on the hub, which publishes cluster-info`,
    );
  } finally {
    await client.close();
  }
}

/** Proves the CA verifies the hub's serving certificate (any HTTP answer means the handshake passed). */
export async function verifyHubCa(server: string, ca: HubCa): Promise<void> {
  const client = await anonymousClient(server, ca.caPem);
  try {
    await client.get('/version');
  } catch (err) {
    if (!(err instanceof KubeApiError) || err.status > 0) return;
    if (isTlsError(err)) {
      const how = ca.source.startsWith('--ca-file') ? 'pass the CA that signed the hub\'s serving certificate with --ca-file' : 'pass the right CA with --ca-file <hub CA PEM>';
      throw new CliError(`TLS verification of the hub ${server} failed with the CA from ${ca.source} (${ca.fingerprint.slice(0, 23)}…): ${err.causeCode}; ${how}`);
    }
    throw unreachable(server, err);
  } finally {
    await client.close();
  }
}
