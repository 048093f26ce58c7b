import { buildImage, nodeImageSpec, pauseImageSpec } from './build.js';
import { mirrorPath, pushLayout, type RegistryAuth } from './registry.js';
import { findImageTools, type ImageTools } from './tools.js';
import type { BuiltImage } from './oci.js';

export { NODE_IMAGE, PAUSE_IMAGE, buildImage, imageCacheRoot, nodeImageSpec, pauseImageSpec } from './build.js';
export { startRegistry, writeMirrorHosts, mirrorPath, AUTH_REGISTRY_HOST, MIRRORED_REGISTRIES, type Registry, type RegistryAuth, type StartRegistryOptions } from './registry.js';
export { findImageTools, type ImageTools } from './tools.js';
export type { BuiltImage } from './oci.js';

/** Builds (or takes from the cache) the pause and Node.js images. */
export async function buildSandboxImages(tools?: ImageTools): Promise<Array<BuiltImage & { cached: boolean }>> {
  const t = tools ?? (await findImageTools());
  return [await buildImage(pauseImageSpec(t.pause)), await buildImage(nodeImageSpec())];
}

export interface PushedImage extends BuiltImage {
  /** Where it was pushed: <address>/<path without the registry>, e.g. 127.0.0.1:5000/library/node:24-bookworm-slim. */
  ref: string;
  cached: boolean;
}

/**
 * Builds the sandbox's images (once per machine) and pushes them to the registry at `address`
 * under their real names' paths. Idempotent: a second push sends no blob the registry has.
 */
export async function pushSandboxImages(address: string, opts: { auth?: RegistryAuth; tools?: ImageTools } = {}): Promise<PushedImage[]> {
  const tools = opts.tools ?? (await findImageTools());
  const out: PushedImage[] = [];
  for (const img of await buildSandboxImages(tools)) {
    const ref = `${address}/${mirrorPath(img.name)}`;
    await pushLayout(tools, img.dir, ref, opts.auth);
    out.push({ ...img, ref });
  }
  return out;
}
