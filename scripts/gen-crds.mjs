// Writes manifests/crds/{hub,spoke}/*.yaml from the API definitions in src/api.
// Run through `npm run gen:crds`, which builds dist first (the definitions are TypeScript).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { renderCrdFiles, CRD_DIR } = await import(join(root, 'dist/api/crds.js'));

const files = renderCrdFiles();
for (const side of ['hub', 'spoke']) {
  const dir = join(root, CRD_DIR, side);
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) {
    if (f.endsWith('.yaml') && !files.has(`${CRD_DIR}/${side}/${f}`)) rmSync(join(dir, f));
  }
}
for (const [path, text] of files) writeFileSync(join(root, path), text);
console.log(`wrote ${files.size} CRDs under ${CRD_DIR}`);
