import path from 'node:path';
import { executablesIn, findBinaries, type FindBinariesOptions } from '../binaries.js';

/**
 * The image tooling that e2e/k8sbins/build.sh builds next to the Kubernetes binaries: the pause
 * binary, distribution's registry, go-containerregistry's crane and a bcrypt htpasswd writer.
 */
export const IMAGE_TOOLS = ['pause', 'registry', 'crane', 'htpasswd'] as const;
export type ImageTools = Record<(typeof IMAGE_TOOLS)[number], string>;

export async function findImageTools(opts: FindBinariesOptions = {}): Promise<ImageTools> {
  const bins = await findBinaries(opts);
  const dir = path.dirname(bins.etcd);
  const tools = executablesIn(dir, IMAGE_TOOLS);
  if (!tools) throw new Error(`${dir} lacks one of ${IMAGE_TOOLS.join(', ')} (an older build): run npm run k8s:bins, or point OCMADM_K8S_BIN at a complete build`);
  return tools;
}
