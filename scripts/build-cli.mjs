#!/usr/bin/env node
/**
 * Bundles the CLI (src/main.ts) with esbuild into dist/bin/: one entry file plus one chunk per
 * lazily imported command, so a one-shot run reads a handful of files instead of ~300 modules.
 * bin/ocmadm loads dist/bin/main.mjs when it is there, else dist/main.js (tsc's output).
 * Code that finds files relative to its own module (templates, manifests, runtime entry points,
 * package.json) keeps its dist/ location: each `import.meta.url` is rewritten to the URL the
 * module has in dist/, computed from the chunk's own URL.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'bin');

/** `import.meta.url` in src/X/Y.ts becomes the URL of dist/X/Y.js, relative to the chunk in dist/bin/. */
const distUrls = {
  name: 'dist-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, (args) => {
      const source = fs.readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const rel = path.relative(path.join(root, 'src'), args.path).replace(/\.ts$/, '.js').split(path.sep).join('/');
      const url = `new URL(${JSON.stringify(`../${rel}`)}, import.meta.url).href`;
      return { contents: source.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

/**
 * `import x from 'node:y'` becomes process.getBuiltinModule('node:y'): the module itself, not an
 * ES namespace made for it. Building a namespace reads every export, which runs the lazy getters
 * of Node's built-ins: fs.promises, readline.promises, crypto.webcrypto, and http's WebSocket,
 * which loads Node's whole internal undici. That was about a fifth of a one-shot command's time.
 * Only static imports: an `await import('node:y')` of such a stand-in gave a namespace without
 * the module's functions (`clean` failed on `(await import('node:fs')).existsSync`), so dynamic
 * imports stay Node's own.
 */
const builtinsAsModules = {
  name: 'builtins-as-modules',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => (args.kind === 'import-statement' ? { path: args.path, namespace: 'builtin' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({ contents: `module.exports = process.getBuiltinModule(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};

/**
 * Start-up work a one-shot command never uses, left out at bundle time (each measured: about
 * 20 ms and 4 ms of a `--version` run on this 2-core machine):
 * - chalk's own colour detection (#supports-color) checks both streams' TTYs at import, loading
 *   node:tty and node:os. ocmadm never reads it: src/ui/style.ts gives every Chalk instance its
 *   level (NO_COLOR, --no-color and the TTY check live in src/cli), so chalk sees "no colour
 *   detected" and the rest of chalk is unchanged.
 * - commander loads node:child_process for executable subcommands (`git-style` commands in
 *   their own files), which ocmadm does not define: the module is loaded on first use instead.
 */
const unusedAtStartup = {
  name: 'unused-at-startup',
  setup(b) {
    b.onResolve({ filter: /^#supports-color$/ }, () => ({ path: 'supports-color', namespace: 'no-colour-detection' }));
    b.onLoad({ filter: /.*/, namespace: 'no-colour-detection' }, () => ({ contents: 'export default { stdout: false, stderr: false };', loader: 'js' }));
    b.onResolve({ filter: /^node:child_process$/ }, (args) => (args.kind === 'require-call' && /[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy-child-process' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
      contents: "module.exports = { spawn: (...args) => process.getBuiltinModule('node:child_process').spawn(...args) };",
      loader: 'js',
    }));
  },
};

fs.rmSync(out, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { main: 'src/main.ts' },
  outdir: out,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  minify: true,
  platform: 'node',
  target: 'node22.19',
  format: 'esm',
  // client-node is only for exec and auth-provider credentials: left out of the bundle, loaded
  // from node_modules when such a kubeconfig needs it.
  external: ['@kubernetes/client-node'],
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [distUrls, unusedAtStartup, builtinsAsModules],
  // Some dependencies are CommonJS and call require() for Node built-ins.
  banner: { js: "import{createRequire as __ocmadmCr}from'node:module';const require=__ocmadmCr(import.meta.url);" },
});
const files = fs.readdirSync(out);
const bytes = files.reduce((n, f) => n + fs.statSync(path.join(out, f)).size, 0);
process.stdout.write(`${out}: ${files.length} files, ${(bytes / 1024).toFixed(0)} KiB\n`);
