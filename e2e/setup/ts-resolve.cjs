// Jest loads globalSetup/globalTeardown as CommonJS through its transform hook, without the
// moduleNameMapper that maps our ESM-style `./x.js` imports to `./x.ts` in test files. This
// resolve hook does that mapping for relative imports whose .js file does not exist.
const { registerHooks } = require('node:module');

if (!globalThis.__ocmadmTsResolve) {
  globalThis.__ocmadmTsResolve = true;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      try {
        return nextResolve(specifier, context);
      } catch (err) {
        if (specifier.startsWith('.') && specifier.endsWith('.js')) {
          return nextResolve(specifier.slice(0, -3) + '.ts', context);
        }
        throw err;
      }
    },
  });
}
