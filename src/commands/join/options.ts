/** join's flags → validated options (pure). */
import { UsageError } from '../../cli/errors.js';
import { checkClusterName, parseClusterClaims } from '../../cli/flags.js';
import type { Runtime } from '../../install/klusterlet/klusterlet.js';
import { parseOutputFormat, type OutputFormat } from '../../ui/output.js';
import { DEFAULT_NODE_IMAGE } from '../../bundle/index.js';
import { parsePullSecret } from '../../bundle/flags.js';

/** The Node image the klusterlet's bundle runs on (the same as the hub controller's). */
export const DEFAULT_IMAGE = DEFAULT_NODE_IMAGE;

export interface JoinFlags {
  hubToken?: string;
  hubApiserver?: string;
  clusterName?: string;
  caFile?: string;
  proxyUrl?: string;
  proxyCaFile?: string;
  wait?: boolean;
  dryRun?: boolean;
  outputFile?: string;
  runtime?: string;
  image?: string;
  imagePullSecret?: string;
  clusterClaims?: string;
  force?: boolean;
  output?: string;
}

export interface JoinOptions {
  hubToken: string;
  /** https URL without a trailing slash. */
  hubServer: string;
  clusterName: string;
  caFile?: string;
  /** The forward proxy the klusterlet reaches the hub through (written into its kubeconfigs). */
  proxyUrl?: string;
  /** PEM CA of an https proxy, appended to the hub CA bundle. */
  proxyCaFile?: string;
  wait: boolean;
  dryRun: boolean;
  outputFile?: string;
  runtime: Runtime;
  image: string;
  imagePullSecrets: string[];
  clusterClaims: Record<string, string>;
  force: boolean;
  output: OutputFormat;
}

/** The hub URL: https only (the token must never travel in clear), no query or fragment. */
export function parseHubServer(text: string | undefined): string {
  if (!text) throw new UsageError('--hub-apiserver is required (e.g. https://hub.example.com:6443)');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--hub-apiserver "${text}" is not a URL; use https://<host>:<port>`);
  }
  if (url.protocol === 'http:') throw new UsageError(`--hub-apiserver ${text} is plain http: the token would travel in clear; use the hub's https URL`);
  if (url.protocol !== 'https:') throw new UsageError(`--hub-apiserver must be an https:// URL, got "${text}"`);
  if (url.search || url.hash || url.username) throw new UsageError(`--hub-apiserver must not carry a query, fragment or user: "${text}"`);
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/** --proxy-url: an http or https URL with a host (kubectl's proxy-url; socks is not supported). */
export function parseProxyUrl(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--proxy-url "${text}" is not a URL; use http://<host>:<port> or https://<host>:<port>`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--proxy-url must be an http:// or https:// URL, got "${text}"`);
  if (url.search || url.hash) throw new UsageError(`--proxy-url must not carry a query or fragment: "${text}"`);
  return text;
}

export function joinOptions(flags: JoinFlags): JoinOptions {
  const token = flags.hubToken?.trim();
  if (!token) throw new UsageError('--hub-token is required: run `ocmadm get token` on the hub');
  if (/\s/.test(token)) throw new UsageError('--hub-token contains white space: copy it again from `ocmadm get token`');
  const hubServer = parseHubServer(flags.hubApiserver);
  const clusterName = checkClusterName(flags.clusterName, '--cluster-name');
  const runtime = flags.runtime ?? 'cluster';
  if (runtime !== 'cluster' && runtime !== 'local') throw new UsageError(`--runtime must be cluster or local, got "${runtime}"`);
  if (flags.dryRun && flags.wait) throw new UsageError('--wait cannot be combined with --dry-run (nothing would be started to wait for)');
  if (flags.image !== undefined && runtime === 'local') throw new UsageError('--image only applies to --runtime cluster (the local runtime runs this ocmadm)');
  const image = flags.image ?? DEFAULT_IMAGE;
  if (!image.trim() || /\s/.test(image)) throw new UsageError(`--image "${image}" is not an image reference`);
  if (flags.caFile !== undefined && !flags.caFile) throw new UsageError('--ca-file is empty');
  if (flags.outputFile !== undefined && !flags.outputFile) throw new UsageError('--output-file is empty');
  const proxyUrl = parseProxyUrl(flags.proxyUrl);
  if (flags.proxyCaFile !== undefined && !flags.proxyCaFile) throw new UsageError('--proxy-ca-file is empty');
  if (flags.proxyCaFile && !proxyUrl) throw new UsageError('--proxy-ca-file only applies with --proxy-url: pass both, or leave --proxy-ca-file out');
  return {
    hubToken: token,
    hubServer,
    clusterName,
    caFile: flags.caFile,
    proxyUrl,
    proxyCaFile: flags.proxyCaFile,
    wait: !!flags.wait,
    dryRun: !!flags.dryRun,
    outputFile: flags.outputFile,
    runtime,
    image,
    imagePullSecrets: parsePullSecret(flags.imagePullSecret, runtime),
    clusterClaims: parseClusterClaims(flags.clusterClaims),
    force: !!flags.force,
    output: parseOutputFormat(flags.output, ['text', 'json']),
  };
}
