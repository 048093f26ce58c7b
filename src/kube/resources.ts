import type { KubeClient, KubeObject } from './client.js';
import { KubeApiError, isNotFound } from './errors.js';

/** Identifies a REST collection or object: group "" is the core API. */
export interface ResourceRef {
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** The URL path for a resource reference: /api/v1/... or /apis/<group>/<version>/... */
export function resourcePath(ref: ResourceRef): string {
  const base = ref.group === '' ? `/api/${ref.version}` : `/apis/${ref.group}/${ref.version}`;
  const ns = ref.namespace ? `/namespaces/${encodeURIComponent(ref.namespace)}` : '';
  const name = ref.name ? `/${encodeURIComponent(ref.name)}` : '';
  const sub = ref.name && ref.subresource ? `/${ref.subresource}` : '';
  return `${base}${ns}/${ref.resource}${name}${sub}`;
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

/** Maps apiVersion+kind to a resource through API discovery, cached per group-version. */
export class Discovery {
  private readonly cache = new Map<string, Promise<ApiResource[]>>();

  constructor(private readonly client: KubeClient) {}

  async resolve(apiVersion: string, kind: string): Promise<{ group: string; version: string; resource: string; namespaced: boolean }> {
    const { group, version } = splitApiVersion(apiVersion);
    let found = (await this.resources(apiVersion)).find((r) => r.kind === kind && !r.name.includes('/'));
    if (!found) {
      this.cache.delete(apiVersion); // a CRD may have been established since the last look
      found = (await this.resources(apiVersion)).find((r) => r.kind === kind && !r.name.includes('/'));
    }
    if (!found) throw new KubeApiError(`the server does not serve kind ${kind} in ${apiVersion}`, 404, 'NotFound', 'GET', apiVersion);
    return { group, version, resource: found.name, namespaced: found.namespaced };
  }

  /** The REST reference of a concrete object (namespaced objects need metadata.namespace). */
  async refFor(obj: KubeObject, defaultNamespace?: string): Promise<ResourceRef> {
    if (!obj.apiVersion || !obj.kind) throw new Error('object has no apiVersion or kind');
    const r = await this.resolve(obj.apiVersion, obj.kind);
    const namespace = r.namespaced ? (obj.metadata?.namespace ?? defaultNamespace) : undefined;
    if (r.namespaced && !namespace) throw new Error(`${obj.kind} ${obj.metadata?.name ?? ''} needs a namespace`);
    return { group: r.group, version: r.version, resource: r.resource, namespace, name: obj.metadata?.name };
  }

  private resources(apiVersion: string): Promise<ApiResource[]> {
    let p = this.cache.get(apiVersion);
    if (!p) {
      const { group, version } = splitApiVersion(apiVersion);
      const path = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
      p = this.client
        .get<{ resources: ApiResource[] }>(path)
        .then((l) => l.resources)
        .catch((e: unknown) => {
          this.cache.delete(apiVersion);
          if (e instanceof KubeApiError && e.status === 404) return [];
          throw e;
        });
      this.cache.set(apiVersion, p);
    }
    return p;
  }
}

export interface ApplyOptions {
  fieldManager: string;
  force?: boolean;
  dryRun?: boolean;
}

/** Server-side apply of one object; returns the object as the server now has it. */
export async function applyObject<T extends KubeObject>(client: KubeClient, discovery: Discovery, obj: T, opts: ApplyOptions): Promise<T> {
  const ref = await discovery.refFor(obj);
  return client.patch<T>(resourcePath(ref), obj, 'apply', {
    fieldManager: opts.fieldManager,
    force: opts.force ?? true,
    dryRun: opts.dryRun ? 'All' : undefined,
  });
}

/** GET of one object; undefined when it does not exist (any other error is thrown). */
export async function getOrUndefined<T = KubeObject>(client: KubeClient, path: string): Promise<T | undefined> {
  try {
    return await client.get<T>(path);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** DELETE of one object (a path or a reference); a missing object is already the wanted state. Returns whether a delete was sent. */
/** DeleteOptions for a server-side dry run: answered as the real delete would be (404 included), nothing removed. */
export const DRY_RUN_DELETE = { apiVersion: 'v1', kind: 'DeleteOptions', dryRun: ['All'] };

export async function deleteIfPresent(client: KubeClient, target: string | ResourceRef, opts: { dryRun?: boolean } = {}): Promise<boolean> {
  try {
    await client.delete(typeof target === 'string' ? target : resourcePath(target), opts.dryRun ? DRY_RUN_DELETE : undefined);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
