/**
 * Helpers for the runtime-core suites: an admin client on the hub control plane, throwaway
 * namespaces, event-driven waits with deadlines, and a TCP proxy that cuts a client off from
 * the real API server (fault injection on the network, not a fake server).
 */
import net from 'node:net';
import { KubeConfig } from '../../src/kube/kubeconfig.js';
import { KubeClient, type KubeObject } from '../../src/kube/client.js';
import { isNotFound } from '../../src/kube/errors.js';
import { resourcePath } from '../../src/kube/resources.js';
import { waitForObject } from '../../src/kube/wait.js';
import { createInformer } from '../../src/runtime/core/informer.js';
import { nullLogger } from '../../src/runtime/core/log.js';
import { adminKubeConfig, loadClusters, uniqueName } from '../support/clusters.js';
import { CONFIG_MAPS, NAMESPACES } from '../../src/kube/core.js';

export { NAMESPACES, CONFIG_MAPS as CONFIGMAPS };

export interface AdminEnv {
  client: KubeClient;
  kc: KubeConfig;
  kubeconfigFile: string;
}

/** The shared hub control plane of the e2e run: admin client, its KubeConfig and file. */
export async function adminEnv(): Promise<AdminEnv> {
  const hub = loadClusters().hub;
  const kc = adminKubeConfig(hub);
  return { client: await KubeClient.create(kc, 'ocmadm-e2e-core'), kc, kubeconfigFile: hub.adminKubeconfigPath };
}

export { uniqueName };

export async function createNamespace(client: KubeClient, prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  await client.create(resourcePath(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

export async function deleteNamespace(client: KubeClient, name: string): Promise<void> {
  try {
    await client.delete(resourcePath({ ...NAMESPACES, name }));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/**
 * Something to wait on: `until(pred)` re-checks `pred` each time `notify()` is called (hook it
 * to informer events or callbacks) and fails after `timeoutMs`. No polling.
 */
export class Notifier {
  private readonly waiters = new Set<() => void>();

  notify = (): void => {
    for (const w of [...this.waiters]) w();
  };

  until(pred: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        let ok = false;
        try {
          ok = pred();
        } catch (err) {
          finish();
          return reject(err);
        }
        if (ok) {
          finish();
          resolve();
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }
}

/**
 * A TCP proxy in front of the API server. `cut()` destroys every open connection and refuses
 * new ones (a partition); `heal()` lets connections through again.
 */
export class TcpProxy {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private blocked = false;
  connections = 0;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = net.createServer((client) => {
      if (this.blocked) return void client.destroy();
      this.connections++;
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  cut(): void {
    this.blocked = true;
    for (const s of this.sockets) s.destroy();
  }

  heal(): void {
    this.blocked = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A client for the same user whose traffic goes through `proxy`. */
export async function clientVia(kc: KubeConfig, proxy: TcpProxy): Promise<KubeClient> {
  const copy = new KubeConfig();
  copy.loadFromString(kc.exportConfig());
  const cluster = copy.getCurrentCluster()!;
  const url = new URL(cluster.server);
  copy.clusters = copy.clusters.map((c) => (c.name === cluster.name ? { ...c, server: `${url.protocol}//127.0.0.1:${proxy.port}` } : c));
  return KubeClient.create(copy, 'ocmadm-e2e-core-proxied');
}

/** host and port of the API server a KubeConfig points at. */
export function apiServerAddress(kc: KubeConfig): { host: string; port: number } {
  const url = new URL(kc.getCurrentCluster()!.server);
  return { host: url.hostname, port: Number(url.port || 443) };
}

export const WIDGETS = { group: 'core-e2e.ocmadm.io', version: 'v1', resource: 'widgets' } as const;
const CRDS = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' } as const;

/**
 * A namespaced custom resource with a status subresource, for status patches and for a
 * deterministic 410: a CRD's watch cache starts at the resourceVersion it was created at, so a
 * watch from resourceVersion "1" is always too old for it.
 */
export async function ensureWidgetCrd(client: KubeClient): Promise<void> {
  const name = `${WIDGETS.resource}.${WIDGETS.group}`;
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name },
    spec: {
      group: WIDGETS.group,
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  };
  await client.patch(resourcePath({ ...CRDS, name }), crd, 'apply', { fieldManager: 'ocmadm-e2e-core', force: true });
  await waitForObject<KubeObject & { status?: { conditions?: { type: string; status: string }[] } }>(
    client,
    { ...CRDS, name },
    (o) => !!o?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'),
    { deadline: Date.now() + 60_000, what: `CRD ${name} Established` },
  );
  // Established comes a moment before the new resource's storage serves lists (429 until then);
  // an informer's first list retries with backoff until it does.
  const probe = createInformer(client, { ref: WIDGETS }, nullLogger);
  try {
    await probe.start();
  } finally {
    probe.stop();
  }
}
