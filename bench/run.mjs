// `npm run bench`: measures on local control planes (see README "Benchmarks") and writes
// bench/results.json plus a markdown table on stdout. Not part of `npm test`.
//   BENCH_ROUNDS=3 (handshake rounds), BENCH_ONLY=handshake,work,scale,peers
//   BENCH_PEERS=1 adds the peers section (OCM's own programs beside ocmadm's; see bench/peers.mjs),
//   whose hub rows run at BENCH_PEERS_HUB_SCALE=100,1000 simulated clusters (bench/peers-hub.mjs)
import fs from 'node:fs';
import path from 'node:path';
import { interruptFleetsSync, machine, ROOT } from './lib.mjs';
import { benchHandshake } from './handshake.mjs';
import { markdown } from './report.mjs';

// Interrupted: take the local runtimes (detached, so a signal to our group misses them) and the
// control planes (our children's process groups) along.
const { killAllComponentsSync } = await import(path.join(ROOT, 'dist/sandbox/process.js'));
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => (interruptFleetsSync(killAllComponentsSync), process.exit(130)));

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const only = new Set((process.env.BENCH_ONLY ?? `handshake,work,scale${process.env.BENCH_PEERS === '1' ? ',peers' : ''}`).split(','));
// Sections not run this time keep their last results (each names its own date where it differs).
const resultsFile = path.join(ROOT, 'bench', 'results.json');
const previous = fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, 'utf8')) : {};
const results = { ...previous, date: new Date().toISOString(), machine: machine(), rounds };

const sections = [
  ['handshake', () => benchHandshake(rounds)],
  ['work', async () => (await import('./work.mjs')).benchWork()],
  ['scale', async () => (await import('./scale.mjs')).benchScale()],
  ['peers', async () => (await import('./peers.mjs')).benchPeers()],
];
for (const [name, fn] of sections) {
  if (!only.has(name)) continue;
  if (!fs.existsSync(path.join(ROOT, 'bench', `${name}.mjs`))) {
    process.stderr.write(`bench: ${name}: not written yet, skipped\n`);
    continue;
  }
  process.stderr.write(`bench: ${name}...\n`);
  const t0 = Date.now();
  results[name] = { date: new Date(t0).toISOString(), machine: results.machine, ...(await fn()) };
  process.stderr.write(`bench: ${name} done in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
}
fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2) + '\n');
process.stdout.write(markdown(results));
