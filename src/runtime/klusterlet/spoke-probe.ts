/**
 * Health of the spoke's kube-apiserver as OCM's agent judges it: GET /livez, and /healthz when
 * /livez answers 404 or 403 (older servers, or RBAC that only opens /healthz). These endpoints
 * answer plain text, not JSON, so this is a small raw GET over the spoke kubeconfig's TLS and
 * credentials (re-read on every probe, so a refreshed ServiceAccount token is used at once).
 */
import type https from 'node:https';
import { KubeClient } from '../../kube/client.js';
import type { KubeConfig } from '../../kube/kubeconfig.js';
import { rootCauseCode } from '../../kube/errors.js';
import { createTransport, type Transport } from '../../kube/transport.js';

export interface ProbeResult {
  ok: boolean;
  /** HTTP status; 0 when the server could not be reached. */
  status: number;
  /** Which endpoint answered last. */
  path: '/livez' | '/healthz';
  /** Response text, or the transport error. */
  detail: string;
}

export interface SpokeProbe {
  check(): Promise<ProbeResult>;
  close(): Promise<void>;
}

export function createSpokeProbe(kc: KubeConfig, timeoutMs = 10_000): SpokeProbe {
  let transport: Promise<Transport> | undefined;
  const cluster = kc.getCurrentCluster();
  const server = (cluster?.server ?? '').replace(/\/+$/, '');

  const get = async (path: '/livez' | '/healthz'): Promise<ProbeResult> => {
    const opts: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    const headers: Record<string, string> = { Accept: 'text/plain, */*', 'User-Agent': 'ocmadm-registration-agent' };
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (v !== undefined) headers[k] = String(v);
    try {
      if (!cluster) throw new Error('the kubeconfig has no current cluster');
      // The same transport as the agent's clients (src/kube/transport.ts), opened on the first probe.
      transport ??= createTransport(KubeClient.defaultTransport, cluster, {
        ca: opts.ca as string | Buffer | undefined,
        cert: opts.cert as string | Buffer | undefined,
        key: opts.key as string | Buffer | undefined,
        rejectUnauthorized: !cluster.skipTLSVerify,
      });
      const res = await (await transport).send({ method: 'GET', url: `${server}${path}`, headers, signal: AbortSignal.timeout(timeoutMs) });
      const text = (await res.text()).trim().slice(0, 500);
      return { ok: res.status === 200, status: res.status, path, detail: text };
    } catch (err) {
      return { ok: false, status: 0, path, detail: rootCauseCode(err) ?? ((err as Error)?.message || String(err)) };
    }
  };

  return {
    async check() {
      const live = await get('/livez');
      if (live.status === 404 || live.status === 403) return get('/healthz');
      return live;
    },
    async close() {
      await (await transport?.catch(() => undefined))?.close().catch(() => undefined);
    },
  };
}
