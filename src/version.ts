import { createRequire } from 'node:module';

/** Set by the runtime bundle's build (scripts/build-runtimes.mjs); absent when run from dist/. */
declare const __OCMADM_VERSION__: string | undefined;

function packageVersion(): string {
  // Only outside a bundle: a runtime in a pod has no package.json beside it.
  const require = createRequire(import.meta.url);
  return (require('../package.json') as { version: string }).version;
}

/** The ocmadm version: the bundle's build input, else package.json. */
export const VERSION: string = typeof __OCMADM_VERSION__ === 'string' ? __OCMADM_VERSION__ : packageVersion();
