#!/usr/bin/env node
/**
 * Bundles each runtime (hub controller, klusterlet) into one minified ESM file with everything it
 * imports, then gzips it: what `init`/`join`/`upgrade` put in the runtime ConfigMap.
 *   node scripts/build-runtimes.mjs [--out DIR] [--version X.Y.Z]
 * The version is a build input (default: package.json's) so a test can build an older runtime.
 * Writes DIR/<kind>.mjs, DIR/<kind>.mjs.gz and DIR/manifest.json (version, sizes, sha256).
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { out: { type: 'string' }, version: { type: 'string' } } });
const out = path.resolve(values.out ?? path.join(root, 'dist', 'bundles'));
const version = values.version ?? JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
  process.stderr.write(`build-runtimes: --version "${version}" is not a semantic version (e.g. 0.1.0)\n`);
  process.exit(2);
}

export const ENTRIES = { 'hub-controller': 'src/runtime/hub/main.ts', klusterlet: 'src/runtime/klusterlet/main.ts' };

/**
 * client-node (3 MiB minified) is only loaded for kubeconfig users with exec or auth-provider
 * credentials; a runtime in a pod uses its ServiceAccount or a token kubeconfig, never those.
 */
const withoutClientNode = {
  name: 'without-client-node',
  setup(b) {
    b.onResolve({ filter: /^@kubernetes\/client-node$/ }, () => ({ path: 'client-node', namespace: 'ocmadm-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'ocmadm-stub' }, () => ({
      contents: "export class KubeConfig { constructor() { throw new Error('exec and auth-provider credentials are not supported by the bundled runtime; give it a token or certificate kubeconfig'); } }",
      loader: 'js',
    }));
  },
};

fs.mkdirSync(out, { recursive: true });
const manifest = { version, bundles: {} };
for (const [kind, entry] of Object.entries(ENTRIES)) {
  const file = path.join(out, `${kind}.mjs`);
  const result = await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22.19',
    format: 'esm',
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    define: { __OCMADM_VERSION__: JSON.stringify(version) },
    // Some dependencies are CommonJS and call require() for Node built-ins.
    plugins: [withoutClientNode],
    banner: { js: "import{createRequire as __ocmadmCr}from'node:module';const require=__ocmadmCr(import.meta.url);" },
  });
  const raw = Object.values(result.metafile.inputs).reduce((n, i) => n + i.bytes, 0);
  const js = fs.readFileSync(file);
  const gz = zlib.gzipSync(js, { level: 9 });
  fs.writeFileSync(`${file}.gz`, gz);
  manifest.bundles[kind] = {
    file: `${kind}.mjs.gz`,
    inputBytes: raw,
    minifiedBytes: js.length,
    gzipBytes: gz.length,
    sha256: crypto.createHash('sha256').update(gz).digest('hex'),
  };
}
fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
process.stdout.write(`${out}: ${Object.entries(manifest.bundles).map(([k, b]) => `${k} ${(b.gzipBytes / 1024).toFixed(0)} KiB gz`).join(', ')} (version ${version})\n`);
